// What a session keeps as `socket.request` (the README: "request that originated the Socket").
//
// A session lives for hours; the IncomingMessage of its handshake brings along its stream
// state, its listener map, the raw header list and what the parser and the engine left on it
// (about 1.2 KB for a bare client's few headers, more for a browser's). When no engine
// middleware ran on the request, the session keeps instead a lean view of it: an object with
// the same prototype (IncomingMessage.prototype: its `connection` getter, and any method a
// framework added there), what is read of a handshake request (headers, rawHeaders, url,
// method, httpVersion, socket, the parsed `_query`), and every own property that Node does not
// set itself (what allowRequest, a 'headers' listener or an application added).
//
// With middlewares (server.use) the request is kept as it is: a middleware's objects may hold
// on to it and act on it later (express-session's Session keeps `req`, and its reload() sets
// `req.session` on that very object).
import { IncomingMessage } from 'node:http';
import type { EngineRequest } from './transport';

/** The own properties Node gives every IncomingMessage: none of them is copied but these below. */
const NODE_OWN: ReadonlySet<string> = new Set(Object.keys(new IncomingMessage(undefined as never)));

/** What the engine itself puts on a request and a session has no use for. */
const ENGINE_OWN: ReadonlySet<string> = new Set(['res', 'websocket', '_query']);

/**
 * The view's constructor: a plain function, so that every view has the same shape with its
 * fields in the object itself (no map transitions, no separate property store), and its
 * prototype is IncomingMessage's (instanceof, `constructor`, `connection`, framework methods).
 */
function SessionRequest(this: Record<string, unknown>, req: EngineRequest): void {
  // `headers` is an accessor of IncomingMessage.prototype: this stores the parsed object
  this.headers = req.headers;
  this.rawHeaders = req.rawHeaders;
  this.url = req.url;
  this.method = req.method;
  this.httpVersion = req.httpVersion;
  this.httpVersionMajor = req.httpVersionMajor;
  this.httpVersionMinor = req.httpVersionMinor;
  this.socket = req.socket;
  this._query = req._query;
}
SessionRequest.prototype = Object.create(IncomingMessage.prototype);

/** The view a session keeps of its handshake request (see above). */
export function sessionRequest(req: EngineRequest): EngineRequest {
  const view = new (SessionRequest as unknown as new (req: EngineRequest) => Record<string, unknown>)(req);
  const keys = Object.keys(req);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (!NODE_OWN.has(key) && !ENGINE_OWN.has(key)) view[key] = (req as unknown as Record<string, unknown>)[key];
  }
  return view as unknown as EngineRequest;
}
