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
import * as packetModule from './packet';
import * as binary from './binary';
import * as types from './types';

// Imported bindings are copied into module constants once: some CommonJS builds (esbuild's
// per-file transform) turn every imported call into a getter call, which costs more than the
// work itself on the hot paths below.
const { ERROR_PACKET } = packetModule;
const {
  NodeBuffer,
  allocBytes,
  asBytes,
  decodeBase64,
  encodeBase64,
  isAsciiString,
  isBinary,
  toBinaryType,
  utf8Decode,
  utf8Length,
  utf8Write,
} = binary;
const { TYPE_CHAR, TYPE_ID, invalidPacketType, textOf, typeFromCharCode, typeFromId } = types;

export const protocol = 3;

const CHAR_b = 98;
const CHAR_COLON = 58;
const CHAR_0 = 48;
const LENGTH_END = 255;

function typeChar(packet: Packet): string {
  const prefix = TYPE_CHAR[packet.type];
  if (typeof prefix !== 'string') throw invalidPacketType(packet.type);
  return prefix;
}

function typeId(packet: Packet): number {
  const id = TYPE_ID[packet.type];
  if (typeof id !== 'number') throw invalidPacketType(packet.type);
  return id;
}

/**
 * Encodes one packet: text as `<type><data>`; binary as type byte + bytes (a Buffer in Node)
 * when the transport carries binary, else as `b<type><base64>`.
 */
export function encodePacket(packet: Packet, supportsBinary?: boolean): string | Uint8Array {
  const data = packet.data;
  if (typeof data === 'string') return typeChar(packet) + data;
  if (data !== undefined && data !== null && isBinary(data)) {
    if (!supportsBinary) return 'b' + typeChar(packet) + encodeBase64(data);
    const bytes = asBytes(data);
    const out = allocBytes(bytes.length + 1);
    out[0] = typeId(packet);
    out.set(bytes, 1);
    return out;
  }
  const prefix = typeChar(packet);
  return data === undefined || data === null ? prefix : prefix + textOf(data);
}

/** Decodes one packet (a WebSocket frame or a payload part). Never throws. */
export function decodePacket(data: string | BinaryData, binaryType?: BinaryType): DecodedPacket {
  if (typeof data === 'string') return decodeText(data, binaryType, false);
  // Fast path: a Buffer from ws, handed out as a Buffer.
  if (NodeBuffer !== undefined && (binaryType === undefined || binaryType === 'nodebuffer') && NodeBuffer.isBuffer(data)) {
    const type = data.length === 0 ? undefined : typeFromId(data[0]);
    return type === undefined ? ERROR_PACKET : { type, data: data.subarray(1) };
  }
  if (isBinary(data)) {
    const bytes = asBytes(data);
    return decodeBinaryFrame(bytes, 0, bytes.length, binaryType);
  }
  return ERROR_PACKET;
}

/**
 * Decodes the packet text `str`. `asciiKnown`: the payload it comes from is known to be all
 * ASCII (skips the check base64 needs; see decodeBase64).
 */
function decodeText(str: string, binaryType: BinaryType | undefined, asciiKnown: boolean): DecodedPacket {
  const len = str.length;
  if (len === 0) return ERROR_PACKET;
  const code = str.charCodeAt(0);
  if (code === CHAR_b) {
    if (len < 2) return ERROR_PACKET;
    const type = typeFromCharCode(str.charCodeAt(1));
    if (type === undefined) return ERROR_PACKET;
    const bytes = decodeBase64(str, 2, asciiKnown);
    if (bytes === null) return ERROR_PACKET;
    return { type, data: toBinaryType(bytes, binaryType) };
  }
  const type = typeFromCharCode(code);
  if (type === undefined) return ERROR_PACKET;
  if (len === 1) return { type };
  return { type, data: str.substring(1) };
}

/** A binary packet `bytes[start..end)`: type byte, then the data. */
function decodeBinaryFrame(bytes: Uint8Array, start: number, end: number, binaryType: BinaryType | undefined): DecodedPacket {
  if (end <= start) return ERROR_PACKET;
  const type = typeFromId(bytes[start]);
  if (type === undefined) return ERROR_PACKET;
  return { type, data: toBinaryType(bytes.subarray(start + 1, end), binaryType) };
}

/**
 * Encodes packets for a polling response: the XHR2 binary form when the client takes binary
 * and some packet is binary, else the string form (`<length>:<packet>`, binary as base64).
 */
export function encodePayload(packets: readonly Packet[], supportsBinary?: boolean): string | Uint8Array {
  const n = packets.length;
  if (n === 0) return '0:';
  if (supportsBinary) {
    for (let i = 0; i < n; i++) {
      const data = packets[i].data;
      if (typeof data !== 'string' && data !== undefined && data !== null && isBinary(data)) return encodeBinaryPayload(packets);
    }
  }
  let out = '';
  for (let i = 0; i < n; i++) {
    const encoded = encodePacket(packets[i], false) as string;
    out += encoded.length + ':' + encoded;
  }
  return out;
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
  out[pos++] = LENGTH_END;
  return pos;
}

function encodeBinaryPayload(packets: readonly Packet[]): Uint8Array {
  const n = packets.length;
  // Pass 1: sizes, so the whole payload is one allocation. String packets are sent as their
  // UTF-8 bytes, so `texts[i]` keeps each packet's text and `sizes[i]` its byte length.
  const texts: (string | null)[] = new Array(n);
  const sizes: number[] = new Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const packet = packets[i];
    const data = packet.data;
    let size: number;
    if (typeof data !== 'string' && data !== undefined && data !== null && isBinary(data)) {
      texts[i] = null;
      size = data.byteLength + 1;
    } else {
      const text = encodePacket(packet, false) as string;
      texts[i] = text;
      size = utf8Length(text);
    }
    sizes[i] = size;
    total += 2 + digitCount(size) + size;
  }
  // Pass 2: write.
  const out = allocBytes(total);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const size = sizes[i];
    const text = texts[i];
    if (text !== null) {
      pos = writeHeader(out, pos, 0, size);
      utf8Write(text, out, pos, size);
    } else {
      const packet = packets[i];
      pos = writeHeader(out, pos, 1, size);
      out[pos] = typeId(packet);
      out.set(asBytes(packet.data as BinaryData), pos + 1);
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
  const binaryType = opts === undefined ? undefined : opts.binaryType;
  const maxPayload = opts === undefined || opts.maxPayload === undefined ? Infinity : opts.maxPayload;
  if (typeof data === 'string') {
    if (data.length > maxPayload) return [ERROR_PACKET];
    return decodeStringPayload(data, binaryType);
  }
  if (!isBinary(data)) return [ERROR_PACKET];
  if (data.byteLength > maxPayload) return [ERROR_PACKET];
  return decodeBinaryPayload(asBytes(data), binaryType);
}

// What is known about a string payload's characters, for the base64 check.
const ASCII_UNKNOWN = 0;
const ASCII_YES = 1;
const ASCII_NO = 2;

function decodeStringPayload(str: string, binaryType: BinaryType | undefined): DecodedPacket[] {
  const len = str.length;
  const packets: DecodedPacket[] = [];
  let ascii = ASCII_UNKNOWN;
  if (len === 0) {
    packets.push(ERROR_PACKET);
    return packets;
  }
  let i = 0;
  while (i < len) {
    // <length>: decimal digits, then ':'. A length longer than what is left is an error at once,
    // which also keeps the number small.
    let n = 0;
    const digitsStart = i;
    let code = str.charCodeAt(i);
    while (code !== CHAR_COLON) {
      const d = code - CHAR_0;
      if (d < 0 || d > 9) {
        packets.push(ERROR_PACKET);
        return packets;
      }
      n = n * 10 + d;
      if (n > len) {
        packets.push(ERROR_PACKET);
        return packets;
      }
      if (++i === len) {
        packets.push(ERROR_PACKET);
        return packets;
      }
      code = str.charCodeAt(i);
    }
    const start = i + 1;
    const end = start + n;
    if (i === digitsStart || end > len) {
      packets.push(ERROR_PACKET);
      return packets;
    }
    if (n !== 0) {
      if (ascii === ASCII_UNKNOWN && str.charCodeAt(start) === CHAR_b) {
        // Checked once, on the whole (flat) payload, where it is cheap; a payload with
        // non-ASCII text somewhere leaves the check to each base64 packet.
        ascii = isAsciiString(str) ? ASCII_YES : ASCII_NO;
      }
      const packet = decodeText(start === 0 && end === len ? str : str.substring(start, end), binaryType, ascii === ASCII_YES);
      packets.push(packet);
      if (packet === ERROR_PACKET) return packets;
    }
    i = end;
  }
  return packets;
}

function decodeBinaryPayload(bytes: Uint8Array, binaryType: BinaryType | undefined): DecodedPacket[] {
  const len = bytes.length;
  const packets: DecodedPacket[] = [];
  if (len === 0) {
    packets.push(ERROR_PACKET);
    return packets;
  }
  let i = 0;
  while (i < len) {
    const kind = bytes[i++];
    if (kind > 1) {
      packets.push(ERROR_PACKET);
      return packets;
    }
    // Length digits, one byte each (0-9), up to the 255 marker; checked against what is left
    // before anything is sliced or decoded.
    let n = 0;
    const digitsStart = i;
    while (i < len && bytes[i] !== LENGTH_END) {
      const d = bytes[i++];
      if (d > 9) {
        packets.push(ERROR_PACKET);
        return packets;
      }
      n = n * 10 + d;
      if (n > len) {
        packets.push(ERROR_PACKET);
        return packets;
      }
    }
    if (i === len || i === digitsStart) {
      packets.push(ERROR_PACKET);
      return packets;
    }
    const start = i + 1;
    const end = start + n;
    if (end > len) {
      packets.push(ERROR_PACKET);
      return packets;
    }
    let packet: DecodedPacket;
    if (kind === 0) {
      const text = utf8Decode(bytes, start, end);
      packet = text === null ? ERROR_PACKET : decodeText(text, binaryType, false);
    } else {
      packet = decodeBinaryFrame(bytes, start, end, binaryType);
    }
    packets.push(packet);
    if (packet === ERROR_PACKET) return packets;
    i = end;
  }
  return packets;
}
