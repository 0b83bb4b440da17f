// Direct mode, polling: a request for a session owned by another node is sent on to that node
// over HTTP (one keep-alive agent per cluster layer), its body streamed, and the owner's answer
// streamed back. The body limit (maxHttpBufferSize) is enforced before anything passes: a
// declared Content-Length over it is forwarded without its body (the owner answers 413 as on
// one node and closes the session), a longer body cut at the limit.
import { Agent, request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse, OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import debugModule from 'debug';
import { MEMBER_HEADER } from './member-auth';

const debug = debugModule('engine:cluster');

/** Connection headers of one hop that a proxy never passes on (RFC 9110 §7.6.1). */
export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** Where a forwarded request goes: a node's address (direct mode), or a stream factory (relayed mode). */
export type Target = { host: string; port: number; connect?: undefined } | { connect: () => Duplex; host?: undefined; port?: undefined };

/** Parses an `advertise` URL (http only: the cluster's links are plain TCP on a private network). */
export function parseTarget(url: string): Target {
  const u = new URL(url);
  if (u.protocol !== 'http:') throw new TypeError(`cluster: advertise must be an http:// URL, not ${url}`);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) || 80 };
}

/** Answers up to this size are relayed whole (one write), larger ones streamed. */
const SMALL_BODY = 64 * 1024;

export class HttpForwarder {
  // an idle connection is dropped before the owner's keepAliveTimeout (Node's default 5 s)
  // would close it under a request just sent on it
  // (no Nagle delay: a request's head and body go in separate writes)
  readonly agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256, scheduling: 'lifo', timeout: 4000, noDelay: true } as ConstructorParameters<typeof Agent>[0]);

  constructor(private readonly connectTimeout: number) {}

  /**
   * Sends `req` to `target` with the member header `auth`. `dead()` is called (and nothing
   * written to `res`) when the owner cannot be reached at all: the caller answers "unknown sid".
   */
  forward(req: IncomingMessage, res: ServerResponse, target: Target, auth: string, maxBody: number, dead: (err: Error) => void, retry = true): void {
    const headers: OutgoingHttpHeaders = {};
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i].toLowerCase();
      if (HOP_BY_HOP.has(name) || name === MEMBER_HEADER) continue;
      const prev = headers[name];
      if (prev === undefined) headers[name] = raw[i + 1];
      else if (Array.isArray(prev)) prev.push(raw[i + 1]);
      else headers[name] = [String(prev), raw[i + 1]];
    }
    headers[MEMBER_HEADER] = auth;
    const declared = Number(req.headers['content-length']);
    const tooLarge = declared > maxBody;
    if (req.headers['transfer-encoding'] !== undefined && headers['content-length'] === undefined && req.method === 'POST') {
      // a chunked body goes on chunked
      headers['transfer-encoding'] = 'chunked';
    }
    let answered = false;
    let connected = false;
    const upstream = httpRequest(
      target.connect !== undefined
        ? { method: req.method, path: req.url, headers, createConnection: target.connect }
        : { host: target.host, port: target.port, method: req.method, path: req.url, headers, agent: this.agent },
    );
    const timer = setTimeout(() => {
      if (!connected) upstream.destroy(new Error('cluster: owner did not accept the connection in time'));
    }, this.connectTimeout);
    // what waits for the connection to the owner (the cut of an oversized body)
    let onConnected: (() => void) | null = null;
    upstream.on('socket', (s) => {
      if (typeof s.setNoDelay === 'function') s.setNoDelay(true);
      const up = () => {
        connected = true;
        clearTimeout(timer);
        if (onConnected !== null) onConnected();
      };
      if (!s.connecting) up();
      else s.once('connect', up);
    });
    upstream.on('response', (up) => {
      answered = true;
      clearTimeout(timer);
      if (res.writableEnded || res.destroyed) {
        up.resume();
        return;
      }
      // setHeader: what this node set already (CORS, both nodes configured alike) is replaced
      const upRaw = up.rawHeaders;
      const seen = new Set<string>();
      for (let i = 0; i < upRaw.length; i += 2) {
        const name = upRaw[i].toLowerCase();
        if (HOP_BY_HOP.has(name)) continue;
        const value = up.headers[name];
        if (value === undefined || seen.has(name)) continue;
        seen.add(name);
        res.setHeader(upRaw[i], value);
      }
      const status = up.statusCode || 502;
      const declared = Number(up.headers['content-length']);
      if (declared >= 0 && declared <= SMALL_BODY) {
        // a small answer (every poll): head and body leave in one write, not two
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          res.statusCode = status;
          res.end(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
          // the body we never sent leaves this connection unusable
          if (tooLarge) upstream.destroy();
        });
      } else {
        res.writeHead(status);
        up.pipe(res);
        if (tooLarge) up.once('end', () => upstream.destroy());
      }
    });
    upstream.on('error', (err) => {
      clearTimeout(timer);
      // we cut it ourselves (the client left, or the body was over the limit): nothing to tell
      if (cut) return;
      if (!answered && retry && upstream.reusedSocket && req.method === 'GET' && (err as NodeJS.ErrnoException).code === 'ECONNRESET') {
        // an idle keep-alive connection the owner closed as we reused it: once more, on a new one
        this.forward(req, res, target, auth, maxBody, dead, false);
        return;
      }
      if (!answered) {
        if (debug.enabled) debug('forward to %s:%s failed: %s', target.host || 'relay', target.port, err.message);
        if (!connected) dead(err);
        else if (!res.headersSent) {
          // the owner took the request, then failed: as a dead owner
          dead(err);
        } else res.destroy();
        return;
      }
      res.destroy();
    });
    // the client went away first: so does the forwarded request (the owner sees the same)
    let cut = false;
    res.on('close', () => {
      if (res.writableFinished) return;
      cut = true;
      upstream.destroy();
    });
    if (tooLarge) {
      req.resume();
      upstream.flushHeaders();
      return;
    }
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > maxBody) {
        // cut here: nothing past the limit goes to the owner, which sees the request end early
        // and closes the session as it would on one node; but it must have seen the request
        // begin, so the cut waits for the connection when the body came faster than it
        req.removeAllListeners('data');
        req.resume();
        cut = true;
        if (connected) upstream.destroy();
        else {
          upstream.flushHeaders();
          onConnected = () => setImmediate(() => upstream.destroy());
        }
        if (!res.headersSent) {
          res.writeHead(413, { 'Content-Length': 0 });
          res.end();
        }
        return;
      }
      if (!upstream.write(chunk)) {
        req.pause();
        upstream.once('drain', () => req.resume());
      }
    });
    req.on('end', () => {
      if (length <= maxBody) upstream.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
