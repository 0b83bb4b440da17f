// What every client transport shares: the state machine (opening → open → paused/closed), the
// URI it talks to, and the codec of the protocol revision in use.

import type { BinaryType, Packet } from '../parser/packet';
import { codec, Codec } from '../parser/codec';
import { Emitter } from './emitter';
import type { TransportEvents } from './events';
import { encodeQuery, Query, timestamp } from './util';

/** The options a transport is created with: the socket's options plus where and what to open. */
export interface TransportOptions {
  [key: string]: any;
  query: Query;
  hostname: string;
  secure: boolean;
  port: string;
  path: string;
  protocol: 3 | 4;
  socket: { binaryType: BinaryType };
}

/** An error of a transport: `message` is the reason, with what the platform said about it. */
export class TransportError extends Error {
  readonly type = 'TransportError';
  constructor(reason: string, readonly description?: unknown, readonly context?: unknown) {
    super(reason);
  }
}

export type TransportState = 'opening' | 'open' | 'pausing' | 'paused' | 'closed' | '';

export abstract class Transport extends Emitter<TransportEvents> {
  abstract readonly name: string;
  readyState: TransportState = '';
  /** False while a write is in flight; the socket only flushes into a writable transport. */
  writable = false;
  readonly query: Query;
  readonly opts: TransportOptions;
  readonly supportsBinary: boolean;
  /** The codec of the socket's protocol revision. */
  protected readonly _codec: Codec;

  constructor(opts: TransportOptions) {
    super();
    this.opts = opts;
    this.query = opts.query;
    this.supportsBinary = !opts.forceBase64;
    this._codec = codec(opts.protocol);
  }

  protected abstract _doOpen(): void;
  protected abstract _doClose(): void;
  protected abstract _write(packets: Packet[]): void;

  open(): this {
    this.readyState = 'opening';
    this._doOpen();
    return this;
  }

  close(): this {
    if (this.readyState === 'opening' || this.readyState === 'open') {
      this._doClose();
      this._onClose();
    }
    return this;
  }

  send(packets: Packet[]): void {
    // Not open: the transport was closed under us (e.g. on page unload); the packets are dropped.
    if (this.readyState === 'open') this._write(packets);
  }

  /** Waits until nothing is in flight, then calls `onPause` (only polling has anything to wait for). */
  pause(onPause: () => void): void {
    onPause();
  }

  protected _onOpen(): void {
    this.readyState = 'open';
    this.writable = true;
    this.emit('open');
  }

  protected _onError(reason: string, description?: unknown, context?: unknown): void {
    this.emit('error', new TransportError(reason, description, context));
  }

  protected _onClose(details?: unknown): void {
    this.readyState = 'closed';
    this.emit('close', details);
  }

  /** The URI of the next request (polling) or of the connection (WebSocket). */
  protected _uri(): string {
    const { hostname, port, secure, timestampRequests } = this.opts;
    const query = this.query;
    const polling = this.name === 'polling';
    // Polling always cache-busts unless told not to (some proxies cache GETs); WebSocket on request.
    if (polling ? timestampRequests !== false : timestampRequests) query[this.opts.timestampParam] = timestamp();
    if (!this.supportsBinary && !(polling && query.sid)) query.b64 = 1;
    const host = hostname.indexOf(':') < 0 ? hostname : '[' + hostname + ']';
    // The default port of the scheme is left out, as browsers and the official client do.
    const portPart = port && Number(port) !== (secure ? 443 : 80) ? ':' + port : '';
    const search = encodeQuery(query);
    return (polling ? 'http' : 'ws') + (secure ? 's' : '') + '://' + host + portPart + this.opts.path + (search ? '?' + search : '');
  }
}

export type TransportClass = new (opts: TransportOptions) => Transport;
