// The server's options, their defaults, and the settings handed from them to each transport:
// the one place a default is written. The server resolves them once (resolveOptions); the
// transports receive their part in their constructor and never read the options themselves.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ZlibOptions } from 'node:zlib';
import type { CorsOptions, CorsOptionsDelegate } from './cors';
import type { CookieOptions } from './cookie';
import type { WsEngine } from './websocket-server';
import type { TransportCounters } from './metrics';
import type { ClusterSeam } from './cluster-seam';

export type AllowRequest = (req: IncomingMessage, fn: (err: string | null | undefined, success: boolean) => void) => void;

/** The transports a server speaks. */
export type TransportName = 'polling' | 'websocket';

export interface HttpCompressionOptions extends ZlibOptions {
  threshold?: number;
}

export interface ServerOptions {
  pingTimeout?: number;
  pingInterval?: number;
  upgradeTimeout?: number;
  maxHttpBufferSize?: number;
  allowRequest?: AllowRequest;
  transports?: TransportName[];
  allowUpgrades?: boolean;
  perMessageDeflate?: boolean | Record<string, unknown>;
  httpCompression?: boolean | HttpCompressionOptions;
  cookie?: string | boolean | CookieOptions;
  cookiePath?: string | boolean;
  cookieHttpOnly?: boolean;
  wsEngine?: WsEngine;
  initialPacket?: unknown;
  allowEIO3?: boolean;
  cors?: CorsOptions | CorsOptionsDelegate | boolean;
  /** Whether JSONP polling (`?j=`) is accepted (default true). */
  jsonp?: boolean;
  /** Bytes a session may have waiting for a client that does not read, before it is closed. */
  maxBufferedAmount?: number;
  /** Whether the counters of server.metrics() are kept (default true; false skips all counting). */
  metrics?: boolean;
  /** Many nodes: the layer consulted for sessions this node does not hold (`redisCluster()` of engine.io-ts/cluster). */
  cluster?: ClusterSeam;
}

export interface AttachOptions {
  path?: string;
  destroyUpgrade?: boolean;
  destroyUpgradeTimeout?: number;
  handlePreflightRequest?: boolean | ((req: IncomingMessage, res: ServerResponse) => void);
  addTrailingSlash?: boolean;
  /** A path (e.g. '/engine.io/health') answered with server.health() as JSON: 200 ready, 503 not. */
  healthPath?: string;
}

/** Options after defaults (what `server.opts` holds). */
export interface ResolvedOptions extends Omit<ServerOptions, 'transports'>, AttachOptions {
  pingTimeout: number;
  pingInterval: number;
  upgradeTimeout: number;
  maxHttpBufferSize: number;
  transports: string[];
  allowUpgrades: boolean;
  perMessageDeflate: false | Record<string, unknown>;
  httpCompression: false | HttpCompressionOptions;
  allowEIO3: boolean;
  jsonp: boolean;
  maxBufferedAmount: number;
}

/** Bytes under which neither an HTTP answer nor a WebSocket message is compressed. */
export const DEFAULT_COMPRESSION_THRESHOLD = 1024;
/** The largest message or POST body a client may send (bytes). */
export const DEFAULT_MAX_HTTP_BUFFER_SIZE = 1e6;
/** The write-buffer bytes a session may hold for a client that does not read. */
export const DEFAULT_MAX_BUFFERED_AMOUNT = 10 * 1024 * 1024;

/** The options with every default filled in (a copy: the caller's object is not kept). */
export function resolveOptions(opts: ServerOptions & AttachOptions): ResolvedOptions {
  const o = opts || {};
  return {
    ...o,
    pingTimeout: o.pingTimeout ?? 5000,
    pingInterval: o.pingInterval ?? 25000,
    upgradeTimeout: o.upgradeTimeout ?? 10000,
    maxHttpBufferSize: o.maxHttpBufferSize ?? DEFAULT_MAX_HTTP_BUFFER_SIZE,
    transports: Array.isArray(o.transports) ? o.transports.slice() : ['polling', 'websocket'],
    allowUpgrades: o.allowUpgrades !== false,
    perMessageDeflate:
      o.perMessageDeflate === false
        ? false
        : { threshold: DEFAULT_COMPRESSION_THRESHOLD, ...(typeof o.perMessageDeflate === 'object' ? o.perMessageDeflate : {}) },
    httpCompression:
      o.httpCompression === false
        ? false
        : { threshold: DEFAULT_COMPRESSION_THRESHOLD, ...(typeof o.httpCompression === 'object' ? o.httpCompression : {}) },
    allowEIO3: o.allowEIO3 !== false,
    jsonp: o.jsonp !== false,
    maxBufferedAmount: o.maxBufferedAmount ?? DEFAULT_MAX_BUFFERED_AMOUNT,
  };
}

/** What attach() works with: its own options over the server's, with the defaults. */
export interface ResolvedAttachOptions {
  /** The engine's path without a trailing slash. */
  path: string;
  addTrailingSlash: boolean;
  destroyUpgrade: boolean;
  destroyUpgradeTimeout: number;
  healthPath: string | undefined;
}

export function resolveAttachOptions(attach: AttachOptions, server: ResolvedOptions): ResolvedAttachOptions {
  const opts = attach || {};
  return {
    path: (opts.path || server.path || '/engine.io').replace(/\/$/, ''),
    addTrailingSlash: (opts.addTrailingSlash ?? server.addTrailingSlash) !== false,
    destroyUpgrade: (opts.destroyUpgrade ?? server.destroyUpgrade) !== false,
    destroyUpgradeTimeout: opts.destroyUpgradeTimeout ?? server.destroyUpgradeTimeout ?? 1000,
    healthPath: opts.healthPath ?? server.healthPath,
  };
}

// ---- what each transport is given (one object per server and transport kind, shared) ----

export interface TransportSettings {
  /** The largest message (WebSocket) or POST body (polling) accepted, in bytes. */
  readonly maxHttpBufferSize: number;
  /** Where the transport counts its traffic (null: not counted). */
  readonly counters: TransportCounters | null;
}

/** Called with every polling answer's headers before they are written (may add to them). */
export type PollingHeadersHook = (sid: string | undefined, headers: Record<string, string | number | string[]>, req: IncomingMessage) => void;

export interface PollingSettings extends TransportSettings {
  /** zlib options of the answers, with the size under which they are not compressed; false: never. */
  readonly httpCompression: HttpCompressionOptions | false;
  /** Bytes under which an answer is not compressed (from httpCompression.threshold). */
  readonly compressionThreshold: number;
  /** The server's part in the answers' headers (cookie, its 'headers' events), before the transport's own 'headers' event. */
  readonly onHeaders: PollingHeadersHook | null;
}

export interface WebSocketSettings extends TransportSettings {
  /** Whether permessage-deflate is enabled server-side. */
  readonly perMessageDeflate: boolean;
  /** Messages smaller than this many bytes are never compressed. */
  readonly deflateThreshold: number;
  /** Bytes buffered for the peer beyond which the reader is deemed too slow (0: no limit). */
  readonly maxBufferedAmount: number;
}

/** permessage-deflate's threshold: a finite number, else the default. */
function deflateThresholdOf(opts: { threshold?: unknown } | false): number {
  if (opts === false) return DEFAULT_COMPRESSION_THRESHOLD;
  const n = Number(opts.threshold);
  return Number.isFinite(n) ? n : DEFAULT_COMPRESSION_THRESHOLD;
}

export function pollingSettings(opts: ResolvedOptions, counters: TransportCounters | null, onHeaders: PollingHeadersHook | null): PollingSettings {
  return {
    onHeaders,
    maxHttpBufferSize: opts.maxHttpBufferSize,
    counters,
    httpCompression: opts.httpCompression,
    // compared as given (as engine.io does): only a missing one is the default
    compressionThreshold: opts.httpCompression === false ? DEFAULT_COMPRESSION_THRESHOLD : (opts.httpCompression.threshold ?? DEFAULT_COMPRESSION_THRESHOLD),
  };
}

export function webSocketSettings(opts: ResolvedOptions, counters: TransportCounters | null): WebSocketSettings {
  return {
    maxHttpBufferSize: opts.maxHttpBufferSize,
    counters,
    perMessageDeflate: opts.perMessageDeflate !== false,
    deflateThreshold: deflateThresholdOf(opts.perMessageDeflate),
    maxBufferedAmount: opts.maxBufferedAmount,
  };
}

/** What a transport built without the server's settings (`new Polling(req)`) uses. */
export const DEFAULT_TRANSPORT_SETTINGS: TransportSettings = Object.freeze({
  maxHttpBufferSize: DEFAULT_MAX_HTTP_BUFFER_SIZE,
  counters: null,
});

export const DEFAULT_POLLING_SETTINGS: PollingSettings = Object.freeze({
  maxHttpBufferSize: DEFAULT_MAX_HTTP_BUFFER_SIZE,
  counters: null,
  httpCompression: Object.freeze({ threshold: DEFAULT_COMPRESSION_THRESHOLD }),
  compressionThreshold: DEFAULT_COMPRESSION_THRESHOLD,
  onHeaders: null,
});

export const DEFAULT_WEBSOCKET_SETTINGS: WebSocketSettings = Object.freeze({
  maxHttpBufferSize: DEFAULT_MAX_HTTP_BUFFER_SIZE,
  counters: null,
  perMessageDeflate: false,
  deflateThreshold: DEFAULT_COMPRESSION_THRESHOLD,
  maxBufferedAmount: 0,
});
