// The Engine.IO server: routes requests and upgrades to sessions, verifies them (error
// codes), performs the handshake, and applies the policies (CORS, cookie, allowRequest,
// middlewares, protocol revisions). Sessions live in Socket, wire formats in transports.
import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server as HttpServer, ServerResponse, OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import debugModule from 'debug';
import { ERRORS, ERROR_MESSAGES, abortRequest, abortUpgrade } from './errors';
import type { ErrorCode, ErrorContext } from './errors';
import { CorsPolicy, CorsVerdict } from './cors';
import { resolveCookie, serializeCookie } from './cookie';
import type { CookieOptions } from './cookie';
import { generateSessionId } from './id';
import { Socket } from './socket';
import type { SessionSettings } from './socket';
import { UpgradeResponse } from './upgrade-response';
import { createWebSocketServer } from './websocket-server';
import type { WebSocketServerLike } from './websocket-server';
import type { Transport, EngineRequest } from './transport';
import { parseQuery } from './query';
import { protocolOf } from '../parser/codec';
import { getTransport } from './transports/index';
import type { TransportSettingsByName } from './transports/index';
import { isValidJsonpIndex } from './transports/jsonp';
import type { ClusterSeam } from './cluster-seam';
import type { ServerEvents, EventArgs, ConnectionError } from './events';
import { resolveOptions, resolveAttachOptions, pollingSettings, webSocketSettings } from './options';
import type { ServerOptions, AttachOptions, ResolvedOptions } from './options';
import { runMiddlewares } from './middleware';
import { sessionRequest } from './session-request';
import type { Middleware } from './middleware';

export type { ServerEvents, SocketEvents, ConnectionError } from './events';
export type { ServerOptions, AttachOptions, ResolvedOptions, AllowRequest, TransportName } from './options';
export type { Middleware } from './middleware';
import { performance } from 'node:perf_hooks';
import { Metrics } from './metrics';
import type { MetricsSnapshot } from './metrics';
import { Drain } from './drain';
import type { DrainOptions } from './drain';
import { EventLoopDelay, answerHealth, isHealthRequest } from './health';
import type { HealthReport, ReadinessCheck } from './health';

const debug = debugModule('engine');

interface Refusal {
  code: ErrorCode;
  context?: ErrorContext;
}

// Header values: no control characters (other than tab) nor DEL (as Node's own check)
const INVALID_HEADER_CHAR = /[^\t\x20-\x7e\x80-\xff]/;

function refusal(code: ErrorCode, context?: ErrorContext): Refusal {
  return { code, context };
}

function ignoreSocketError(err: Error): void {
  if (debug.enabled) debug('socket error ignored: %s', err && err.message);
}

/** The head of an upgrade that brought no bytes after its headers (ws only reads its length). */
const NO_HEAD = Buffer.alloc(0);
const kUpgradeResponse = Symbol('engine.io-ts upgrade response');
/** When a handshake request reached the engine (performance.now()), for the handshake histogram. */
const kHandshakeStart = Symbol('engine.io-ts handshake start');

// socket.server, the README's parent reference: typed here, so that socket.ts needs nothing of
// this module (the session is given its settings and never reads the server).
declare module './socket' {
  interface Socket {
    /** The Server this session belongs to. */
    readonly server: Server;
  }
}

// Typed events (see events.ts): these overloads replace EventEmitter's untyped ones.
export interface Server {
  on<E extends keyof ServerEvents>(event: E, listener: ServerEvents[E]): this;
  once<E extends keyof ServerEvents>(event: E, listener: ServerEvents[E]): this;
  off<E extends keyof ServerEvents>(event: E, listener: ServerEvents[E]): this;
  addListener<E extends keyof ServerEvents>(event: E, listener: ServerEvents[E]): this;
  removeListener<E extends keyof ServerEvents>(event: E, listener: ServerEvents[E]): this;
  prependListener<E extends keyof ServerEvents>(event: E, listener: ServerEvents[E]): this;
  prependOnceListener<E extends keyof ServerEvents>(event: E, listener: ServerEvents[E]): this;
  emit<E extends keyof ServerEvents>(event: E, ...args: EventArgs<ServerEvents[E]>): boolean;
}

export class Server extends EventEmitter {
  static readonly errors = ERRORS;
  static readonly errorMessages = ERROR_MESSAGES;

  readonly opts: ResolvedOptions;
  /** Connected sessions by id (null prototype: any string is a safe key). */
  clients: Record<string, Socket> = Object.create(null);
  clientsCount = 0;
  /** Closed sessions whose polling transport still owes the client a close packet. */
  private closingTransports: Record<string, Transport> = Object.create(null);
  /** The http.Server created by `listen()`, if any. */
  httpServer?: HttpServer;
  private readonly middlewares: Middleware[] = [];
  private readonly cors: CorsPolicy | null;
  private readonly cookie: CookieOptions | null;
  private readonly cluster: ClusterSeam | null;
  /**
   * The WebSocket server: `ws`'s WebSocketServer (or the `wsEngine`'s), created with the Server
   * when 'websocket' is among the transports (undefined otherwise), as in engine.io 3 and 6.
   * Applications may listen to it (`server.ws.on('headers', …)`) or read its options.
   */
  readonly ws: WebSocketServerLike | undefined;
  private handlePreflight: AttachOptions['handlePreflightRequest'];
  /** The counters behind metrics() (null with `metrics: false`), shared with sessions and transports. */
  private readonly counters: Metrics | null;
  /** What every session of this server is given (see SessionSettings in socket.ts). */
  private readonly sessionSettings: SessionSettings;
  /** What every transport of this server is given, by kind (see options.ts). */
  private readonly transportSettings: TransportSettingsByName;
  private drainer: Drain | null = null;
  private closed = false;
  private readonly eventLoopDelay = new EventLoopDelay();
  private readonly readinessChecks: Record<string, ReadinessCheck> = Object.create(null);

  constructor(opts: ServerOptions & AttachOptions = {}) {
    super();
    const o = opts || {};
    this.opts = resolveOptions(o);
    this.cors = o.cors ? new CorsPolicy(o.cors === true ? true : o.cors) : null;
    this.cookie = resolveCookie(o.cookie, o.cookiePath, o.cookieHttpOnly);
    this.handlePreflight = o.handlePreflightRequest;
    this.ws = this.opts.transports.indexOf('websocket') !== -1 ? this.createWebSocketServer() : undefined;
    this.counters = o.metrics === false ? null : new Metrics();
    this.transportSettings = {
      polling: pollingSettings(this.opts, this.counters !== null ? this.counters.polling : null, (sid, headers, req) =>
        this.pollingHeaders(sid, headers, req as EngineRequest),
      ),
      websocket: webSocketSettings(this.opts, this.counters !== null ? this.counters.websocket : null),
    };
    this.sessionSettings = this.createSessionSettings();
    this.cluster = o.cluster || null;
    if (this.cluster !== null) this.cluster.bind(this);
  }

  /** The headers of a polling answer: the cookie and 'initial_headers' on the handshake, then 'headers'. */
  private pollingHeaders(sid: string | undefined, headers: OutgoingHttpHeaders, req: EngineRequest): void {
    if (!req._query.sid) {
      if (this.cookie !== null && sid !== undefined) headers['Set-Cookie'] = [serializeCookie(this.cookie, sid)];
      this.emit('initial_headers', headers, req);
    }
    this.emit('headers', headers, req);
  }

  private createSessionSettings(): SessionSettings {
    const opts = this.opts;
    const upgrades: Record<string, string[]> = Object.create(null);
    for (const name of ['polling', 'websocket']) upgrades[name] = this.upgrades(name);
    return {
      pingInterval: opts.pingInterval,
      pingTimeout: opts.pingTimeout,
      upgradeTimeout: opts.upgradeTimeout,
      maxHttpBufferSize: opts.maxHttpBufferSize,
      maxBufferedAmount: opts.maxBufferedAmount,
      initialPacket: opts.initialPacket,
      upgrades,
      metrics: this.counters,
      server: this,
      onFlush: (socket, buffer) => {
        this.emit('flush', socket, buffer);
      },
      onDrain: (socket) => {
        this.emit('drain', socket);
      },
      onClose: (socket) => this.sessionClosed(socket),
    };
  }

  /** Transports a session on `transport` may upgrade to (enabled ones only). */
  upgrades(transport: string): string[] {
    if (!this.opts.allowUpgrades) return [];
    const factory = getTransport(transport);
    if (!factory) return [];
    return factory.upgradesTo.filter((t) => this.opts.transports.indexOf(t) !== -1);
  }

  /** Adds an Express-style middleware run on handshake and upgrade requests. */
  use(fn: Middleware): this {
    this.middlewares.push(fn);
    return this;
  }

  /** Generates a session id; override it (may return a Promise; a throw refuses the handshake). */
  generateId(_req: IncomingMessage): string | Promise<string> {
    // in a cluster the default id names its owner (same length), so no node needs a lookup
    return this.cluster !== null ? this.cluster.makeId(generateSessionId()) : generateSessionId();
  }

  // ---- operations: metrics, drain, health ----

  /** A snapshot of the counters (see metrics.ts): cheap enough to take every second. */
  metrics(): MetricsSnapshot {
    return (this.counters || new Metrics()).snapshot(this.counters !== null, this.drainer !== null);
  }

  /** Whether drain() was called: handshakes are refused (code 6, 503), sessions are being closed. */
  get draining(): boolean {
    return this.drainer !== null;
  }

  /**
   * Refuses new handshakes from now on and closes the open sessions spread over `timeout` ms;
   * resolves once the last session is gone (server.close() closes the rest at once).
   */
  drain(opts: DrainOptions = {}): Promise<void> {
    if (this.drainer !== null) return this.drainer.promise;
    const sessions: Socket[] = [];
    for (const id in this.clients) sessions.push(this.clients[id]);
    const drainer = new Drain(sessions, opts || {});
    this.drainer = drainer;
    this.emit('draining');
    drainer.start(this.clientsCount);
    return drainer.promise;
  }

  /** For readiness and liveness probes (starts the event-loop delay monitor on first use). */
  health(): HealthReport {
    const checks = this.readinessChecks;
    let ready = !this.closed && this.drainer === null;
    let results: Record<string, boolean> | undefined;
    for (const name in checks) {
      let ok = false;
      try {
        ok = checks[name]() === true;
      } catch (err) {
        if (debug.enabled) debug('readiness check %s threw: %s', name, err);
      }
      if (results === undefined) results = {};
      results[name] = ok;
      if (!ok) ready = false;
    }
    const report: HealthReport = {
      live: !this.closed,
      ready,
      draining: this.drainer !== null,
      sessions: this.clientsCount,
      eventLoopDelayMs: this.eventLoopDelay.read(),
    };
    if (results !== undefined) report.checks = results;
    return report;
  }

  /** Adds a condition for `ready` (e.g. a cluster layer: Redis reachable), shown under `checks`. */
  addReadinessCheck(name: string, check: ReadinessCheck): this {
    this.readinessChecks[name] = check;
    return this;
  }

  /** Answers a health probe with health() as JSON (what `healthPath` does). */
  handleHealthRequest(req: IncomingMessage, res: ServerResponse): this {
    answerHealth(req, res, this.health());
    return this;
  }

  /** Closes every session (reason "server shutting down"). */
  close(): this {
    if (debug.enabled) debug('closing all open clients');
    this.closed = true;
    this.eventLoopDelay.stop();
    for (const id in this.clients) {
      const client = this.clients[id];
      if (client !== undefined) client.terminate('server shutting down');
    }
    // `ws` stays open: with noServer and no client tracking it holds nothing, and closing it
    // would answer every later upgrade 503 (a server attached again keeps upgrading with it)
    if (this.cluster !== null) {
      const left = this.cluster.close();
      if (left && typeof left.then === 'function') left.then(undefined, (err) => debug('leaving the cluster failed: %s', err));
    }
    return this;
  }

  // ---- request routing ----

  private prepare(req: EngineRequest): void {
    // keep a query parsed earlier (e.g. by connect)
    if (!req._query) req._query = parseQuery(req.url);
  }

  private emitConnectionError(req: IncomingMessage, code: ErrorCode, context?: ErrorContext): void {
    if (this.counters !== null) this.counters.refused(code);
    if (this.listenerCount('connection_error') === 0) return;
    const event: ConnectionError = { req, code, message: ERROR_MESSAGES[code], context };
    try {
      this.emit('connection_error', event);
    } catch (err) {
      if (debug.enabled) debug('connection_error listener threw: %s', err);
    }
  }

  private refuseRequest(req: IncomingMessage, res: ServerResponse, code: ErrorCode, context?: ErrorContext): void {
    if (debug.enabled) debug('refusing request %s %s: %s', req.method, req.url, ERROR_MESSAGES[code]);
    this.emitConnectionError(req, code, context);
    abortRequest(res, code, context);
  }

  private refuseUpgrade(req: IncomingMessage, socket: Duplex, code: ErrorCode, context?: ErrorContext): void {
    if (debug.enabled) debug('refusing upgrade %s: %s', req.url, ERROR_MESSAGES[code]);
    this.emitConnectionError(req, code, context);
    abortUpgrade(socket, code, context);
  }

  /**
   * The checks every request goes through. Returns the refusal, or null when the request
   * may go on (handshakes still face allowRequest and the id generator).
   */
  protected verify(req: EngineRequest, upgrade: boolean): Refusal | null {
    const q = req._query;
    const name = q.transport;
    const factory = getTransport(name);
    if (factory === undefined || this.opts.transports.indexOf(name) === -1) {
      return refusal(ERRORS.UNKNOWN_TRANSPORT, { transport: name });
    }
    if (q.j !== undefined && name === 'polling') {
      if (!this.opts.jsonp) return refusal(ERRORS.UNKNOWN_TRANSPORT, { transport: 'jsonp' });
      if (!isValidJsonpIndex(q.j)) return refusal(ERRORS.BAD_REQUEST, { name: 'INVALID_JSONP_INDEX' });
    }
    const origin = req.headers.origin;
    if (origin !== undefined && INVALID_HEADER_CHAR.test(origin)) {
      return refusal(ERRORS.BAD_REQUEST, { name: 'INVALID_ORIGIN', origin });
    }
    const sid = q.sid;
    if (sid !== undefined) {
      const client = this.clients[sid];
      if (client === undefined) {
        if (!upgrade && req.method === 'GET' && this.closingTransports[sid] !== undefined && name === 'polling') return null;
        return refusal(ERRORS.UNKNOWN_SID, { sid });
      }
      const current = client.transport.name;
      if (!upgrade && current !== name) {
        // also a plain HTTP request with transport=websocket for a polling session, as engine.io 6
        return refusal(ERRORS.BAD_REQUEST, { name: 'TRANSPORT_MISMATCH', transport: name, previousTransport: current });
      }
      const protocol = protocolOf(q.EIO);
      if (client.protocol !== protocol) {
        return refusal(ERRORS.BAD_REQUEST, { name: 'PROTOCOL_MISMATCH', protocol, previousProtocol: client.protocol });
      }
      if (upgrade !== factory.handlesUpgrades) {
        // a WebSocket is reached by an upgrade only, polling never by one
        return refusal(ERRORS.BAD_REQUEST, { name: 'TRANSPORT_HANDSHAKE_ERROR' });
      }
      // an upgrade for a session that is upgrading or upgraded gets its WebSocket handshake and
      // is then closed (see routeUpgrade), as engine.io 6 does
      if (upgrade && current !== name && !this.opts.allowUpgrades) return refusal(ERRORS.BAD_REQUEST, { name: 'UPGRADES_DISABLED' });
      return null;
    }
    if (req.method !== 'GET') return refusal(ERRORS.BAD_HANDSHAKE_METHOD, { method: req.method });
    if (upgrade !== factory.handlesUpgrades) return refusal(ERRORS.BAD_REQUEST, { name: 'TRANSPORT_HANDSHAKE_ERROR' });
    const eio = q.EIO;
    if (eio === '3' || eio === undefined) {
      if (!this.opts.allowEIO3) return refusal(ERRORS.UNSUPPORTED_PROTOCOL_VERSION, { protocol: 3 });
    } else if (eio !== '4') {
      return refusal(ERRORS.UNSUPPORTED_PROTOCOL_VERSION, { protocol: eio });
    }
    return null;
  }

  /** Handles an Engine.IO HTTP request (polling, preflight). */
  handleRequest(req: IncomingMessage, res: ServerResponse): this {
    const ereq = req as EngineRequest;
    if (debug.enabled) debug('handling "%s" http request "%s"', req.method, req.url);
    this.prepare(ereq);
    if (this.counters !== null && ereq._query.sid === undefined) (ereq as any)[kHandshakeStart] = performance.now();
    ereq.res = res;
    if (this.cluster !== null && this.cluster.inbound(req) === 'forged') {
      this.refuseRequest(req, res, ERRORS.FORBIDDEN, { name: 'FORGED_CLUSTER_REQUEST' });
      return this;
    }
    if (req.method === 'OPTIONS') {
      const handler = this.handlePreflight;
      if (typeof handler === 'function') {
        try {
          handler.call(this, req, res);
        } catch (err) {
          if (!res.headersSent) abortRequest(res, ERRORS.BAD_REQUEST);
        }
        return this;
      }
      // without `cors`: a session's OPTIONS gets a bare 204; an OPTIONS handshake goes on to
      // verify(), which refuses it with code 2 as engine.io 6 does
      if (handler !== false && this.cors === null && ereq._query.sid !== undefined) {
        res.writeHead(204, { 'Content-Length': '0' });
        res.end();
        return this;
      }
    }
    if (this.cors !== null) {
      this.cors.handle(req, res, (verdict) => {
        if (verdict === CorsVerdict.Refused) this.refuseRequest(req, res, ERRORS.FORBIDDEN, { name: 'ORIGIN_NOT_ALLOWED', origin: req.headers.origin });
        else if (verdict === CorsVerdict.Continue) this.afterPolicy(ereq, res);
      });
    } else {
      this.afterPolicy(ereq, res);
    }
    return this;
  }

  private afterPolicy(req: EngineRequest, res: ServerResponse): void {
    if (this.middlewares.length === 0) {
      this.routeRequest(req, res);
      return;
    }
    runMiddlewares(this.middlewares, req, res, (err) => {
      if (err) this.refuseRequest(req, res, ERRORS.BAD_REQUEST, { name: 'MIDDLEWARE_FAILURE', error: err });
      else if (!res.writableEnded) this.routeRequest(req, res);
    });
  }

  private routeRequest(req: EngineRequest, res: ServerResponse): void {
    const refused = this.verify(req, false);
    if (refused !== null) {
      if (refused.code === ERRORS.UNKNOWN_SID && this.cluster !== null) {
        // not ours: the cluster answers through the owner, or tells us nobody has it
        this.cluster.forwardRequest(req, res, () => this.refuseRequest(req, res, refused.code, refused.context));
        return;
      }
      this.refuseRequest(req, res, refused.code, refused.context);
      return;
    }
    const sid = req._query.sid;
    if (sid !== undefined) {
      const client = this.clients[sid];
      // an upgrade packet already received but still being decoded takes effect first
      if (client !== undefined && client.upgrading && client.deferUntilUpgradeRead(() => this.rerouteRequest(req, res))) return;
      if (debug.enabled) debug('setting new request for existing client');
      if (client !== undefined) client.transport.onRequest(req, res);
      else this.closingTransports[sid].onRequest(req, res);
      return;
    }
    this.handshake(req, (code, context) => this.refuseRequest(req, res, code, context), (id) => this.openSession(id, req, res));
  }

  /** routeRequest() again after a wait, unless the client has gone meanwhile. */
  private rerouteRequest(req: EngineRequest, res: ServerResponse): void {
    if (res.writableEnded || res.destroyed || req.socket.destroyed) return;
    this.routeRequest(req, res);
  }

  /** Handles an Engine.IO HTTP upgrade (WebSocket). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): this {
    const ereq = req as EngineRequest;
    this.prepare(ereq);
    if (this.counters !== null && ereq._query.sid === undefined) (ereq as any)[kHandshakeStart] = performance.now();
    // the peer may reset the connection while we decide: never an unhandled 'error'
    socket.on('error', ignoreSocketError);
    const upgradeHead = head && head.length ? Buffer.from(head) : NO_HEAD;
    if (this.cluster !== null && this.cluster.inbound(req) === 'forged') {
      this.refuseUpgrade(req, socket, ERRORS.FORBIDDEN, { name: 'FORGED_CLUSTER_REQUEST' });
      return this;
    }
    const proceed = () => {
      if (this.middlewares.length === 0) {
        this.routeUpgrade(ereq, socket, upgradeHead, null);
        return;
      }
      const res = new UpgradeResponse(req, socket);
      (ereq as any)[kUpgradeResponse] = res;
      runMiddlewares(this.middlewares, req, res as unknown as ServerResponse, (err) => {
        if (err) this.refuseUpgrade(req, socket, ERRORS.BAD_REQUEST, { name: 'MIDDLEWARE_FAILURE', error: err });
        else if (!res.writableEnded) this.routeUpgrade(ereq, socket, upgradeHead, res);
      });
    };
    if (this.cors !== null) {
      this.cors.allowsUpgrade(req, (allowed) => {
        if (allowed) proceed();
        else this.refuseUpgrade(req, socket, ERRORS.FORBIDDEN, { name: 'ORIGIN_NOT_ALLOWED', origin: req.headers.origin });
      });
    } else {
      proceed();
    }
    return this;
  }

  private routeUpgrade(req: EngineRequest, socket: Duplex, head: Buffer, _res: UpgradeResponse | null): void {
    const refused = this.verify(req, true);
    if (refused !== null) {
      if (refused.code === ERRORS.UNKNOWN_SID && this.cluster !== null) {
        this.cluster.forwardUpgrade(req, socket, head, () => this.refuseUpgrade(req, socket, refused.code, refused.context));
        return;
      }
      this.refuseUpgrade(req, socket, refused.code, refused.context);
      return;
    }
    const sid = req._query.sid;
    if (sid !== undefined) {
      this.completeUpgrade(req, socket, head, (websocket) => {
        const client = this.clients[sid];
        if (client === undefined || client.readyState !== 'open') {
          if (debug.enabled) debug('upgrade attempt for a closed client');
          websocket.close();
          return;
        }
        const already = client.upgrading ? 'ALREADY_UPGRADING' : client.upgraded || client.transport.name === 'websocket' ? 'ALREADY_UPGRADED' : null;
        if (already !== null) {
          // as engine.io 6: the handshake completes, then the server closes this WebSocket; the
          // session goes on, on the transport it has
          if (debug.enabled) debug('upgrade attempt for an upgrading or upgraded client');
          this.emitConnectionError(req, ERRORS.BAD_REQUEST, { name: already });
          websocket.close();
          return;
        }
        const transport = this.createTransport(req);
        if (transport === null) {
          websocket.close();
          return;
        }
        client.maybeUpgrade(transport);
      });
      return;
    }
    this.handshake(
      req,
      (code, context) => this.refuseUpgrade(req, socket, code, context),
      (id) => this.completeUpgrade(req, socket, head, () => this.openSession(id, req, null)),
    );
  }

  /** Lets the WebSocket server finish the upgrade, then calls `done` with the ws socket. */
  private completeUpgrade(req: EngineRequest, socket: Duplex, head: Buffer, done: (websocket: any) => void): void {
    if (!socket.readable || !socket.writable) {
      socket.destroy();
      return;
    }
    const wss = this.ws;
    if (wss === undefined) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (websocket: any) => {
      socket.removeListener('error', ignoreSocketError);
      websocket.on('error', ignoreSocketError);
      req.websocket = websocket;
      if (websocket.readyState !== 1) {
        // closed while we were deciding
        return;
      }
      done(websocket);
      // the transport listens from now on; keep ours only if nobody else does
      if (websocket.listenerCount('error') > 1) websocket.removeListener('error', ignoreSocketError);
    });
  }

  private createWebSocketServer(): WebSocketServerLike {
    const wss = createWebSocketServer(this.opts.wsEngine, {
      perMessageDeflate: this.opts.perMessageDeflate,
      maxPayload: this.opts.maxHttpBufferSize,
    });
    if (typeof wss.on === 'function') {
      wss.on('headers', (headersArray: string[], req: EngineRequest) => {
        let extra: OutgoingHttpHeaders = {};
        const res: UpgradeResponse | undefined = (req as any)[kUpgradeResponse];
        if (res !== undefined) {
          delete (req as any)[kUpgradeResponse];
          // the middlewares' response has its head written now, when the 101 goes out: their
          // writeHead hooks (on-headers: express-session, helmet) add their headers here
          try {
            res.writeHead(101);
          } catch (err) {
            if (debug.enabled) debug('a writeHead hook threw on the upgrade: %s', err);
          }
          extra = res.headersForHandshake();
        }
        if (!req._query || !req._query.sid) this.emit('initial_headers', extra, req);
        this.emit('headers', extra, req);
        for (const key of Object.keys(extra)) {
          const value = extra[key];
          if (value === undefined) continue;
          if (Array.isArray(value)) for (const v of value) headersArray.push(`${key}: ${v}`);
          else headersArray.push(`${key}: ${value}`);
        }
      });
    }
    return wss;
  }

  // ---- handshake ----

  /** allowRequest, then the id: `ok(id)` or `fail(code, context)`. */
  private handshake(req: EngineRequest, fail: (code: ErrorCode, context?: ErrorContext) => void, ok: (id: string) => void): void {
    if (this.drainer !== null) {
      fail(ERRORS.SERVER_DRAINING, { name: 'SERVER_DRAINING', retryAfter: this.drainer.retryAfter });
      return;
    }
    const allow = this.opts.allowRequest;
    if (typeof allow !== 'function') {
      this.makeId(req, fail, ok);
      return;
    }
    let decided = false;
    const decide = (err: string | null | undefined, success: boolean) => {
      if (decided) return;
      decided = true;
      if (!success) fail(ERRORS.FORBIDDEN, err ? { message: String(err) } : undefined);
      else this.makeId(req, fail, ok);
    };
    try {
      allow(req, decide);
    } catch (err) {
      if (debug.enabled) debug('allowRequest threw: %s', err);
      if (!decided) {
        decided = true;
        fail(ERRORS.FORBIDDEN, { name: 'ALLOW_REQUEST_ERROR', error: err });
      }
    }
  }

  private makeId(req: EngineRequest, fail: (code: ErrorCode, context?: ErrorContext) => void, ok: (id: string) => void): void {
    const onError = (err: unknown) => fail(ERRORS.BAD_REQUEST, { name: 'ID_GENERATION_ERROR', error: err });
    const onId = (id: unknown) => {
      if ((typeof id !== 'string' && typeof id !== 'number') || id === '') return onError(new Error('generateId returned no id'));
      const sid = String(id);
      if (this.clients[sid] !== undefined) return onError(new Error('generateId returned the id of a live session'));
      // a custom id is made findable by the other nodes before the client learns it
      const registered = this.cluster !== null ? this.cluster.register(sid) : null;
      if (registered !== null) registered.then(() => ok(sid), onError);
      else ok(sid);
    };
    let id: unknown;
    try {
      id = this.generateId(req);
    } catch (err) {
      onError(err);
      return;
    }
    if (id && typeof (id as any).then === 'function') (id as Promise<unknown>).then(onId, onError);
    else onId(id);
  }

  private createTransport(req: EngineRequest): Transport | null {
    const factory = getTransport(req._query.transport)!;
    let transport: Transport;
    try {
      transport = factory(req, this.transportSettings);
    } catch (err) {
      if (debug.enabled) debug('could not create transport: %s', err);
      return null;
    }
    return transport;
  }

  private openSession(id: string, req: EngineRequest, res: ServerResponse | null): void {
    const transport = this.createTransport(req);
    if (transport === null) {
      if (res !== null) this.refuseRequest(req, res, ERRORS.BAD_REQUEST, { name: 'TRANSPORT_HANDSHAKE_ERROR' });
      else if (req.websocket) req.websocket.close();
      return;
    }
    if (this.clients[id] !== undefined) {
      // the same id was handed out twice while a generateId() Promise was pending
      if (res !== null) this.refuseRequest(req, res, ERRORS.BAD_REQUEST, { name: 'ID_GENERATION_ERROR' });
      else req.websocket.close();
      return;
    }
    if (debug.enabled) debug('handshaking client "%s"', id);
    const protocol = protocolOf(req._query.EIO);
    // the session keeps a lean view of its request unless middlewares ran on it (session-request.ts)
    const request = this.middlewares.length === 0 ? sessionRequest(req) : req;
    const socket = new Socket(id, this.sessionSettings, transport, request, protocol);
    this.clients[id] = socket;
    this.clientsCount++;
    if (this.counters !== null) this.countHandshake(req, transport);
    if (res !== null) transport.onRequest(req, res);
    this.emit('connection', socket);
    // a handshake that was under way when the drain began
    if (this.drainer !== null) this.drainer.add(socket);
  }

  /** A session closed (its settings' onClose hook, before its 'close' event). */
  private sessionClosed(socket: Socket): void {
    const id = socket.id;
    if (this.clients[id] === socket) {
      delete this.clients[id];
      this.clientsCount--;
      if (this.drainer !== null) this.drainer.sessionClosed(this.clientsCount);
      if (this.cluster !== null) this.cluster.sessionClosed(id);
    }
    // a polling transport still waiting for the GET that carries its close packet
    const last = socket.transport;
    if (last.readyState === 'closing' && last.name === 'polling') {
      this.closingTransports[id] = last;
      last.once('close', () => {
        if (this.closingTransports[id] === last) delete this.closingTransports[id];
      });
    }
  }

  private countHandshake(req: EngineRequest, transport: Transport): void {
    if (transport.counters !== null) transport.counters.handshakes++;
    const started = (req as any)[kHandshakeStart];
    if (typeof started === 'number') this.counters!.handshakeDuration.observe((performance.now() - started) / 1000);
  }

  // ---- attaching to an http.Server ----

  /** Captures the engine's requests and upgrades on an http.Server. */
  attach(httpServer: HttpServer, options: AttachOptions = {}): this {
    const opts = options || {};
    const { path: base, addTrailingSlash: trailing, destroyUpgrade, destroyUpgradeTimeout, healthPath } = resolveAttachOptions(opts, this.opts);
    if (opts.handlePreflightRequest !== undefined) this.handlePreflight = opts.handlePreflightRequest;
    if (healthPath) this.eventLoopDelay.start();
    const matches = (req: IncomingMessage): boolean => {
      const url = req.url || '';
      if (!url.startsWith(base)) return false;
      if (!trailing) return true;
      const next = url.charCodeAt(base.length);
      // '/engine.io', '/engine.io/...', '/engine.io?...'
      return url.length === base.length || next === 47 || next === 63;
    };

    const others = httpServer.listeners('request').slice(0) as Array<(req: IncomingMessage, res: ServerResponse) => void>;
    httpServer.removeAllListeners('request');
    httpServer.on('close', () => this.close());
    httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (healthPath && isHealthRequest(req, healthPath)) {
        this.handleHealthRequest(req, res);
        return;
      }
      // handlePreflightRequest: false leaves OPTIONS requests to the application
      if (matches(req) && !(req.method === 'OPTIONS' && this.handlePreflight === false)) {
        if (debug.enabled) debug('intercepting request for path "%s"', base);
        this.handleRequest(req, res);
        return;
      }
      for (let i = 0; i < others.length; i++) others[i].call(httpServer, req, res);
    });
    httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (matches(req)) {
        this.handleUpgrade(req, socket, head);
        return;
      }
      if (!destroyUpgrade) return;
      // another handler may take it; if none wrote anything by then, it dies
      socket.on('error', ignoreSocketError);
      const timer = setTimeout(() => {
        const s = socket as Duplex & { bytesWritten?: number };
        if (!s.destroyed && (s.bytesWritten === undefined || s.bytesWritten <= 0)) s.destroy();
      }, destroyUpgradeTimeout);
      timer.unref();
    });
    return this;
  }
}
