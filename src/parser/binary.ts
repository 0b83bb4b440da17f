// Byte helpers shared by both protocol revisions: views over any binary input, output in the
// caller's binary type, base64 and UTF-8.
//
// This is the Node byte layer: where Buffer exists its native base64/UTF-8 paths are used, being
// much faster than any JavaScript loop. Where it does not (a bundler that kept this file for a
// browser or a worker), each helper hands over to binary-portable.ts, the one Buffer-free
// implementation, which the client's browser bundle loads in place of this file.

import type { BinaryData, BinaryType } from './packet';
import {
  asBytes as asBytes_,
  decodeBase64 as decodeBase64Portable,
  encodeBase64 as encodeBase64Portable,
  isBinary as isBinary_,
  toBinaryType as toBinaryTypePortable,
  utf8Decode as utf8DecodePortable,
  utf8Length as utf8LengthPortable,
  utf8Write as utf8WritePortable,
} from './binary-portable';

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

// The same with or without Buffer: defined once, in binary-portable.ts.
export const isBinary = isBinary_;
/** A Uint8Array over exactly the bytes of `data`, without copying. */
export const asBytes = asBytes_;

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
  if (NodeBuffer !== undefined && (binaryType === undefined || binaryType === 'nodebuffer')) {
    return bytes instanceof NodeBuffer ? bytes : NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  // 'uint8array', 'arraybuffer' (the exact bytes: a view into a larger buffer, a Node pool slab
  // or a payload, is copied out), and 'nodebuffer' where there is no Buffer (an ArrayBuffer).
  return toBinaryTypePortable(bytes, binaryType);
}

/** Binary input in the requested binary type; an ArrayBuffer asked for as one is returned as is. */
export function binaryInputToType(data: BinaryData, binaryType: BinaryType | undefined): BinaryData {
  return toBinaryType(asBytes(data), binaryType);
}

// ---------------------------------------------------------------------------------------------
// base64

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
  return encodeBase64Portable(data);
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
 * Decodes base64 from `str.slice(start)`; null for anything that is not base64. The one rule of
 * the codec (both revisions, Node and the Buffer-free layer alike): the standard alphabet plus
 * the URL-safe '-' and '_' (Node's decoder takes them, nothing sends them), padding optional but
 * whole when present (at most two '=', only at the end), and no other character: no whitespace,
 * no padding in the middle, no impossible length.
 *
 * `latin1Known`: the caller already knows that `str` has no character beyond Latin-1 (say, the
 * whole payload was checked once), so the per-packet check can be skipped.
 */
export function decodeBase64(str: string, start: number, latin1Known: boolean): Uint8Array | null {
  if (NodeBuffer === undefined) return decodeBase64Portable(str, start);
  const expected = base64DecodedLength(str, start);
  if (expected < 0) return null;
  // Node's decoder skips characters it does not know (0x80-0xFF among them), so a decoded
  // length short of what the text length promises means the text was not base64. One thing it
  // would take anyway is refused first: characters beyond Latin-1 (it reads only the low byte
  // of a UTF-16 unit, so U+632F would pass for '/').
  if (!latin1Known && !isLatin1String(str)) return null;
  const bytes = NodeBuffer.from(start === 0 ? str : str.substring(start), 'base64');
  return bytes.length === expected ? bytes : null;
}

/** Any UTF-16 unit above 0xFF. */
const WIDE_CHAR = /[\u0100-\uffff]/;

/**
 * Whether `str` has no character beyond Latin-1. Only Node's base64 decoder needs to know:
 * without Buffer this says true, because the Buffer-free decoder checks every character itself.
 * V8 keeps a string without such characters in one byte per character, and its regular
 * expressions see at once that a one-byte string cannot match WIDE_CHAR: the test takes the
 * same few nanoseconds for any length (a byte count over the string, as before, grew with it:
 * about 110 ns for a 1 kB packet's base64). Only strings that hold a wider character somewhere
 * are scanned, up to the first one.
 */
export function isLatin1String(str: string): boolean {
  return NodeBuffer === undefined || !WIDE_CHAR.test(str);
}

// ---------------------------------------------------------------------------------------------
// UTF-8 (protocol v3 XHR2 payloads carry string packets as UTF-8 bytes)

/** UTF-8 length of `str`; a lone surrogate counts 3 bytes (it is written as U+FFFD). */
export function utf8Length(str: string): number {
  return NodeBuffer !== undefined ? NodeBuffer.byteLength(str, 'utf8') : utf8LengthPortable(str);
}

/** Writes `str` as UTF-8 into `target` at `offset` (exactly utf8Length(str) bytes of room). */
export function utf8Write(str: string, target: Uint8Array, offset: number, byteLength: number): void {
  if (NodeBuffer !== undefined && target instanceof NodeBuffer) {
    target.write(str, offset, byteLength, 'utf8');
  } else {
    utf8WritePortable(str, target, offset, byteLength);
  }
}

let fatalDecoder: TextDecoder | undefined;

/**
 * Decodes UTF-8 bytes exactly as the official v3 parser does (utf8.js, non-strict): malformed
 * sequences (bad continuation, overlong forms, beyond U+10FFFF, truncation) are an error (null),
 * while encoded surrogates become U+FFFD.
 */
export function utf8Decode(bytes: Uint8Array, start: number, end: number): string | null {
  if (NodeBuffer === undefined) return utf8DecodePortable(bytes, start, end);
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
