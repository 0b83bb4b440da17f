// Engine.IO protocol v3 codec (what engine.io-parser 2.x puts on the wire).
//
//   packet:          <type id><data>                 e.g. "4hello"
//   binary frame:    <type byte><bytes>              e.g. [4, 1, 2, 3, 4]
//   base64 packet:   b<type id><base64>              e.g. "b4AQIDBA=="
//   string payload:  (<length>:<packet>)*            length in UTF-16 code units; empty: "0:"
//   binary payload:  (<0|1><length digits as bytes><255><packet>)*
//                    0 = a string packet as UTF-8 bytes (length in bytes),
//                    1 = a binary packet: type byte + bytes (length includes the type byte)

import type { BinaryData, BinaryType, DecodedPacket, DecodeOptions, Packet } from './packet';
import { ERROR_PACKET as ERROR_PACKET_ } from './packet';
import {
  NodeBuffer,
  allocBytes,
  asBytes,
  encodeBase64,
  isLatin1String,
  isBinary,
  toBinaryType,
  utf8Decode,
  utf8Length,
  utf8Write,
} from './binary';
import { decodeText, encodeText } from './text';
import { TYPE_CHAR as TYPE_CHAR_, typeChar, typeOf } from './types';

// Data copied into module constants (see types.ts).
const ERROR_PACKET = ERROR_PACKET_;
const TYPE_CHAR = TYPE_CHAR_;

export const protocol = 3;

/**
 * Encodes one packet: text as `<type><data>`; binary as type byte + bytes (a Buffer in Node)
 * when the transport carries binary, else as `b<type><base64>`.
 */
export function encodePacket(packet: Packet, supportsBinary?: boolean): string | Uint8Array {
  const data = packet.data;
  if (typeof data === 'string') {
    // The hot path, inline: a text message.
    const id = TYPE_CHAR[packet.type];
    if (typeof id === 'string') return id + data;
  }
  if (typeof data === 'string' || !isBinary(data)) return encodeText(packet);
  const id = typeChar(packet.type);
  if (!supportsBinary) return 'b' + id + encodeBase64(data);
  const bytes = asBytes(data);
  const out = allocBytes(bytes.length + 1);
  out[0] = id.charCodeAt(0) - 48;
  out.set(bytes, 1);
  return out;
}

/** Decodes one packet (a WebSocket frame or a payload part). Never throws. */
export function decodePacket(data: string | BinaryData, binaryType?: BinaryType): DecodedPacket {
  if (typeof data === 'string') {
    // The hot path, inline: a text packet (base64 and errors take decodeText).
    const type = typeOf(data.charCodeAt(0) - 48);
    if (type === undefined) return decodeText(data, 0, data.length, binaryType, false, true);
    return data.length === 1 ? { type } : { type, data: data.substring(1) };
  }
  // Fast path: a Buffer from ws, handed out as a Buffer.
  if (NodeBuffer !== undefined && (binaryType === undefined || binaryType === 'nodebuffer') && data instanceof NodeBuffer) {
    const type = data.length === 0 ? undefined : typeOf(data[0]);
    return type === undefined ? ERROR_PACKET : { type, data: data.subarray(1) };
  }
  if (!isBinary(data)) return ERROR_PACKET;
  const bytes = asBytes(data);
  return decodeFrame(bytes, 0, bytes.length, binaryType);
}

/** A binary packet `bytes[start..end)`: type byte, then the data. */
function decodeFrame(bytes: Uint8Array, start: number, end: number, binaryType: BinaryType | undefined): DecodedPacket {
  const type = start < end ? typeOf(bytes[start]) : undefined;
  return type === undefined ? ERROR_PACKET : { type, data: toBinaryType(bytes.subarray(start + 1, end), binaryType) };
}

/**
 * Encodes packets for a polling response: the XHR2 binary form when the client takes binary
 * and some packet is binary, else the string form (`<length>:<packet>`, binary as base64).
 */
export function encodePayload(packets: readonly Packet[], supportsBinary?: boolean): string | Uint8Array {
  const n = packets.length;
  if (supportsBinary) {
    for (let i = 0; i < n; i++) {
      const data = packets[i].data;
      if (typeof data !== 'string' && isBinary(data)) return encodeBinaryPayload(packets);
    }
  }
  let out = '';
  for (let i = 0; i < n; i++) {
    const encoded = encodePacket(packets[i], false) as string;
    out += encoded.length + ':' + encoded;
  }
  return out || '0:';
}

/** Number of decimal digits of a non-negative integer. */
function digitCount(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

/** Writes the XHR2 packet header `<kind><digits…><255>` at `pos`; returns the next position. */
function writeHeader(out: Uint8Array, pos: number, kind: number, length: number): number {
  out[pos++] = kind;
  const digits = digitCount(length);
  for (let d = digits - 1; d >= 0; d--) {
    out[pos + d] = length % 10;
    length = Math.floor(length / 10);
  }
  pos += digits;
  out[pos++] = 255;
  return pos;
}

function encodeBinaryPayload(packets: readonly Packet[]): Uint8Array {
  const n = packets.length;
  // Pass 1: sizes, so the whole payload is one allocation. String packets go as their UTF-8
  // bytes: `texts[i]` keeps each one's text (null for binary), `sizes[i]` its byte length.
  const texts: (string | null)[] = new Array(n);
  const sizes: number[] = new Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const data = packets[i].data;
    const text = typeof data === 'string' || !isBinary(data) ? (encodePacket(packets[i], false) as string) : null;
    const size = text === null ? (data as BinaryData).byteLength + 1 : utf8Length(text);
    texts[i] = text;
    sizes[i] = size;
    total += 2 + digitCount(size) + size;
  }
  // Pass 2: write.
  const out = allocBytes(total);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const text = texts[i];
    const size = sizes[i];
    pos = writeHeader(out, pos, text === null ? 1 : 0, size);
    if (text !== null) utf8Write(text, out, pos, size);
    else {
      out[pos] = typeChar(packets[i].type).charCodeAt(0) - 48;
      out.set(asBytes(packets[i].data as BinaryData), pos + 1);
    }
    pos += size;
  }
  return out;
}

/**
 * Decodes a polling payload in either form. Stops at the first packet it cannot read, which is
 * then the last element (the error packet). Input longer than `opts.maxPayload` (UTF-16 units
 * for strings, bytes for binary) is refused whole, before anything is built.
 */
export function decodePayload(data: string | BinaryData, opts?: DecodeOptions): DecodedPacket[] {
  const binaryType = opts && opts.binaryType;
  const maxPayload = (opts && opts.maxPayload) as number;
  if (typeof data === 'string') return data.length > maxPayload ? [ERROR_PACKET] : decodeStringPayload(data, binaryType);
  return !isBinary(data) || data.byteLength > maxPayload ? [ERROR_PACKET] : decodeBinaryPayload(asBytes(data), binaryType);
}

// In both forms a declared length beyond what is left is an error as soon as it is read, which
// also keeps the number small; the error packet then ends the list.

function decodeStringPayload(str: string, binaryType: BinaryType | undefined): DecodedPacket[] {
  const len = str.length;
  const packets: DecodedPacket[] = [];
  // Whether the payload has no character beyond Latin-1, for base64 (see decodeBase64):
  // checked once, when the first base64 packet turns up, on the whole payload.
  let latin1: boolean | undefined;
  let i = 0;
  while (i < len) {
    // <length>: decimal digits, then ':' (code 48 + 10).
    let n = 0;
    let j = i;
    let d: number;
    while ((d = str.charCodeAt(j) - 48) >= 0 && d <= 9 && n <= len) {
      n = n * 10 + d;
      j++;
    }
    const start = j + 1;
    const end = start + n;
    if (j === i || d !== 10 || end > len) break;
    if (n !== 0) {
      if (latin1 === undefined && str.charCodeAt(start) === 98 /* b */) latin1 = isLatin1String(str);
      const packet = decodeText(str, start, end, binaryType, latin1 === true, true);
      packets.push(packet);
      if (packet === ERROR_PACKET) return packets;
    }
    i = end;
  }
  if (i < len || len === 0) packets.push(ERROR_PACKET);
  return packets;
}

function decodeBinaryPayload(bytes: Uint8Array, binaryType: BinaryType | undefined): DecodedPacket[] {
  const len = bytes.length;
  const packets: DecodedPacket[] = [];
  let i = 0;
  while (i < len) {
    // <0|1>, then the length as one byte per digit, then 255.
    const kind = bytes[i];
    let n = 0;
    let j = i + 1;
    let d: number;
    while (j < len && (d = bytes[j]) <= 9 && n <= len) {
      n = n * 10 + d;
      j++;
    }
    const start = j + 1;
    const end = start + n;
    if (kind > 1 || j === i + 1 || j === len || bytes[j] !== 255 || end > len) break;
    let packet: DecodedPacket;
    if (kind === 1) packet = decodeFrame(bytes, start, end, binaryType);
    else {
      const text = utf8Decode(bytes, start, end);
      packet = text === null ? ERROR_PACKET : decodeText(text, 0, text.length, binaryType, false, true);
    }
    packets.push(packet);
    if (packet === ERROR_PACKET) return packets;
    i = end;
  }
  if (i < len || len === 0) packets.push(ERROR_PACKET);
  return packets;
}
