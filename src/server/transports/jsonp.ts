// JSONP polling (protocol v3 clients with `forceJSONP`, or no XHR): GET answers are a script
// calling `___eio[<j>]("<payload>")`; POST bodies are forms with the payload in field `d`.
import * as querystring from 'node:querystring';
import { Polling } from './polling';
import type { EngineRequest } from '../transport';
import type { PollingSettings } from '../options';

/** The JSONP callback index: digits only, anything else is refused by the server. */
export function isValidJsonpIndex(j: unknown): boolean {
  return typeof j === 'string' && /^[0-9]{1,16}$/.test(j);
}

// The official v3 client escapes the form value: a newline becomes `\n` (backslash, n) and a
// literal backslash-n becomes `\\n`. Undo exactly that.
const ESCAPED_NEWLINE = /(\\)?\\n/g;
const DOUBLE_ESCAPED_NEWLINE = /\\\\n/g;

function unescapeNewline(match: string, slash: string | undefined): string {
  return slash ? match : '\n';
}

export function decodeJsonpBody(body: string): string | null {
  const d = querystring.parse(body).d;
  const value = Array.isArray(d) ? d[d.length - 1] : d;
  if (typeof value !== 'string') return null;
  return value.replace(ESCAPED_NEWLINE, unescapeNewline).replace(DOUBLE_ESCAPED_NEWLINE, '\\n');
}

/** A JSON string literal that is also safe inside an HTML <script> and in old JS engines. */
export function scriptStringLiteral(data: string): string {
  return JSON.stringify(data)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e');
}

export class JSONP extends Polling {
  private readonly head: string;

  constructor(req: EngineRequest, settings?: PollingSettings) {
    super(req, settings);
    // the server refuses any other `j`; the filter is a second line of defence
    // a script cannot carry raw binary: binary packets travel as base64
    this.supportsBinary = false;
    this.head = '___eio[' + String(req._query.j || '').replace(/[^0-9]/g, '') + '](';
  }


  protected override onData(data: string | Buffer): void {
    const payload = decodeJsonpBody(typeof data === 'string' ? data : data.toString('utf8'));
    if (payload !== null) super.onData(payload);
  }

  protected override contentType(): string {
    return 'text/javascript; charset=UTF-8';
  }

  protected override wrap(data: string | Buffer): string {
    const text = typeof data === 'string' ? data : data.toString('utf8');
    return this.head + scriptStringLiteral(text) + ');';
  }
}
