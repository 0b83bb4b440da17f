// Small helpers shared by the socket and the transports (browser-safe).

export type Query = Record<string, string | number | boolean>;

/** `a=1&b=2` from an object, values URI-encoded. */
export function encodeQuery(query: Query): string {
  let out = '';
  for (const key in query) {
    if (out) out += '&';
    out += encodeURIComponent(key) + '=' + encodeURIComponent(query[key]);
  }
  return out;
}

/** The object form of `a=1&b=2`. */
export function decodeQuery(text: string): Query {
  const query: Query = {};
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    query[decodeURIComponent(key)] = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1));
  }
  return query;
}

let counter = 0;

/** A cache-busting value for the timestamp query parameter: unique within this page/process. */
export function timestamp(): string {
  return Date.now().toString(36) + (counter++).toString(36);
}

export interface ParsedUri {
  protocol: string;
  host: string;
  port: string;
  query: string;
}

/**
 * Splits `scheme://host:port/path?query` (scheme, port, path and query optional; `//host` and
 * bare `host:port` too). IPv6 hosts are returned without brackets. The path is ignored, as in the
 * official client: the Engine.IO path is the `path` option.
 */
export function parseUri(uri: string): ParsedUri {
  const m = /^(?:([a-z][a-z0-9+.-]*):)?(?:\/\/)?(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d*))?[^?#]*(?:\?([^#]*))?/i.exec(uri)!;
  let protocol = m[1] || '';
  let host = m[2];
  let port = m[3] || '';
  // "localhost:3000" reads as scheme "localhost": it is a host and a port.
  if (protocol && !/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) {
    port = host;
    host = protocol;
    protocol = '';
  }
  if (host[0] === '[') host = host.slice(1, -1);
  return { protocol: protocol.toLowerCase(), host, port, query: m[4] || '' };
}

/** Runs `fn` after the current task's synchronous work, without Node's process.nextTick. */
export function defer(fn: () => void): void {
  Promise.resolve().then(fn);
}
