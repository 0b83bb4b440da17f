// The byte layer without Buffer: the same exports and the same results as binary.ts, written
// for size with what every browser has (atob/btoa, TextEncoder/TextDecoder). It is the one
// Buffer-free implementation: binary.ts calls it where there is no Buffer, and the client's
// browser bundle loads it in place of binary.ts (scripts/platform-swaps.js), dropping the Node
// code. test/parser-portable.test.js runs the parser both ways, without Buffer, against the
// Node build.

import type { BinaryData, BinaryType } from './packet';

/** There is no Buffer here: v3's Buffer fast path is dead code in the browser bundle. */
export const NodeBuffer: typeof Buffer | undefined = undefined;

export const DEFAULT_BINARY_TYPE: BinaryType = 'arraybuffer';

export const isBinary = (data: unknown): data is BinaryData => data instanceof ArrayBuffer || ArrayBuffer.isView(data);

/** A Uint8Array over exactly the bytes of `data`, without copying (an ArrayBuffer has no .buffer). */
export const asBytes = (data: BinaryData): Uint8Array =>
  data instanceof Uint8Array ? data : new Uint8Array((data as ArrayBufferView).buffer || data, (data as ArrayBufferView).byteOffset, data.byteLength);

export const asOutputBytes = asBytes;

export const allocBytes = (size: number): Uint8Array => new Uint8Array(size);

/** Decoded bytes as the requested type: a Uint8Array, else (also for 'nodebuffer') an exact ArrayBuffer. */
export function toBinaryType(bytes: Uint8Array, binaryType: BinaryType | undefined): BinaryData {
  const { buffer, byteOffset, length } = bytes;
  if (binaryType === 'uint8array') return bytes.constructor === Uint8Array ? bytes : new Uint8Array(buffer, byteOffset, length);
  return !byteOffset && length === buffer.byteLength && buffer instanceof ArrayBuffer ? buffer : (buffer.slice(byteOffset, byteOffset + length) as ArrayBuffer);
}

/** An ArrayBuffer asked for as one (or by default) comes back as is: toBinaryType sees it whole. */
export const binaryInputToType = (data: BinaryData, binaryType: BinaryType | undefined): BinaryData =>
  toBinaryType(asBytes(data), binaryType);

export function encodeBase64(data: BinaryData): string {
  let text = '';
  for (const byte of asBytes(data)) text += String.fromCharCode(byte);
  return btoa(text);
}

/**
 * Decodes `str.slice(start)` as base64 under the codec's one rule (see decodeBase64 in
 * binary.ts): the standard alphabet plus the URL-safe '-' and '_', at most two '=' and only at
 * the end, padding optional but whole when present, nothing else (no whitespace). atob alone
 * would also take ASCII whitespace and refuse '-' and '_', hence the regular expression.
 */
export function decodeBase64(str: string, start: number, _latin1Known?: boolean): Uint8Array | null {
  const text = str.substring(start);
  try {
    return /^[\w+/-]*={0,2}$/.test(text)
      ? Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))
      : null;
  } catch {
    return null;
  }
}

/** Only Node's base64 decoder needs the check; decodeBase64 here checks every character. */
export const isLatin1String = (_str: string): boolean => true;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 length of `str`; a lone surrogate counts 3 bytes (it is written as U+FFFD). */
export const utf8Length = (str: string): number => encoder.encode(str).length;

/** Writes `str` as UTF-8 into `target` at `offset` (exactly utf8Length(str) bytes of room). */
export const utf8Write = (str: string, target: Uint8Array, offset: number, _byteLength?: number): void =>
  target.set(encoder.encode(str), offset);

/**
 * Decodes UTF-8 as the official v3 parser does: malformed sequences are an error (null), an
 * encoded surrogate (ED A0..BF 80..BF, which the native decoder refuses) becomes one U+FFFD.
 */
export function utf8Decode(bytes: Uint8Array, start: number, end: number): string | null {
  let out = '';
  try {
    for (let i = start; i + 2 < end; i++) {
      if (bytes[i] === 0xed && (bytes[i + 1] & 0xe0) === 0xa0 && (bytes[i + 2] & 0xc0) === 0x80) {
        out += decoder.decode(bytes.subarray(start, i)) + '\ufffd';
        start = (i += 2) + 1;
      }
    }
    return out + decoder.decode(bytes.subarray(start, end));
  } catch {
    return null;
  }
}
