// Packet type lookups used by both revisions' hot paths (same ids in v3 and v4).

import type { PacketData, PacketType } from './packet';
import * as packetModule from './packet';

// Read once (see the note in v4.ts on imported bindings).
const { PACKET_TYPES } = packetModule;

/** Packet type -> its id as the one-character prefix of a text packet. Plain literal for fast
 * property access; callers check `typeof` because inherited keys (toString...) resolve too. */
export const TYPE_CHAR: Readonly<Record<string, string | undefined>> = {
  open: '0',
  close: '1',
  ping: '2',
  pong: '3',
  message: '4',
  upgrade: '5',
  noop: '6',
};

/** Packet type -> its id as a number (the type byte of a v3 binary frame). */
export const TYPE_ID: Readonly<Record<string, number | undefined>> = {
  open: 0,
  close: 1,
  ping: 2,
  pong: 3,
  message: 4,
  upgrade: 5,
  noop: 6,
};

/** The packet type whose id is the digit with this character code, if any. */
export function typeFromCharCode(code: number): PacketType | undefined {
  const id = code - 48; /* '0' */
  return id >= 0 && id <= 6 ? PACKET_TYPES[id] : undefined;
}

/** The packet type with this numeric id (a v3 type byte), if any. */
export function typeFromId(id: number): PacketType | undefined {
  return id >= 0 && id <= 6 ? PACKET_TYPES[id] : undefined;
}

/** Encoding a packet of a type that does not exist is a bug in the caller, not bad input. */
export function invalidPacketType(type: unknown): TypeError {
  const err = new TypeError(`engine.io-ts/parser: cannot encode a packet of type ${JSON.stringify(type)}`) as TypeError & {
    code: string;
  };
  err.code = 'ERR_INVALID_PACKET_TYPE';
  return err;
}

/** Text of non-string, non-binary data (numbers and such from untyped callers). */
export function textOf(data: PacketData | number | boolean | object): string {
  return String(data);
}
