// The query string of an Engine.IO request URL.
const PLUS = /\+/g;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20;
  return c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
}

/**
 * WHATWG percent-decoding, for the components decodeURIComponent refuses: the UTF-8 bytes of
 * the text with each valid `%XX` replaced by its byte, then decoded as UTF-8 (U+FFFD for
 * what is not UTF-8). A malformed escape stays as it is.
 */
function lenientDecode(s: string): string {
  const bytes = Buffer.from(s, 'utf8');
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x25 && i + 2 < bytes.length) {
      const hi = hexValue(bytes[i + 1]);
      const lo = hexValue(bytes[i + 2]);
      if (hi !== -1 && lo !== -1) {
        bytes[n++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    bytes[n++] = b;
  }
  return bytes.toString('utf8', 0, n);
}

/** One query component: `+` is a space, percent escapes decoded, malformed ones kept as is. */
function decodeComponent(s: string): string {
  if (s.indexOf('%') === -1 && s.indexOf('+') === -1) return s;
  const text = s.replace(PLUS, ' ');
  try {
    return decodeURIComponent(text);
  } catch {
    return lenientDecode(text);
  }
}

/**
 * The query object's constructor. Its prototype is an empty object without a prototype of its
 * own, so nothing is inherited: `__proto__=` or `constructor=` are plain keys (the `__proto__`
 * accessor lives on Object.prototype, which is not in the chain). Not Object.create(null), which
 * V8 makes a dictionary (~160 bytes, kept with the session's request), nor a null prototype set
 * on `{}` afterwards, which costs a map transition on every request: objects made by one
 * constructor share one map from the start.
 */
function Query(): void {}
Query.prototype = Object.create(null);

/**
 * The query of a request URL as URLSearchParams reads it (the last of repeated keys wins),
 * into an object that inherits nothing (see Query). A loop over the string: every request goes
 * through it, and most components need no decoding.
 */
export function parseQuery(url: string | undefined): Record<string, string> {
  const query = new (Query as unknown as new () => Record<string, string>)();
  const q = url === undefined ? -1 : url.indexOf('?');
  if (q === -1) return query;
  const s = url as string;
  const end = s.length;
  let start = q + 1;
  while (start < end) {
    let amp = s.indexOf('&', start);
    if (amp === -1) amp = end;
    if (amp > start) {
      const eq = s.indexOf('=', start);
      if (eq === -1 || eq > amp) query[decodeComponent(s.slice(start, amp))] = '';
      else query[decodeComponent(s.slice(start, eq))] = decodeComponent(s.slice(eq + 1, amp));
    }
    start = amp + 1;
  }
  return query;
}
