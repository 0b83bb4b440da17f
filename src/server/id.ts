// Session ids: 120 random bits from the CSPRNG, base64url (20 characters). Random bytes
// are drawn in blocks so a handshake does not pay for a call into the CSPRNG each time.
import { randomFillSync } from 'node:crypto';

const ID_BYTES = 15;
const BLOCK = ID_BYTES * 256;
const pool = Buffer.allocUnsafe(BLOCK);
let offset = BLOCK;

export function generateSessionId(): string {
  if (offset === BLOCK) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + ID_BYTES);
  // the bytes are never handed out twice
  pool.fill(0, offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}
