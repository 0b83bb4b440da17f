// The `res` that Express-style middlewares get for a WebSocket upgrade request. There is no
// http.ServerResponse for an upgrade (Node hands over the raw socket), yet middlewares such as
// express-session and helmet set headers with res.setHeader() and hook res.writeHead() (the
// `on-headers` package) to add theirs at the last moment. This stand-in keeps the headers the
// way a ServerResponse does (case-insensitive names, the name as first set) and has its head
// "written" when the 101 Switching Protocols goes out: the server calls writeHead(101) from the
// WebSocket server's 'headers' hook, then copies headersForHandshake() into the 101.
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import debugModule from 'debug';

const debug = debugModule('engine');

type HeaderValue = number | string | string[];

export class UpgradeResponse extends EventEmitter {
  statusCode = 200;
  statusMessage = '';
  headersSent = false;
  writableEnded = false;
  finished = false;
  sendDate = false;
  /** lowercase name -> [name as first set, value] */
  private readonly fields = new Map<string, [string, HeaderValue]>();

  constructor(
    readonly req: IncomingMessage,
    readonly socket: Duplex,
  ) {
    super();
    // some middlewares (pino-http, on-finished) wait for the response's 'close'
    socket.once('close', () => this.emit('close'));
  }

  get connection(): Duplex {
    return this.socket;
  }

  get writable(): boolean {
    return !this.writableEnded && !this.socket.destroyed;
  }

  setHeader(name: string, value: HeaderValue): this {
    if (this.headersSent) {
      // a ServerResponse would throw; the 101 is gone, so the header cannot be sent anyway
      if (debug.enabled) debug('header %s set after the upgrade response was written: ignored', name);
      return this;
    }
    const key = String(name).toLowerCase();
    const current = this.fields.get(key);
    this.fields.set(key, [current ? current[0] : String(name), Array.isArray(value) ? value.slice() : value]);
    return this;
  }

  appendHeader(name: string, value: HeaderValue): this {
    const current = this.fields.get(String(name).toLowerCase());
    if (current === undefined) return this.setHeader(name, value);
    const before = Array.isArray(current[1]) ? current[1] : [String(current[1])];
    const added = Array.isArray(value) ? value : [String(value)];
    return this.setHeader(name, before.concat(added));
  }

  getHeader(name: string): HeaderValue | undefined {
    const field = this.fields.get(String(name).toLowerCase());
    return field === undefined ? undefined : field[1];
  }

  /** The headers by lowercase name, as ServerResponse#getHeaders(). */
  getHeaders(): Record<string, HeaderValue> {
    const out: Record<string, HeaderValue> = Object.create(null);
    for (const [key, [, value]] of this.fields) out[key] = value;
    return out;
  }

  getHeaderNames(): string[] {
    return [...this.fields.keys()];
  }

  hasHeader(name: string): boolean {
    return this.fields.has(String(name).toLowerCase());
  }

  removeHeader(name: string): void {
    if (this.headersSent) return;
    this.fields.delete(String(name).toLowerCase());
  }

  /**
   * Called by the server when the 101 goes out (through any wrapper a middleware installed).
   * Takes headers given as an object or a flat/nested array, like ServerResponse#writeHead.
   */
  writeHead(statusCode?: number, reason?: unknown, headers?: unknown): this {
    if (this.headersSent) return this;
    if (typeof statusCode === 'number') this.statusCode = statusCode;
    if (typeof reason === 'string') this.statusMessage = reason;
    else headers = reason;
    if (Array.isArray(headers)) {
      if (headers.length > 0 && Array.isArray(headers[0])) {
        for (const [k, v] of headers as Array<[string, HeaderValue]>) this.appendHeader(k, v);
      } else {
        for (let i = 0; i + 1 < headers.length; i += 2) this.appendHeader(String(headers[i]), headers[i + 1] as HeaderValue);
      }
    } else if (headers !== null && typeof headers === 'object') {
      for (const k of Object.keys(headers)) this.setHeader(k, (headers as Record<string, HeaderValue>)[k]);
    }
    this.headersSent = true;
    return this;
  }

  flushHeaders(): void {}

  /** A body cannot travel before a 101: writes are dropped. */
  write(): boolean {
    return true;
  }

  /** Ending the response before the upgrade refuses it: the connection is closed. */
  end(): this {
    if (this.writableEnded) return this;
    this.writableEnded = true;
    this.finished = true;
    this.emit('finish');
    this.socket.destroy();
    return this;
  }

  /** The headers to add to the 101, by the name they were set with. */
  headersForHandshake(): Record<string, HeaderValue> {
    const out: Record<string, HeaderValue> = {};
    for (const [name, value] of this.fields.values()) out[name] = value;
    return out;
  }
}
