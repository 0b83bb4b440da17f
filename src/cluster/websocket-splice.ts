// WebSocket: an upgrade for a session owned by another node is spliced to it. One
// TCP connection to the owner per WebSocket: the original upgrade request is written again
// (its headers as received, plus the member header), then bytes flow both ways untouched, so
// the owner performs the upgrade and speaks to the client itself. When either end goes, so
// does the other (an owner killed closes its clients' sockets at once). In relayed mode the
// connection is a stream over Redis (redis-relay.ts) instead of TCP; nothing else changes.
import { connect } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import debugModule from 'debug';
import { MEMBER_HEADER } from './member-auth';
import type { Target } from './http-forwarder';

const debug = debugModule('engine:cluster');

// CR, LF and NUL never reach a header line we write (Node's parser refuses them anyway)
const UNSAFE = /[\r\n\0]/;

/** Writes the request line and headers of `req` again, with the member header `auth`. */
function requestHead(req: IncomingMessage, auth: string): string {
  let head = `${req.method} ${req.url} HTTP/1.1\r\n`;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].toLowerCase() === MEMBER_HEADER || UNSAFE.test(raw[i]) || UNSAFE.test(raw[i + 1])) continue;
    head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  }
  return head + `${MEMBER_HEADER}: ${auth}\r\n\r\n`;
}

/**
 * Splices `socket` (the client's, upgrade pending) to `target`. `dead()` is called, with the
 * client socket untouched, when the owner cannot be reached: the caller answers "unknown sid".
 */
export function spliceUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: Target, auth: string, connectTimeout: number, dead: (err: Error) => void): void {
  const upstream: Duplex & { setNoDelay?: (on: boolean) => unknown } = target.connect !== undefined ? target.connect() : connect({ host: target.host, port: target.port });
  if (typeof upstream.setNoDelay === 'function') upstream.setNoDelay(true);
  let connected = false;
  const timer = setTimeout(() => upstream.destroy(new Error('cluster: owner did not accept the connection in time')), connectTimeout);
  const onClientGone = () => upstream.destroy();
  socket.once('close', onClientGone);
  upstream.once('connect', () => {
    connected = true;
    clearTimeout(timer);
    if (socket.destroyed) {
      upstream.destroy();
      return;
    }
    upstream.write(requestHead(req, auth));
    if (head.length) upstream.write(head);
    socket.pipe(upstream);
    upstream.pipe(socket);
    upstream.once('data', () => (answered = true));
    upstream.once('close', () => socket.destroy());
  });
  // nothing from the owner yet: a refusal now (a relayed owner found gone at the first write)
  // still means "no such session" for the client
  let answered = false;
  upstream.on('error', (err) => {
    clearTimeout(timer);
    if (!connected || (!answered && (err as NodeJS.ErrnoException).code === 'ECONNREFUSED')) {
      socket.removeListener('close', onClientGone);
      if (debug.enabled) debug('splice to %s:%s failed: %s', target.host || 'relay', target.port, err.message);
      if (!socket.destroyed) dead(err);
      return;
    }
    socket.destroy();
  });
}
