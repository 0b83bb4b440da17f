// Engine.IO protocol v4 codec.
//
//   packet:  <type id><data>         e.g. "4hello"
//   binary:  raw bytes (WebSocket frame, no type byte), or "b<base64>" where only text may go
//   payload: packets joined by the record separator \x1e (HTTP long-polling)

import type { BinaryData, BinaryType, DecodedPacket, DecodeOptions, Packet } from './packet';
import { ERROR_PACKET as ERROR_PACKET_ } from './packet';
import { asOutputBytes, binaryInputToType, encodeBase64, isLatin1String, isBinary } from './binary';
import { decodeText, encodeText } from './text';
import { TYPE_CHAR as TYPE_CHAR_ } from './types';

// In the client's browser bundle only (src/platform.d.ts): a constant of this file, so that Node
// tests a context slot rather than looking up an undeclared global on every call.
const BROWSER = typeof __BROWSER__ !== 'undefined';

// Data copied into module constants (see types.ts).
const ERROR_PACKET = ERROR_PACKET_;
const TYPE_CHAR = TYPE_CHAR_;

export const protocol = 4;

/** The record separator between packets in a polling payload. */
export const SEPARATOR = '\x1e';

/**
 * Encodes one packet: text as `<type><data>`; a binary message as its raw bytes (a Buffer in
 * Node) when the transport carries binary, else as `b<base64>`.
 */
export function encodePacket(packet: Packet, supportsBinary?: boolean): string | Uint8Array {
  const data = packet.data;
  if (!BROWSER && typeof data === 'string') {
    // The hot path, inline: a text message.
    const id = TYPE_CHAR[packet.type];
    if (typeof id === 'string') return id + data;
  }
  if ((!BROWSER && typeof data === 'string') || !isBinary(data)) return encodeText(packet);
  return supportsBinary ? asOutputBytes(data) : 'b' + encodeBase64(data);
}

/** Decodes one packet (a WebSocket frame or a payload part). Never throws. */
export function decodePacket(data: string | BinaryData, binaryType?: BinaryType): DecodedPacket {
  if (typeof data === 'string') return decodeText(data, 0, data.length, binaryType, false, false);
  return isBinary(data) ? { type: 'message', data: binaryInputToType(data, binaryType) } : ERROR_PACKET;
}

/** Encodes packets for a polling response: binary as base64, joined by \x1e. */
export function encodePayload(packets: readonly Packet[]): string {
  const n = packets.length;
  if (!BROWSER && n === 1) return encodePacket(packets[0], false) as string;
  let out = '';
  for (let i = 0; i < n; i++) {
    if (i !== 0) out += SEPARATOR;
    out += encodePacket(packets[i], false) as string;
  }
  return out;
}

/**
 * Decodes a polling payload. Stops at the first packet it cannot read, which is then the last
 * element (the error packet). A payload longer than `opts.maxPayload` is refused whole, and so
 * is binary (v4 payloads are text).
 */
export function decodePayload(payload: string | BinaryData, opts?: DecodeOptions): DecodedPacket[] {
  const binaryType = opts && opts.binaryType;
  if (typeof payload !== 'string' || (opts && payload.length > (opts.maxPayload as number))) return [ERROR_PACKET];
  const len = payload.length;
  let end = payload.indexOf(SEPARATOR);
  if (!BROWSER && end < 0) return [decodeText(payload, 0, len, binaryType, false, false)];
  const packets: DecodedPacket[] = [];
  let start = 0;
  // Whether the payload has no character beyond Latin-1, for base64 (see decodeBase64):
  // checked once, when the first base64 packet turns up, on the whole payload (not in the browser
  // bundle, whose decoder checks every character itself).
  let latin1: boolean | undefined;
  for (;;) {
    if (end < 0) end = len;
    if (!BROWSER && latin1 === undefined && payload.charCodeAt(start) === 98 /* b */) latin1 = isLatin1String(payload);
    const packet = decodeText(payload, start, end, binaryType, !BROWSER && latin1 === true, false);
    packets.push(packet);
    if (packet === ERROR_PACKET || end === len) return packets;
    start = end + 1;
    end = payload.indexOf(SEPARATOR, start);
  }
}
