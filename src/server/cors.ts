// Cross-origin policy for the engine's HTTP requests and WebSocket upgrades, configured
// with the options of the npm `cors` package (implemented here: no runtime dependency).
import type { IncomingMessage, ServerResponse } from 'node:http';

export type StaticOrigin = boolean | string | RegExp | Array<boolean | string | RegExp>;
export type OriginCallback = (err: Error | null, origin?: StaticOrigin) => void;

export interface CorsOptions {
  origin?: StaticOrigin | ((origin: string | undefined, callback: OriginCallback) => void);
  methods?: string | string[];
  allowedHeaders?: string | string[];
  /** The `cors` package's alias of `allowedHeaders` (used when `allowedHeaders` is not set). */
  headers?: string | string[];
  exposedHeaders?: string | string[];
  credentials?: boolean;
  maxAge?: number | string;
  preflightContinue?: boolean;
  optionsSuccessStatus?: number;
}

/** The `cors` package's options delegate: the options for this request, or an error. */
export type CorsOptionsDelegate = (req: IncomingMessage, callback: (err: Error | null, options?: CorsOptions) => void) => void;

/** What the policy decided for one request. */
export const CorsVerdict = {
  /** headers set, carry on with the request */
  Continue: 0,
  /** a preflight that has been answered: nothing more to do */
  Answered: 1,
  /** the Origin is not on the allow-list: refuse the request */
  Refused: 2,
} as const;
export type CorsVerdict = (typeof CorsVerdict)[keyof typeof CorsVerdict];

const DEFAULT_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE';

/** A list option as its header value; '' (nothing to send) for an empty one. */
function join(value: string | string[] | undefined): string {
  if (value === undefined || value === null) return '';
  return Array.isArray(value) ? value.join(',') : String(value);
}

function matches(origin: string, allowed: StaticOrigin): boolean {
  if (Array.isArray(allowed)) {
    for (const a of allowed) if (matches(origin, a)) return true;
    return false;
  }
  if (typeof allowed === 'string') return origin === allowed;
  if (allowed instanceof RegExp) {
    allowed.lastIndex = 0;
    return allowed.test(origin);
  }
  return !!allowed;
}

function appendVary(res: ServerResponse, field: string): void {
  const current = res.getHeader('Vary');
  if (current === undefined) {
    res.setHeader('Vary', field);
    return;
  }
  const text = Array.isArray(current) ? current.join(', ') : String(current);
  if (text === '*' || text.toLowerCase().split(/\s*,\s*/).includes(field.toLowerCase())) return;
  res.setHeader('Vary', `${text}, ${field}`);
}

/** Whether `origin` turns CORS off altogether (the `cors` package: `false`, or no origin at all). */
function isDisabled(origin: CorsOptions['origin']): boolean {
  return origin === false || origin === null || origin === '';
}

/** Whether origins are checked against a list (or a function), rather than allowed to all. */
function restricts(origin: CorsOptions['origin']): boolean {
  return origin !== undefined && origin !== '*' && origin !== true && !isDisabled(origin);
}

/**
 * Which origin applies to this request: a string for Access-Control-Allow-Origin ('*' for
 * everyone), or false when it is not allowed (or there is no Origin to reflect).
 */
function resolveOrigin(opts: CorsOptions, req: IncomingMessage, done: (err: Error | null, origin: string | false) => void): void {
  const requestOrigin = req.headers.origin;
  const o = opts.origin;
  if (o === undefined || o === '*') return done(null, '*');
  if (typeof o === 'function') {
    let called = false;
    const cb: OriginCallback = (err, allowed) => {
      if (called) return;
      called = true;
      if (err) return done(err, false);
      if (allowed === undefined || allowed === null || allowed === false || allowed === '') return done(null, false);
      if (allowed === true) return done(null, requestOrigin || false);
      if (typeof allowed === 'string') return done(null, allowed);
      return done(null, requestOrigin !== undefined && matches(requestOrigin, allowed) ? requestOrigin : false);
    };
    try {
      o(requestOrigin, cb);
    } catch (err) {
      cb(err as Error);
    }
    return;
  }
  if (o === true) return done(null, requestOrigin || false);
  if (typeof o === 'string') return done(null, requestOrigin === undefined || requestOrigin === o ? o : false);
  return done(null, requestOrigin !== undefined && matches(requestOrigin, o) ? requestOrigin : false);
}

/**
 * The headers of the `cors` package, option by option. Deliberately stricter in one way:
 * with an allow-list (a string, RegExp, array or function `origin`), a request whose Origin is
 * not allowed is refused instead of served without the headers.
 */
export class CorsPolicy {
  private readonly delegate: CorsOptionsDelegate | null;
  private readonly opts: CorsOptions;

  constructor(opts: CorsOptions | CorsOptionsDelegate | true) {
    this.delegate = typeof opts === 'function' ? opts : null;
    this.opts = opts === true || typeof opts === 'function' ? {} : opts;
  }

  /** The options for this request (the delegate's, when `cors` is a function). */
  private options(req: IncomingMessage, done: (err: Error | null, opts: CorsOptions) => void): void {
    const delegate = this.delegate;
    if (delegate === null) return done(null, this.opts);
    let called = false;
    const cb = (err: Error | null, opts?: CorsOptions) => {
      if (called) return;
      called = true;
      done(err, opts || {});
    };
    try {
      delegate(req, cb);
    } catch (err) {
      cb(err as Error);
    }
  }

  /**
   * Applies the policy to an HTTP request. Calls `done` with the verdict: requests whose
   * Origin is not allowed by a restrictive policy are refused (when they carry an Origin).
   */
  handle(req: IncomingMessage, res: ServerResponse, done: (verdict: CorsVerdict) => void): void {
    this.options(req, (err, opts) => {
      if (err) return done(CorsVerdict.Refused);
      if (isDisabled(opts.origin)) return done(CorsVerdict.Continue);
      resolveOrigin(opts, req, (err, origin) => {
        if (err || (origin === false && req.headers.origin !== undefined && restricts(opts.origin))) {
          return done(CorsVerdict.Refused);
        }
        this.apply(opts, req, res, origin);
        if (req.method !== 'OPTIONS') return done(CorsVerdict.Continue);
        if (opts.preflightContinue) return done(CorsVerdict.Continue);
        res.statusCode = opts.optionsSuccessStatus ?? 204;
        // Safari waits for a body unless told there is none
        res.setHeader('Content-Length', '0');
        res.end();
        done(CorsVerdict.Answered);
      });
    });
  }

  /** The response headers for `origin`, as the `cors` package sets them. */
  private apply(opts: CorsOptions, req: IncomingMessage, res: ServerResponse, origin: string | false): void {
    if (origin !== false) res.setHeader('Access-Control-Allow-Origin', origin);
    // anything but the wildcard depends on the request's Origin, allowed or not
    if (opts.origin !== undefined && opts.origin !== '*') appendVary(res, 'Origin');
    if (opts.credentials === true) res.setHeader('Access-Control-Allow-Credentials', 'true');
    if (req.method === 'OPTIONS') {
      const methods = opts.methods === undefined ? DEFAULT_METHODS : join(opts.methods);
      if (methods) res.setHeader('Access-Control-Allow-Methods', methods);
      const configured = opts.allowedHeaders || opts.headers;
      let allowed: string;
      if (!configured) {
        // none configured: reflect what the browser asks for
        const requested = req.headers['access-control-request-headers'];
        allowed = requested ? String(requested) : '';
        appendVary(res, 'Access-Control-Request-Headers');
      } else {
        allowed = join(configured);
      }
      if (allowed) res.setHeader('Access-Control-Allow-Headers', allowed);
      const maxAge = opts.maxAge;
      if (typeof maxAge === 'number' || (typeof maxAge === 'string' && maxAge !== '')) res.setHeader('Access-Control-Max-Age', String(maxAge));
    }
    const exposed = join(opts.exposedHeaders);
    if (exposed) res.setHeader('Access-Control-Expose-Headers', exposed);
  }

  /** For a WebSocket upgrade: whether its Origin is allowed. */
  allowsUpgrade(req: IncomingMessage, done: (allowed: boolean) => void): void {
    if (req.headers.origin === undefined) return done(true);
    this.options(req, (err, opts) => {
      if (err) return done(false);
      if (!restricts(opts.origin)) return done(true);
      resolveOrigin(opts, req, (err, origin) => done(!err && origin !== false));
    });
  }
}
