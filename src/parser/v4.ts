// Engine.IO protocol v4 codec.
//
//   packet:  <type id><data>         e.g. "4hello"
//   binary:  raw bytes (WebSocket frame, no type byte), or "b<base64>" where only text may go
//   payload: packets joined by the record separator \x1e (HTTP long-polling)

import type { BinaryData, BinaryType, DecodedPacket, DecodeOptions, Packet } from './packet';
import * as packetModule from './packet';
import * as binary from './binary';
import * as types from './types';

// Imported bindings are copied into module constants once: some CommonJS builds (esbuild's
// per-file transform) turn every imported call into a getter call, which costs more than the
// work itself on the hot paths below.
const { ERROR_PACKET } = packetModule;
const { asOutputBytes, binaryInputToType, decodeBase64, encodeBase64, isAsciiString, isBinary, toBinaryType } = binary;
const { TYPE_CHAR, typeFromCharCode, invalidPacketType, textOf } = types;

export const protocol = 4;

/** The record separator between packets in a polling payload. */
export const SEPARATOR = '\x1e';
const CHAR_b = 98;

/**
 * Encodes one packet: text as `<type><data>`; a binary message as its raw bytes (a Buffer in
 * Node) when the transport carries binary, else as `b<base64>`.
 */
export function encodePacket(packet: Packet, supportsBinary?: boolean): string | Uint8Array {
  const data = packet.data;
  if (typeof data === 'string') {
    const prefix = TYPE_CHAR[packet.type];
    if (typeof prefix !== 'string') throw invalidPacketType(packet.type);
    return prefix + data;
  }
  if (data !== undefined && data !== null && isBinary(data)) {
    return supportsBinary ? asOutputBytes(data) : 'b' + encodeBase64(data);
  }
  const prefix = TYPE_CHAR[packet.type];
  if (typeof prefix !== 'string') throw invalidPacketType(packet.type);
  return data === undefined || data === null ? prefix : prefix + textOf(data);
}

/** Decodes one packet (a WebSocket frame or a payload part). Never throws. */
export function decodePacket(data: string | BinaryData, binaryType?: BinaryType): DecodedPacket {
  if (typeof data === 'string') return decodeText(data, 0, data.length, binaryType, ASCII_UNKNOWN);
  if (isBinary(data)) return { type: 'message', data: binaryInputToType(data, binaryType) };
  return ERROR_PACKET;
}

// What is known about the payload a packet comes from, for the base64 check (see decodeBase64).
const ASCII_UNKNOWN = 0;
const ASCII_YES = 1;
const ASCII_NO = 2;

/** Decodes the packet text `str.slice(start, end)` (end > start or it is an error). */
function decodeText(str: string, start: number, end: number, binaryType: BinaryType | undefined, ascii: number): DecodedPacket {
  if (end <= start) return ERROR_PACKET;
  const code = str.charCodeAt(start);
  if (code === CHAR_b) {
    let bytes: Uint8Array | null;
    if (start === 0 && end === str.length) bytes = decodeBase64(str, 1, ascii === ASCII_YES);
    else if (ascii === ASCII_YES) bytes = decodeBase64(str.substring(start + 1, end), 0, true);
    else {
      // A payload holding non-ASCII text somewhere: check this part on its own.
      const part = str.substring(start + 1, end);
      bytes = isAsciiString(part) ? decodeBase64(part, 0, true) : null;
    }
    if (bytes === null) return ERROR_PACKET;
    return { type: 'message', data: toBinaryType(bytes, binaryType) };
  }
  const type = typeFromCharCode(code);
  if (type === undefined) return ERROR_PACKET;
  if (end - start === 1) return { type };
  return { type, data: str.substring(start + 1, end) };
}

/** Encodes packets for a polling response: binary as base64, joined by \x1e. */
export function encodePayload(packets: readonly Packet[]): string {
  const n = packets.length;
  if (n === 1) return encodePacket(packets[0], false) as string;
  let out = '';
  for (let i = 0; i < n; i++) {
    if (i !== 0) out += SEPARATOR;
    out += encodePacket(packets[i], false) as string;
  }
  return out;
}

/**
 * Decodes a polling payload. Stops at the first packet it cannot read, which is then the last
 * element (the error packet). A payload longer than `opts.maxPayload` is refused whole.
 */
export function decodePayload(payload: string, opts?: DecodeOptions): DecodedPacket[] {
  if (typeof payload !== 'string') return [ERROR_PACKET];
  const binaryType = opts === undefined ? undefined : opts.binaryType;
  if (opts !== undefined && opts.maxPayload !== undefined && payload.length > opts.maxPayload) return [ERROR_PACKET];
  const len = payload.length;
  let sep = payload.indexOf(SEPARATOR);
  if (sep === -1) return [decodeText(payload, 0, len, binaryType, ASCII_UNKNOWN)];
  const packets: DecodedPacket[] = [];
  let start = 0;
  // Checked once, when the first base64 packet turns up: cheap on the whole (flat) payload.
  let ascii = ASCII_UNKNOWN;
  for (;;) {
    const end = sep === -1 ? len : sep;
    if (ascii === ASCII_UNKNOWN && payload.charCodeAt(start) === CHAR_b) ascii = isAsciiString(payload) ? ASCII_YES : ASCII_NO;
    const packet = decodeText(payload, start, end, binaryType, ascii);
    packets.push(packet);
    if (packet === ERROR_PACKET || end === len) return packets;
    start = end + 1;
    sep = payload.indexOf(SEPARATOR, start);
  }
}
