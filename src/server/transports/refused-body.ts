// Refusing a request body (413) so that the client actually sees the refusal. Closing the
// connection while the client is still sending its body makes the kernel answer the rest with a
// reset, and a reset can destroy the response before the client has read it: Node's http client
// reports EPIPE, browsers a network error, proxies a 502. So the answer goes out at once, complete
// (no body, `Connection: close`), and the rest of the body is read and dropped — never kept nor
// parsed — until it ends, or until a bound of bytes or time is reached; only then does the
// connection close. What is dropped costs time on the wire, never memory.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Most bytes read and dropped after the refusal before the connection is closed anyway. */
export const DISCARD_MAX_BYTES = 16 * 1024 * 1024;
/** Longest time the rest of a refused body may take before the connection is closed anyway. */
export const DISCARD_MAX_MS = 10 * 1000;

/** Answers `status` with no body and drains the request's body within the bounds. */
export function refuseBody(req: IncomingMessage, res: ServerResponse, status: number): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    req.resume();
    return;
  }
  res.writeHead(status, { 'Content-Length': 0, Connection: 'close' });
  if (req.complete || req.destroyed) {
    res.end();
    return;
  }
  // the whole answer (Content-Length: 0) is on the wire now; ending the response would also
  // end the connection, so that waits for the body
  res.flushHeaders();
  let dropped = 0;
  const finish = () => {
    clearTimeout(timer);
    req.removeListener('data', onData);
    req.removeListener('end', finish);
    req.removeListener('close', finish);
    // Node closes the connection once the response has ended (Connection: close)
    if (!res.writableEnded) res.end();
    // past the bounds, stop reading (the connection closes, the client is told by the reset)
    if (!req.complete) req.pause();
  };
  const onData = (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DISCARD_MAX_BYTES) finish();
  };
  const timer = setTimeout(finish, DISCARD_MAX_MS);
  timer.unref();
  req.on('data', onData);
  req.once('end', finish);
  req.once('close', finish);
  req.resume();
}
