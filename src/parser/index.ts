// engine.io-ts/parser: the Engine.IO packet codec, pure (no I/O), for protocol v4 (the
// top-level functions and `v4`) and protocol v3 (`v3`, for Engine.IO 3 / Socket.IO 2 peers).
// Decoders never throw: unreadable input becomes the error packet.

import * as v4impl from './v4';
import * as v3impl from './v3';

export * from './packet';

// The namespaces are plain frozen objects rather than module namespaces: every build tool then
// gives them data properties, so calls through `v4.decodePacket` stay monomorphic and cheap.

/** Protocol v4 (Engine.IO 4+, Socket.IO 3+). */
export const v4 = Object.freeze({
  protocol: 4 as const,
  SEPARATOR: v4impl.SEPARATOR,
  encodePacket: v4impl.encodePacket,
  decodePacket: v4impl.decodePacket,
  encodePayload: v4impl.encodePayload,
  decodePayload: v4impl.decodePayload,
});

/** Protocol v3 (Engine.IO 3, Socket.IO 2). */
export const v3 = Object.freeze({
  protocol: 3 as const,
  encodePacket: v3impl.encodePacket,
  decodePacket: v3impl.decodePacket,
  encodePayload: v3impl.encodePayload,
  decodePayload: v3impl.decodePayload,
});

/** The protocol revision of the top-level functions. */
export const protocol = 4;

export const encodePacket = v4impl.encodePacket;
export const decodePacket = v4impl.decodePacket;
export const encodePayload = v4impl.encodePayload;
export const decodePayload = v4impl.decodePayload;
