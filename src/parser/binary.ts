// Byte helpers shared by both protocol revisions: views over any binary input, output in the
// caller's binary type, base64 and UTF-8.
//
// The browser bundle uses this file, so nothing here may require Node's Buffer. Where Buffer
// exists (Node) it is used because its native base64/UTF-8 paths are much faster than any
// JavaScript loop; elsewhere plain Uint8Array code does the same job.

import type { BinaryData, BinaryType } from './packet';

type NodeBufferCtor = typeof Buffer;

/**
 * Node's Buffer constructor, or undefined in a browser (no global lookup on hot paths).
 * Tested with `x instanceof NodeBuffer`, which is what Buffer.isBuffer does, without the call:
 * measured in a loop, isBuffer cost about 30 ns more, as much as the rest of a decode.
 */
export const NodeBuffer: NodeBufferCtor | undefined =
  typeof Buffer === 'function' && typeof (Buffer as NodeBufferCtor).from === 'function' ? Buffer : undefined;

/** What decoders hand out when the caller does not say. */
export const DEFAULT_BINARY_TYPE: BinaryType = NodeBuffer ? 'nodebuffer' : 'arraybuffer';

export function isBinary(data: unknown): data is BinaryData {
  return data instanceof ArrayBuffer || ArrayBuffer.isView(data);
}

/** A Uint8Array over exactly the bytes of `data`, without copying. */
export function asBytes(data: BinaryData): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * The bytes of `data` as the binary type the encoders emit: a Buffer in Node, a Uint8Array
 * elsewhere. Never copies.
 */
export function asOutputBytes(data: BinaryData): Uint8Array {
  if (NodeBuffer === undefined) return asBytes(data);
  if (data instanceof NodeBuffer) return data;
  if (data instanceof ArrayBuffer) return NodeBuffer.from(data);
  return NodeBuffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** A fresh byte array of `size` bytes (uninitialised in Node: every byte gets written). */
export function allocBytes(size: number): Uint8Array {
  return NodeBuffer !== undefined ? NodeBuffer.allocUnsafe(size) : new Uint8Array(size);
}

/** Hands decoded bytes out as the requested binary type (copying only when a type requires it). */
export function toBinaryType(bytes: Uint8Array, binaryType: BinaryType | undefined): BinaryData {
  const type = binaryType === undefined ? DEFAULT_BINARY_TYPE : binaryType;
  if (type === 'nodebuffer' && NodeBuffer !== undefined) {
    return bytes instanceof NodeBuffer ? bytes : NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  if (type === 'uint8array') {
    return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  // 'arraybuffer' (also 'nodebuffer' where there is no Buffer): the exact bytes, so a view into
  // a larger buffer (a Node pool slab, a payload) is copied out.
  const buffer = bytes.buffer;
  if (bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength && buffer instanceof ArrayBuffer) return buffer;
  return buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Binary input in the requested binary type; an ArrayBuffer asked for as one is returned as is. */
export function binaryInputToType(data: BinaryData, binaryType: BinaryType | undefined): BinaryData {
  if (data instanceof ArrayBuffer && (binaryType === 'arraybuffer' || (binaryType === undefined && NodeBuffer === undefined))) {
    return data;
  }
  return toBinaryType(asBytes(data), binaryType);
}

// ---------------------------------------------------------------------------------------------
// base64

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Character code -> 6-bit value, -1 for characters outside the alphabet. The URL-safe '-' and
 * '_' are taken too, as Node's decoder takes them (nothing sends them, so this costs nothing and
 * keeps both decoders alike).
 */
const BASE64_VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) BASE64_VALUES[ALPHABET.charCodeAt(i)] = i;
BASE64_VALUES[45 /* - */] = 62;
BASE64_VALUES[95 /* _ */] = 63;

/** Standard base64 with padding. */
export function encodeBase64(data: BinaryData): string {
  if (NodeBuffer !== undefined) {
    const buf = data instanceof NodeBuffer
      ? data
      : data instanceof ArrayBuffer
        ? NodeBuffer.from(data)
        : NodeBuffer.from(data.buffer, data.byteOffset, data.byteLength);
    return buf.toString('base64');
  }
  return encodeBase64Portable(asBytes(data));
}

/** base64 without Buffer (browsers); exported for the tests. */
export function encodeBase64Portable(bytes: Uint8Array): string {
  const n = bytes.length;
  const full = n - (n % 3);
  let out = '';
  let chunk = '';
  for (let i = 0; i < full; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    chunk +=
      ALPHABET[v >>> 18] + ALPHABET[(v >>> 12) & 63] + ALPHABET[(v >>> 6) & 63] + ALPHABET[v & 63];
    // Flush now and then so the engine does not build one very deep string rope.
    if (chunk.length >= 8192) {
      out += chunk;
      chunk = '';
    }
  }
  if (n - full === 1) {
    const v = bytes[full] << 16;
    chunk += ALPHABET[v >>> 18] + ALPHABET[(v >>> 12) & 63] + '==';
  } else if (n - full === 2) {
    const v = (bytes[full] << 16) | (bytes[full + 1] << 8);
    chunk += ALPHABET[v >>> 18] + ALPHABET[(v >>> 12) & 63] + ALPHABET[(v >>> 6) & 63] + '=';
  }
  return out + chunk;
}

/**
 * Number of bytes the base64 text `str.slice(start)` stands for, or -1 when its shape is
 * impossible (a dangling single character, more than two padding characters). Characters are
 * not checked here.
 */
function base64DecodedLength(str: string, start: number): number {
  let end = str.length;
  let pad = 0;
  while (end > start && pad < 3 && str.charCodeAt(end - 1) === 61 /* = */) {
    end--;
    pad++;
  }
  if (pad > 2) return -1;
  const len = end - start;
  const rem = len & 3;
  if (rem === 1) return -1;
  if (pad !== 0 && ((len + pad) & 3) !== 0) return -1;
  return ((len >>> 2) * 3) + (rem === 0 ? 0 : rem - 1);
}

/**
 * Decodes standard base64 (padding optional) from `str.slice(start)`; null for anything that is
 * not base64 (other characters, padding in the middle, an impossible length).
 *
 * `latin1Known`: the caller already knows that `str` has no character beyond Latin-1 (say, the
 * whole payload was checked once), so the per-packet check can be skipped.
 */
export function decodeBase64(str: string, start: number, latin1Known: boolean): Uint8Array | null {
  const expected = base64DecodedLength(str, start);
  if (expected < 0) return null;
  if (NodeBuffer !== undefined) {
    // Node's decoder skips characters it does not know (0x80-0xFF among them), so a decoded
    // length short of what the text length promises means the text was not base64. One thing
    // it would take anyway is refused first: characters beyond Latin-1 (it reads only the low
    // byte of a UTF-16 unit, so U+632F would pass for '/'). Like Node's, the decoders take the
    // URL-safe '-' and '_'.
    if (!latin1Known && !isLatin1String(str)) return null;
    const bytes = NodeBuffer.from(start === 0 ? str : str.substring(start), 'base64');
    return bytes.length === expected ? bytes : null;
  }
  return decodeBase64Portable(str, start, expected);
}

/** Any UTF-16 unit above 0xFF. */
const WIDE_CHAR = /[\u0100-\uffff]/;

/**
 * Whether `str` has no character beyond Latin-1. Only Node's base64 decoder needs to know:
 * without Buffer this says true, because the portable decoder checks every character itself.
 * V8 keeps a string without such characters in one byte per character, and its regular
 * expressions see at once that a one-byte string cannot match WIDE_CHAR: the test takes the
 * same few nanoseconds for any length (a byte count over the string, as before, grew with it:
 * about 110 ns for a 1 kB packet's base64). Only strings that hold a wider character somewhere
 * are scanned, up to the first one.
 */
export function isLatin1String(str: string): boolean {
  return NodeBuffer === undefined || !WIDE_CHAR.test(str);
}

/** Strict base64 decoding without Buffer; exported for the tests. */
export function decodeBase64Portable(str: string, start: number, expected = base64DecodedLength(str, start)): Uint8Array | null {
  if (expected < 0) return null;
  const out = new Uint8Array(expected);
  let o = 0;
  let acc = 0;
  let bits = 0;
  let i = start;
  // Only data characters are consumed here: `expected` already accounts for the padding.
  const dataEnd = start + Math.ceil((expected * 4) / 3);
  for (; i < dataEnd; i++) {
    const c = str.charCodeAt(i);
    const v = c < 128 ? BASE64_VALUES[c] : -1;
    if (v < 0) return null;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 255;
    }
  }
  for (; i < str.length; i++) if (str.charCodeAt(i) !== 61) return null;
  return out;
}

// ---------------------------------------------------------------------------------------------
// UTF-8 (protocol v3 XHR2 payloads carry string packets as UTF-8 bytes)

/** UTF-8 length of `str`; a lone surrogate counts 3 bytes (it is written as U+FFFD). */
export function utf8Length(str: string): number {
  if (NodeBuffer !== undefined) return NodeBuffer.byteLength(str, 'utf8');
  let n = 0;
  const len = str.length;
  for (let i = 0; i < len; i++) {
    const c = str.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < len && (str.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

let textEncoder: TextEncoder | undefined;

/** Writes `str` as UTF-8 into `target` at `offset` (exactly utf8Length(str) bytes of room). */
export function utf8Write(str: string, target: Uint8Array, offset: number, byteLength: number): void {
  if (NodeBuffer !== undefined && target instanceof NodeBuffer) {
    target.write(str, offset, byteLength, 'utf8');
    return;
  }
  if (textEncoder === undefined) textEncoder = new TextEncoder();
  textEncoder.encodeInto(str, target.subarray(offset, offset + byteLength));
}

let fatalDecoder: TextDecoder | undefined;

/**
 * Decodes UTF-8 bytes exactly as the official v3 parser does (utf8.js, non-strict): malformed
 * sequences (bad continuation, overlong forms, beyond U+10FFFF, truncation) are an error (null),
 * while encoded surrogates become U+FFFD.
 */
export function utf8Decode(bytes: Uint8Array, start: number, end: number): string | null {
  // Most text (JSON from socket.io) is ASCII: one scan, then a native one-byte conversion.
  let i = start;
  while (i < end && bytes[i] < 0x80) i++;
  if (i === end) return asciiToString(bytes, start, end);
  if (end - start > 64) {
    // Long text: the native decoder validates fast. It refuses encoded surrogates, which the
    // official parser accepts, so that rare case takes the exact path below.
    if (fatalDecoder === undefined) fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    try {
      return fatalDecoder.decode(bytes.subarray(start, end));
    } catch {
      // fall through
    }
  }
  return utf8DecodeExact(bytes, start, end);
}

const ASCII_CHUNK = 4096;

function asciiToString(bytes: Uint8Array, start: number, end: number): string {
  if (NodeBuffer !== undefined && bytes instanceof NodeBuffer) return bytes.toString('latin1', start, end);
  let out = '';
  // fromCharCode.apply takes the bytes as arguments: chunked to stay below argument limits.
  for (let i = start; i < end; i += ASCII_CHUNK) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + ASCII_CHUNK)) as unknown as number[]);
  }
  return out;
}

function utf8DecodeExact(bytes: Uint8Array, start: number, end: number): string | null {
  let out = '';
  let i = start;
  while (i < end) {
    const b1 = bytes[i++];
    if (b1 < 0x80) {
      out += String.fromCharCode(b1);
      continue;
    }
    let cp: number;
    if ((b1 & 0xe0) === 0xc0) {
      if (i >= end) return null;
      const b2 = bytes[i++];
      if ((b2 & 0xc0) !== 0x80) return null;
      cp = ((b1 & 0x1f) << 6) | (b2 & 0x3f);
      if (cp < 0x80) return null;
    } else if ((b1 & 0xf0) === 0xe0) {
      if (i + 1 >= end) return null;
      const b2 = bytes[i++];
      const b3 = bytes[i++];
      if ((b2 & 0xc0) !== 0x80 || (b3 & 0xc0) !== 0x80) return null;
      cp = ((b1 & 0x0f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
      if (cp < 0x800) return null;
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    } else if ((b1 & 0xf8) === 0xf0) {
      if (i + 2 >= end) return null;
      const b2 = bytes[i++];
      const b3 = bytes[i++];
      const b4 = bytes[i++];
      if ((b2 & 0xc0) !== 0x80 || (b3 & 0xc0) !== 0x80 || (b4 & 0xc0) !== 0x80) return null;
      cp = ((b1 & 0x07) << 18) | ((b2 & 0x3f) << 12) | ((b3 & 0x3f) << 6) | (b4 & 0x3f);
      if (cp < 0x10000 || cp > 0x10ffff) return null;
      cp -= 0x10000;
      out += String.fromCharCode(0xd800 | (cp >>> 10), 0xdc00 | (cp & 0x3ff));
      continue;
    } else {
      return null;
    }
    out += String.fromCharCode(cp);
  }
  return out;
}
