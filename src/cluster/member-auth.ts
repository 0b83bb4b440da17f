// Who may speak for a member of the cluster. A node forwarding a client's request adds one
// header, `x-engine-io-cluster: v1 <unix ms> <client address> <client port> <member> <mac>`, where
// member is the forwarding node's id (URI-encoded) and mac is HMAC-SHA256(cluster secret, the
// other fields + method + url), base64url. The owner recomputes
// it and compares in constant time; a request with a wrong, stale or malformed header is
// forged (refused 403, code 4); only then are the client address and port it carries trusted.
// The secret is the `secret` option, or else a random token the first node stores in Redis
// (`<prefix>:secret`) and every node reads at start.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const MEMBER_HEADER = 'x-engine-io-cluster';
/** How far a member's clock may be from ours, and how long a signed header stays valid. */
const WINDOW_MS = 60_000;

export interface ForwardedClient {
  /** The client's address and port, as the member that received the request saw them. */
  address: string;
  port: number;
  /** The nodeId of that member. */
  via: string;
}

function mac(secret: Buffer, ts: string, address: string, port: string, via: string, method: string, url: string): string {
  return createHmac('sha256', secret).update(`v1\n${ts}\n${address}\n${port}\n${via}\n${method}\n${url}`).digest('base64url');
}

/** The header value a member sends with a forwarded request. */
export function signForward(secret: Buffer, client: ForwardedClient, method: string, url: string): string {
  const ts = String(Date.now());
  // an address never holds a space (IPv4, IPv6, or empty: written '-')
  const address = client.address || '-';
  const port = String(client.port || 0);
  const via = encodeURIComponent(client.via) || '-';
  return `v1 ${ts} ${address} ${port} ${via} ${mac(secret, ts, address, port, via, method, url)}`;
}

/** The client a valid header speaks for, or null when the header is forged. */
export function verifyForward(secret: Buffer | null, value: string, method: string, url: string): ForwardedClient | null {
  if (secret === null) return null;
  const parts = value.split(' ');
  if (parts.length !== 6 || parts[0] !== 'v1') return null;
  const [, ts, address, port, via, given] = parts;
  const when = Number(ts);
  if (!Number.isFinite(when) || Math.abs(Date.now() - when) > WINDOW_MS) return null;
  const expected = Buffer.from(mac(secret, ts, address, port, via, method, url));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
  let member = '';
  try {
    member = via === '-' ? '' : decodeURIComponent(via);
  } catch {
    return null;
  }
  return { address: address === '-' ? '' : address, port: Number(port), via: member };
}
