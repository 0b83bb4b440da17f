// The Engine.IO error codes, and how a refused request is answered: a JSON body on plain
// HTTP, a bare HTTP/1.1 400 on a refused WebSocket upgrade (the socket is then destroyed).
// Code 6 is ours: a draining server refuses handshakes with 503 and a Retry-After header
// (both on HTTP and on upgrades), so balancers and clients go to another node.
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import debugModule from 'debug';

const debug = debugModule('engine');

export const ERRORS = Object.freeze({
  UNKNOWN_TRANSPORT: 0,
  UNKNOWN_SID: 1,
  BAD_HANDSHAKE_METHOD: 2,
  BAD_REQUEST: 3,
  FORBIDDEN: 4,
  UNSUPPORTED_PROTOCOL_VERSION: 5,
  /** engine.io-ts: the server is draining (server.drain()) and opens no new session. */
  SERVER_DRAINING: 6,
});

export type ErrorCode = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export const ERROR_MESSAGES: Readonly<Record<ErrorCode, string>> = Object.freeze({
  0: 'Transport unknown',
  1: 'Session ID unknown',
  2: 'Bad handshake method',
  3: 'Bad request',
  4: 'Forbidden',
  5: 'Unsupported protocol version',
  6: 'Server draining',
});

/** Seconds for the Retry-After header of a drain refusal (`context.retryAfter`, default 1). */
function retryAfter(context?: ErrorContext): string {
  const value = context && Number(context.retryAfter);
  return value !== undefined && Number.isFinite(value) && value >= 0 ? String(Math.ceil(value)) : '1';
}

/** Extra facts about a refusal, passed to `connection_error` listeners as `context`. */
export type ErrorContext = Record<string, unknown> & { message?: string };

/** Answers a refused HTTP request with `{code, message}` (403 for Forbidden, else 400). */
export function abortRequest(res: ServerResponse, code: ErrorCode, context?: ErrorContext): void {
  const message = context && typeof context.message === 'string' ? context.message : ERROR_MESSAGES[code];
  if (res.headersSent) {
    // a middleware committed the response before failing: just make sure it ends
    if (!res.writableEnded) res.end();
    return;
  }
  const body = JSON.stringify({ code, message });
  if (code === ERRORS.SERVER_DRAINING) {
    res.writeHead(503, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      'Retry-After': retryAfter(context),
    });
    res.end(body);
    return;
  }
  res.writeHead(code === ERRORS.FORBIDDEN ? 403 : 400, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function ignoreError(err: Error): void {
  debug('ignoring error from refused upgrade: %s', err.message);
}

/** Refuses a WebSocket upgrade on the raw socket, then destroys it. */
export function abortUpgrade(socket: Duplex, code: ErrorCode, context?: ErrorContext): void {
  socket.on('error', ignoreError);
  if (socket.writable) {
    const message = context && typeof context.message === 'string' ? context.message : ERROR_MESSAGES[code];
    const status =
      code === ERRORS.SERVER_DRAINING ? `503 Service Unavailable\r\nRetry-After: ${retryAfter(context)}` : '400 Bad Request';
    socket.write(
      `HTTP/1.1 ${status}\r\n` +
        'Connection: close\r\n' +
        'Content-Type: text/html\r\n' +
        `Content-Length: ${Buffer.byteLength(message)}\r\n` +
        '\r\n' +
        message,
    );
  }
  socket.destroy();
}
