// Text packets, the same in both revisions: `<type id><data>`, plus the base64 form of binary
// where only text may go (v4: `b<base64>`, always a message; v3: `b<type id><base64>`).

import type { BinaryType, DecodedPacket, Packet } from './packet';
import { ERROR_PACKET as ERROR_PACKET_ } from './packet';
import { decodeBase64, toBinaryType } from './binary';
import { typeChar, typeOf } from './types';

// In the client's browser bundle only (src/platform.d.ts): a constant of this file, so that Node
// tests a context slot rather than looking up an undeclared global on every call.
const BROWSER = typeof __BROWSER__ !== 'undefined';

// Data copied into a module constant (see types.ts).
const ERROR_PACKET = ERROR_PACKET_;

/** A packet whose data is not binary: `<type id><data>` (data of other kinds as its String()). */
export function encodeText(packet: Packet): string {
  const data = packet.data;
  const id = typeChar(packet.type);
  return typeof data === 'string' ? id + data : data == null ? id : id + String(data);
}

/**
 * Decodes the packet text `str.slice(start, end)` (empty is an error). `latin1Known`: `str` is
 * known to have no character beyond Latin-1, so base64 needs no check of its own (see
 * decodeBase64). `v3`: the base64
 * form carries a type id after the 'b'.
 */
export function decodeText(
  str: string,
  start: number,
  end: number,
  binaryType: BinaryType | undefined,
  latin1Known: boolean,
  v3: boolean,
): DecodedPacket {
  if (end <= start) return ERROR_PACKET;
  const code = str.charCodeAt(start);
  if (code === 98 /* b */) {
    // The whole string is one packet: decoded in place; else its own part is cut out.
    const whole = !BROWSER && start === 0 && end === str.length;
    const type = v3 ? (++start < end ? typeOf(str.charCodeAt(start) - 48) : undefined) : 'message';
    if (type === undefined) return ERROR_PACKET;
    start++;
    const bytes = decodeBase64(whole ? str : str.substring(start, end), whole ? start : 0, latin1Known);
    return bytes === null ? ERROR_PACKET : { type, data: toBinaryType(bytes, binaryType) };
  }
  const type = typeOf(code - 48);
  if (type === undefined) return ERROR_PACKET;
  return end - start === 1 ? { type } : { type, data: str.substring(start + 1, end) };
}
