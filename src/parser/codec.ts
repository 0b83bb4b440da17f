// The codec of each protocol revision, in the one shape the server's and the client's transports
// use: a transport picks its codec once, from the revision its peer speaks (`EIO`), and calls it
// for every frame and payload. `v4` and `v3` are those codecs (also exported by
// engine.io-ts/parser).
//
// The namespaces are plain frozen objects rather than module namespaces: every build tool then
// gives them data properties, so calls through `v4.decodePacket` stay monomorphic and cheap.
// The client's browser bundle gets v3-compact.ts in place of v3.ts (scripts/platform-swaps.js).

import type { BinaryData, BinaryType, DecodedPacket, DecodeOptions, Packet } from './packet';
import * as v4impl from './v4';
import * as v3impl from './v3';

export interface Codec {
  readonly protocol: 3 | 4;
  /** One packet: a WebSocket frame (binary as bytes when `supportsBinary`, else base64). */
  encodePacket(packet: Packet, supportsBinary?: boolean): string | Uint8Array;
  decodePacket(data: string | BinaryData, binaryType?: BinaryType): DecodedPacket;
  /** Packets for one polling body (v4 ignores `supportsBinary`: its payloads are text). */
  encodePayload(packets: readonly Packet[], supportsBinary?: boolean): string | Uint8Array;
  decodePayload(data: string | BinaryData, opts?: DecodeOptions): DecodedPacket[];
}

/** Protocol v4 (Engine.IO 4+, Socket.IO 3+). */
export const v4 = Object.freeze({
  protocol: 4 as const,
  SEPARATOR: v4impl.SEPARATOR,
  encodePacket: v4impl.encodePacket,
  decodePacket: v4impl.decodePacket,
  encodePayload: v4impl.encodePayload,
  decodePayload: v4impl.decodePayload,
}) satisfies Codec;

/** Protocol v3 (Engine.IO 3, Socket.IO 2). */
export const v3 = Object.freeze({
  protocol: 3 as const,
  encodePacket: v3impl.encodePacket,
  decodePacket: v3impl.decodePacket,
  encodePayload: v3impl.encodePayload,
  decodePayload: v3impl.decodePayload,
}) satisfies Codec;

/** The codec of a protocol revision. */
export function codec(protocol: 3 | 4): Codec {
  return protocol === 4 ? v4 : v3;
}

/** The revision an `EIO` query value asks for: 4 for "4", else 3 (the server refuses others first). */
export function protocolOf(eio: string | undefined): 3 | 4 {
  return eio === '4' ? 4 : 3;
}
