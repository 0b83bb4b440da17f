// The browser twin of binary.ts: the same exports and the same results, written for size with
// what every browser has (atob/btoa, TextEncoder/TextDecoder) instead of Buffer. The browser
// bundle (scripts/build.js) resolves './binary' to this file for the modules of src/parser;
// Node, and bundlers that do not know the swap, keep binary.ts. test/parser-portable.test.js
// runs the parser with this file in a context without Buffer against the Node build.

import type { BinaryData, BinaryType } from './packet';

/** There is no Buffer here: v3's Buffer fast path is dead code in the browser bundle. */
export const NodeBuffer: typeof Buffer | undefined = undefined;

export const DEFAULT_BINARY_TYPE: BinaryType = 'arraybuffer';

export const isBinary = (data: unknown): data is BinaryData => data instanceof ArrayBuffer || ArrayBuffer.isView(data);

/** A Uint8Array over exactly the bytes of `data`, without copying. */
export const asBytes = (data: BinaryData): Uint8Array =>
  data instanceof Uint8Array
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

export const asOutputBytes = asBytes;

export const allocBytes = (size: number): Uint8Array => new Uint8Array(size);

/** Decoded bytes as the requested type: a Uint8Array, else (also for 'nodebuffer') an exact ArrayBuffer. */
export function toBinaryType(bytes: Uint8Array, binaryType: BinaryType | undefined): BinaryData {
  const buffer = bytes.buffer;
  const offset = bytes.byteOffset;
  const length = bytes.length;
  if (binaryType === 'uint8array') return bytes.constructor === Uint8Array ? bytes : new Uint8Array(buffer, offset, length);
  return !offset && length === buffer.byteLength && buffer instanceof ArrayBuffer ? buffer : (buffer.slice(offset, offset + length) as ArrayBuffer);
}

/** An ArrayBuffer asked for as one (or by default) comes back as is: toBinaryType sees it whole. */
export const binaryInputToType = (data: BinaryData, binaryType: BinaryType | undefined): BinaryData =>
  toBinaryType(asBytes(data), binaryType);

/** Bytes [start, end) as a string of char codes 0-255, in slices that stay below argument limits. */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  for (; start < end; start += 4096) {
    out += String.fromCharCode.apply(null, bytes.subarray(start, Math.min(end, start + 4096)) as unknown as number[]);
  }
  return out;
}

export const encodeBase64 = (data: BinaryData): string => {
  const bytes = asBytes(data);
  return btoa(latin1(bytes, 0, bytes.length));
};

/**
 * Decodes `str.slice(start)` as base64 under binary.ts's rules: the standard alphabet plus the
 * URL-safe '-' and '_', at most two '=' and only at the end, padding optional but whole when
 * present. atob alone would also take ASCII whitespace and refuse '-' and '_', hence the check.
 */
export function decodeBase64(str: string, start: number, _asciiKnown?: boolean): Uint8Array | null {
  const text = str.substring(start);
  if (!/^[\w+/-]*={0,2}$/.test(text)) return null;
  let raw: string;
  try {
    raw = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return null;
  }
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** Only Node's base64 decoder needs the check; decodeBase64 here checks every character. */
export const isAsciiString = (_str: string): boolean => true;

let encoder: TextEncoder | undefined;
const utf8 = (str: string): Uint8Array => (encoder || (encoder = new TextEncoder())).encode(str);

/** UTF-8 length of `str`; a lone surrogate counts 3 bytes (it is written as U+FFFD). */
export const utf8Length = (str: string): number => utf8(str).length;

/** Writes `str` as UTF-8 into `target` at `offset` (exactly utf8Length(str) bytes of room). */
export const utf8Write = (str: string, target: Uint8Array, offset: number, _byteLength?: number): void =>
  target.set(utf8(str), offset);

let decoder: TextDecoder | undefined;

/**
 * Decodes UTF-8 as the official v3 parser does: malformed sequences are an error (null), an
 * encoded surrogate (ED A0..BF 80..BF, which the native decoder refuses) becomes one U+FFFD.
 */
export function utf8Decode(bytes: Uint8Array, start: number, end: number): string | null {
  if (!decoder) decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let out = '';
  let from = start;
  try {
    for (let i = start; i + 2 < end; i++) {
      if (bytes[i] === 0xed && (bytes[i + 1] & 0xe0) === 0xa0 && (bytes[i + 2] & 0xc0) === 0x80) {
        out += decoder.decode(bytes.subarray(from, i)) + '\ufffd';
        from = (i += 2) + 1;
      }
    }
    return out + decoder.decode(bytes.subarray(from, end));
  } catch {
    return null;
  }
}

// binary.ts exports its Buffer-free code under these names for tests; here it is the only code.
export const encodeBase64Portable = encodeBase64;
export const decodeBase64Portable = (str: string, start: number): Uint8Array | null => decodeBase64(str, start);
