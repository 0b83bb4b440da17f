// The packet codec of each protocol revision, in the one shape the transports use. In Node this
// is engine.io-ts/parser; the browser bundle swaps this module for codec-browser.ts (same
// interface, smaller: it leans on atob/btoa and TextEncoder instead of Node's Buffer).

import type { BinaryData, BinaryType, DecodedPacket, Packet } from '../parser/packet';
import * as v3 from '../parser/v3';
import * as v4 from '../parser/v4';

export interface Codec {
  /** One packet: a WebSocket frame. */
  encodePacket(packet: Packet, supportsBinary: boolean): string | Uint8Array;
  decodePacket(data: string | BinaryData, binaryType: BinaryType): DecodedPacket;
  /** Packets for one polling request body (v4 ignores supportsBinary: its payloads are text). */
  encodePayload(packets: Packet[], supportsBinary: boolean): string | Uint8Array;
  decodePayload(data: string | Uint8Array, binaryType: BinaryType): DecodedPacket[];
}

const codecs: Record<3 | 4, Codec> = {
  4: {
    encodePacket: v4.encodePacket,
    decodePacket: v4.decodePacket,
    encodePayload: v4.encodePayload,
    decodePayload: (data, binaryType) => v4.decodePayload(data as string, { binaryType }),
  },
  3: {
    encodePacket: v3.encodePacket,
    decodePacket: v3.decodePacket,
    encodePayload: v3.encodePayload,
    decodePayload: (data, binaryType) => v3.decodePayload(data, { binaryType }),
  },
};

export function codec(protocol: 3 | 4): Codec {
  return codecs[protocol];
}
