// Node only: the cookies of one client socket, kept when `withCredentials` is set, so that
// sticky sessions behind a load balancer work outside browsers too (browsers keep their own).

import type { TransportOptions } from './transport';

export class CookieJar {
  private _cookies = new Map<string, string>();

  parse(setCookie: string[] | undefined): void {
    if (!setCookie) return;
    for (const line of setCookie) {
      const pair = line.split(';', 1)[0];
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      // An expiry in the past (or Max-Age=0) is how a server deletes a cookie.
      if (/;\s*max-age=0/i.test(line) || /;\s*expires=[^;]*19[0-6]\d/i.test(line)) this._cookies.delete(name);
      else this._cookies.set(name, value);
    }
  }

  header(): string {
    let out = '';
    for (const [name, value] of this._cookies) out += (out ? '; ' : '') + name + '=' + value;
    return out;
  }
}

/** The jar shared by all transports of the socket, or undefined without `withCredentials`. */
export function cookieJarOf(opts: TransportOptions): CookieJar | undefined {
  if (!opts.withCredentials) return undefined;
  const socket = opts.socket as { cookieJar?: CookieJar };
  return socket.cookieJar || (socket.cookieJar = new CookieJar());
}
