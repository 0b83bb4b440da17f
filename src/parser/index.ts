// engine.io-ts/parser: the Engine.IO packet codec, pure (no I/O), for protocol v4 (the
// top-level functions and `v4`) and protocol v3 (`v3`, for Engine.IO 3 / Socket.IO 2 peers).
// Decoders never throw: unreadable input becomes the error packet.

import { v4 } from './codec';

export * from './packet';
export { codec, v3, v4 } from './codec';
export type { Codec } from './codec';

/** The protocol revision of the top-level functions. */
export const protocol = 4;

export const encodePacket = v4.encodePacket;
export const decodePacket = v4.decodePacket;
export const encodePayload = v4.encodePayload;
export const decodePayload = v4.decodePayload;
