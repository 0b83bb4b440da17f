// engine.io-ts/parser: the Engine.IO packet codec, pure (no I/O), for protocol v4 (the
// top-level functions and `v4`) and protocol v3 (`v3`, for Engine.IO 3 / Socket.IO 2 peers).
// Decoders never throw: unreadable input becomes the error packet.

import { codec as codec_, v3 as v3_, v4 as v4_ } from './codec';

export * from './packet';
export type { Codec } from './codec';

// Copied into constants, not re-exported: a CommonJS re-export is a getter, run on every
// `parser.v4.encodePacket(...)`; a constant is a data property.
export const v4 = v4_;
export const v3 = v3_;
/** The codec of a protocol revision (`v4` or `v3`), as transports choose theirs. */
export const codec = codec_;

/** The protocol revision of the top-level functions. */
export const protocol = 4;

export const encodePacket = v4.encodePacket;
export const decodePacket = v4.decodePacket;
export const encodePayload = v4.encodePayload;
export const decodePayload = v4.decodePayload;
