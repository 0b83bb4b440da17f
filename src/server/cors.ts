// Cross-origin policy for the engine's HTTP requests and WebSocket upgrades, configured
// with the options of the npm `cors` package (implemented here: no runtime dependency).
import type { IncomingMessage, ServerResponse } from 'node:http';

export type StaticOrigin = boolean | string | RegExp | Array<boolean | string | RegExp>;
export type OriginCallback = (err: Error | null, origin?: StaticOrigin) => void;

export interface CorsOptions {
  origin?: StaticOrigin | ((origin: string | undefined, callback: OriginCallback) => void);
  methods?: string | string[];
  allowedHeaders?: string | string[];
  exposedHeaders?: string | string[];
  credentials?: boolean;
  maxAge?: number;
  preflightContinue?: boolean;
  optionsSuccessStatus?: number;
}

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

function join(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(',') : value;
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

export class CorsPolicy {
  private readonly opts: CorsOptions;

  constructor(opts: CorsOptions | true) {
    this.opts = opts === true ? {} : opts;
  }

  /** Whether origins are checked against a list (or a function), rather than allowed to all. */
  get restrictsOrigins(): boolean {
    const o = this.opts.origin;
    return o !== undefined && o !== '*' && o !== true;
  }

  /**
   * Resolves which origin value applies to this request: a string to echo in
   * Access-Control-Allow-Origin, '*' for everyone, or false when the origin is not allowed.
   */
  resolveOrigin(req: IncomingMessage, done: (err: Error | null, origin: string | false) => void): void {
    const requestOrigin = req.headers.origin;
    const o = this.opts.origin;
    if (o === undefined || o === '*') return done(null, '*');
    if (typeof o === 'function') {
      let called = false;
      const cb: OriginCallback = (err, allowed) => {
        if (called) return;
        called = true;
        if (err) return done(err, false);
        if (allowed === undefined || allowed === false) return done(null, false);
        if (allowed === true) return done(null, requestOrigin || false);
        if (typeof allowed === 'string') return done(null, allowed === '*' ? '*' : allowed);
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
    if (o === false) return done(null, false);
    if (typeof o === 'string') return done(null, requestOrigin === undefined || requestOrigin === o ? o : false);
    return done(null, requestOrigin !== undefined && matches(requestOrigin, o) ? requestOrigin : false);
  }

  /**
   * Applies the policy to an HTTP request. Calls `done` with the verdict: requests whose
   * Origin is not allowed by a restrictive policy are refused (when they carry an Origin).
   */
  handle(req: IncomingMessage, res: ServerResponse, done: (verdict: CorsVerdict) => void): void {
    this.resolveOrigin(req, (err, origin) => {
      if (err || (origin === false && req.headers.origin !== undefined && this.restrictsOrigins)) {
        return done(CorsVerdict.Refused);
      }
      const opts = this.opts;
      if (origin !== false) {
        res.setHeader('Access-Control-Allow-Origin', origin);
        if (origin !== '*') appendVary(res, 'Origin');
        if (opts.credentials === true) res.setHeader('Access-Control-Allow-Credentials', 'true');
      }
      if (req.method === 'OPTIONS') {
        if (origin !== false) {
          res.setHeader('Access-Control-Allow-Methods', join(opts.methods) ?? 'GET,HEAD,PUT,PATCH,POST,DELETE');
          let allowed = join(opts.allowedHeaders);
          if (allowed === undefined) {
            const requested = req.headers['access-control-request-headers'];
            if (requested) allowed = String(requested);
            appendVary(res, 'Access-Control-Request-Headers');
          }
          if (allowed) res.setHeader('Access-Control-Allow-Headers', allowed);
          if (typeof opts.maxAge === 'number') res.setHeader('Access-Control-Max-Age', String(opts.maxAge));
          const exposed = join(opts.exposedHeaders);
          if (exposed) res.setHeader('Access-Control-Expose-Headers', exposed);
        }
        if (opts.preflightContinue) return done(CorsVerdict.Continue);
        res.statusCode = opts.optionsSuccessStatus ?? 204;
        res.setHeader('Content-Length', '0');
        res.end();
        return done(CorsVerdict.Answered);
      }
      if (origin !== false) {
        const exposed = join(opts.exposedHeaders);
        if (exposed) res.setHeader('Access-Control-Expose-Headers', exposed);
      }
      done(CorsVerdict.Continue);
    });
  }

  /** For a WebSocket upgrade: whether its Origin is allowed. */
  allowsUpgrade(req: IncomingMessage, done: (allowed: boolean) => void): void {
    if (!this.restrictsOrigins || req.headers.origin === undefined) return done(true);
    this.resolveOrigin(req, (err, origin) => done(!err && origin !== false));
  }
}
