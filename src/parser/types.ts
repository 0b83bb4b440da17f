// Packet type lookups used by both revisions' hot paths (same ids in v3 and v4).
//
// Modules of src/parser import each other by name: the browser bundle then refers to each
// function directly, where `import * as` plus destructuring would build every namespace object
// in full, names and all. Imported *data* (lookup tables, the error packet) is copied into a
// module constant (`const X = X_`): the optimiser folds lookups in a constant table, not in a
// property of another module's exports. (A per-file CommonJS transform such as BUILD_FAST
// makes each imported call a getter call: benchmark the full build.)

import type { PacketType } from './packet';
import { PACKET_TYPES as PACKET_TYPES_ } from './packet';

// In the client's browser bundle only (src/platform.d.ts): a constant of this file, so that Node
// tests a context slot rather than looking up an undeclared global on every call.
const BROWSER = typeof __BROWSER__ !== 'undefined';

const PACKET_TYPES = PACKET_TYPES_;


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

/** The id character of a packet type; throws for a type that does not exist. */
export function typeChar(type: PacketType): string {
  if (!BROWSER) {
    const id = TYPE_CHAR[type];
    if (typeof id === 'string') return id;
  } else {
    // The browser bundle finds the id in PACKET_TYPES: one table less to ship.
    const index = PACKET_TYPES.indexOf(type);
    if (index >= 0) return '' + index;
  }
  throw invalidType(type);
}

/** Encoding a packet of a type that does not exist is a bug in the caller, not bad input. */
function invalidType(type: unknown): TypeError {
  const err = new TypeError(`invalid packet type ${JSON.stringify(type)}`) as TypeError & { code: string };
  err.code = 'ERR_INVALID_PACKET_TYPE';
  return err;
}

/** The packet type with this numeric id (a v3 type byte, or a digit's code minus 48), if any. */
export function typeOf(id: number): PacketType | undefined {
  return id >= 0 && id <= 6 ? PACKET_TYPES[id] : undefined;
}
