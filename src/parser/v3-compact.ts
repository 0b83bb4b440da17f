// Protocol v3 written for size: the wire format of v3.ts (same exports, same bytes, same packets,
// the same error packet at the same place for malformed input), without its fast paths. The
// client's browser bundle loads it in place of v3.ts (scripts/platform-swaps.js) to stay within
// its size budget; Node always runs v3.ts. It shares the text packet codec (text.ts) and the
// byte layer (binary.ts, or binary-portable.ts in the bundle) with the other codecs, so base64
// and UTF-8 follow the same rules. test/parser-portable.test.js holds the bundle's form of this
// file to v3.ts, and test/client-codec.test.js the Node form.

import type { BinaryData, BinaryType, DecodedPacket, DecodeOptions, Packet } from './packet';
import { ERROR_PACKET } from './packet';
import { allocBytes, asBytes, encodeBase64, isBinary, toBinaryType, utf8Decode, utf8Length, utf8Write } from './binary';
import { decodeText, encodeText } from './text';
import { typeChar, typeOf } from './types';

export const protocol = 3;

export function encodePacket(packet: Packet, supportsBinary?: boolean): string | Uint8Array {
  const data = packet.data;
  if (!isBinary(data)) return encodeText(packet);
  const id = typeChar(packet.type);
  if (!supportsBinary) return 'b' + id + encodeBase64(data);
  const bytes = asBytes(data);
  const out = allocBytes(bytes.length + 1);
  out[0] = +id;
  out.set(bytes, 1);
  return out;
}

export function decodePacket(data: string | BinaryData, binaryType?: BinaryType): DecodedPacket {
  if (typeof data === 'string') return decodeText(data, 0, data.length, binaryType, false, true);
  if (!isBinary(data)) return ERROR_PACKET;
  const bytes = asBytes(data);
  // (An empty frame: bytes[0] is undefined, which is no type.)
  const type = typeOf(bytes[0]);
  return type ? { type, data: toBinaryType(bytes.subarray(1), binaryType) } : ERROR_PACKET;
}

const lengthPrefixed = (text: string): string => text.length + ':' + text;

/** The string form `<length>:<packet>`…, or the XHR2 form `<0|1><digits><255><packet>`… */
export function encodePayload(packets: readonly Packet[], supportsBinary?: boolean): string | Uint8Array {
  if (!supportsBinary || !packets.some((packet) => isBinary(packet.data))) {
    return packets.map((packet) => lengthPrefixed(encodePacket(packet, false) as string)).join('') || '0:';
  }
  const bodies = packets.map((packet) => (isBinary(packet.data) ? (encodePacket(packet, true) as Uint8Array) : encodeText(packet)));
  const sizes = bodies.map((body) => (typeof body === 'string' ? utf8Length(body) : body.length));
  const out = allocBytes(sizes.reduce((total, size) => total + 2 + String(size).length + size, 0));
  let pos = 0;
  bodies.forEach((body, i) => {
    out[pos++] = typeof body === 'string' ? 0 : 1;
    for (const digit of String(sizes[i])) out[pos++] = +digit;
    out[pos++] = 255;
    if (typeof body === 'string') utf8Write(body, out, pos, sizes[i]);
    else out.set(body, pos);
    pos += sizes[i];
  });
  return out;
}

/** Either payload form; stops after the first bad packet with the error packet, as v3.ts does. */
export function decodePayload(data: string | BinaryData, opts?: DecodeOptions): DecodedPacket[] {
  const text = typeof data === 'string';
  if (!text && !isBinary(data)) return [ERROR_PACKET];
  const input = text ? (data as string) : asBytes(data as BinaryData);
  const len = input.length;
  if (len > ((opts && opts.maxPayload) as number)) return [ERROR_PACKET];
  const packets: DecodedPacket[] = [];
  let i = 0;
  while (i < len) {
    // The length: decimal digits then ':' (the string form), or after the kind byte one byte per
    // digit then 255 (XHR2); beyond what is left it is an error as soon as it is read.
    const first = text ? i : i + 1;
    let j = first;
    let n = 0;
    let d: number;
    while ((d = text ? (input as string).charCodeAt(j) - 48 : (input as Uint8Array)[j]) >= 0 && d < 10 && n <= len) {
      n = n * 10 + d;
      j++;
    }
    const end = j + 1 + n;
    if (j === first || d !== (text ? 10 : 255) || end > len || (!text && (input as Uint8Array)[i] > 1)) break;
    if (n || !text) {
      const body = text
        ? (input as string).substring(j + 1, end)
        : input[i]
          ? (input as Uint8Array).subarray(j + 1, end)
          : utf8Decode(input as Uint8Array, j + 1, end);
      const packet = body === null ? ERROR_PACKET : decodePacket(body, opts && opts.binaryType);
      packets.push(packet);
      if (packet === ERROR_PACKET) return packets;
    }
    i = end;
  }
  if (i < len || !len) packets.push(ERROR_PACKET);
  return packets;
}
