// The session-id cookie set on the handshake response. Two ways to configure it: the
// Engine.IO README's `cookie` (name or false) + `cookiePath` + `cookieHttpOnly`, sent with
// SameSite=Strict as engine.io 3.6 does; or engine.io 6's `cookie: true` / object form
// `{ name, path, httpOnly, sameSite, secure, maxAge, domain, ... }`, SameSite=Lax unless told.

export interface CookieOptions {
  name?: string;
  path?: string | false;
  httpOnly?: boolean;
  sameSite?: boolean | 'lax' | 'strict' | 'none' | 'Lax' | 'Strict' | 'None';
  secure?: boolean;
  /** seconds */
  maxAge?: number;
  domain?: string;
  expires?: Date;
  partitioned?: boolean;
  priority?: 'low' | 'medium' | 'high';
}

// RFC 6265 token (cookie name) and the characters allowed in attribute values
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const ATTRIBUTE_VALUE = /^[\u0021-\u003A\u003C-\u007E]*$/;

/** Normalised cookie settings, or null when no cookie is to be sent. */
export function resolveCookie(
  cookie: string | boolean | CookieOptions | undefined,
  cookiePath: string | boolean | undefined,
  cookieHttpOnly: boolean | undefined,
): CookieOptions | null {
  if (cookie === false || cookie === null) return null;
  if (cookie === true || typeof cookie === 'object') {
    // engine.io 6's form: its defaults, SameSite=Lax
    return { name: 'io', path: '/', httpOnly: true, sameSite: 'lax', ...(cookie === true ? {} : cookie) };
  }
  const name = typeof cookie === 'string' ? cookie : 'io';
  const path = cookiePath === undefined || cookiePath === true ? '/' : cookiePath === false ? false : cookiePath;
  // cookieHttpOnly has no effect when the path is disabled (README)
  const httpOnly = path !== false && cookieHttpOnly !== false;
  // the README's form, as engine.io 3.6 sends it: `io=<sid>; Path=/; HttpOnly; SameSite=Strict`
  return { name, path, httpOnly, sameSite: 'strict' };
}

/** `name=value; Path=...; ...` for a Set-Cookie header. */
export function serializeCookie(opts: CookieOptions, value: string): string {
  const name = opts.name || 'io';
  if (!TOKEN.test(name)) throw new TypeError('invalid cookie name');
  let out = `${name}=${encodeURIComponent(value)}`;
  if (typeof opts.maxAge === 'number' && Number.isFinite(opts.maxAge)) out += `; Max-Age=${Math.floor(opts.maxAge)}`;
  if (opts.domain) {
    if (!ATTRIBUTE_VALUE.test(opts.domain)) throw new TypeError('invalid cookie domain');
    out += `; Domain=${opts.domain}`;
  }
  if (opts.path) {
    if (!ATTRIBUTE_VALUE.test(opts.path)) throw new TypeError('invalid cookie path');
    out += `; Path=${opts.path}`;
  }
  if (opts.expires instanceof Date) out += `; Expires=${opts.expires.toUTCString()}`;
  if (opts.httpOnly) out += '; HttpOnly';
  if (opts.secure) out += '; Secure';
  if (opts.partitioned) out += '; Partitioned';
  if (opts.priority) out += `; Priority=${opts.priority[0].toUpperCase()}${opts.priority.slice(1).toLowerCase()}`;
  if (opts.sameSite) {
    const s = opts.sameSite === true ? 'strict' : String(opts.sameSite).toLowerCase();
    out += `; SameSite=${s === 'strict' ? 'Strict' : s === 'none' ? 'None' : 'Lax'}`;
  }
  return out;
}
