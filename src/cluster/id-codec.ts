// Default ids that name their owner: the first TAG_LENGTH characters of a 20-character id are
// the owner's node tag (registered in Redis, cached by every node), the other 16 stay random
// (96 bits from the CSPRNG). A node finds the owner of such an id from its cache alone: no
// Redis command on the data path.
import { randomBytes } from 'node:crypto';

export const ID_LENGTH = 20;
export const TAG_LENGTH = 4;
const TAG = /^[A-Za-z0-9_-]{4}$/;

/** A fresh random node tag (24 bits, base64url). */
export function randomTag(): string {
  return randomBytes(3).toString('base64url');
}

/** `localId` (a default 20-character id) carrying `tag`. */
export function tagId(tag: string, localId: string): string {
  return tag + localId.slice(TAG_LENGTH);
}

/** The tag an id would carry if it were a default id, or null when it cannot be one. */
export function tagOf(id: string): string | null {
  if (id.length !== ID_LENGTH) return null;
  const tag = id.slice(0, TAG_LENGTH);
  return TAG.test(tag) ? tag : null;
}
