// HTTP long-polling, independent of how requests are made (XHR in browsers, node:http in Node):
// one GET always pending to receive, one POST at a time to send.

import type { Packet } from '../parser/packet';
import { debug } from './debug';
import { Transport } from './transport';

// In the client's browser bundle only (src/platform.d.ts): a constant of this file, so that Node
// tests a context slot rather than looking up an undeclared global on every call.
const BROWSER = typeof __BROWSER__ !== 'undefined';

/** Called once per request: an error, or the response body (bytes only for a binary body). */
export type RequestCallback = (err: unknown, body?: string | Uint8Array, context?: unknown) => void;

export abstract class Polling extends Transport {
  // Fields left unset where undefined does (no constructor in the browser bundle).
  get name(): string {
    return 'polling';
  }
  private _polling?: boolean;
  /** Aborts the pending GET: used when the transport closes. */
  private _abortPoll?: () => void;
  /** close() came during the handshake: close the session as soon as its id is known. */
  private _closeOnOpen?: boolean;

  /**
   * Makes one request: a GET when `body` is undefined, else a POST of `body`. Returns a function
   * that aborts it. Calls `callback` once, unless aborted.
   */
  protected abstract _request(body: string | Uint8Array | undefined, callback: RequestCallback): () => void;

  protected _doOpen(): void {
    this._poll();
  }

  override pause(onPause: () => void): void {
    this.readyState = 'pausing';
    // Wait for the pending GET and the POST in flight (the server ends the GET with a noop).
    let waiting = 0;
    const done = () => {
      if (--waiting < 1) {
        if (!BROWSER && debug.enabled) debug('polling paused');
        this.readyState = 'paused';
        onPause();
      }
    };
    if (this._polling) {
      waiting++;
      this.once('pollComplete', done);
    }
    if (!this.writable) {
      waiting++;
      this.once('drain', done);
    }
    // Nothing in flight: paused at once.
    if (!waiting) done();
  }

  private _poll(): void {
    this._polling = true;
    this._abortPoll = this._request(undefined, (err, body, context) => {
      this._abortPoll = undefined;
      if (err !== null) this._onError('xhr poll error', err, context);
      else this._onPayload(body!);
    });
    this.emit('poll');
  }

  private _onPayload(data: string | Uint8Array): void {
    const packets = this._codec.decodePayload(data, { binaryType: this.opts.socket.binaryType });
    for (let i = 0; i < packets.length; i++) {
      const packet = packets[i];
      // The first packet of the first response is the handshake: the transport is now open.
      if (packet.type === 'open') {
        if (this.readyState === 'opening') this._onOpen();
        // Closed while the handshake was in flight: end the session the server just opened.
        else if (this._closeOnOpen) {
          this.query.sid = JSON.parse(packet.data as string).sid;
          return this._write([{ type: 'close' }]);
        }
      }
      if (packet.type === 'close') {
        this._onClose({ description: 'transport closed by the server' });
        return;
      }
      this.emit('packet', packet);
    }
    if (this.readyState === 'closed') return;
    this._polling = false;
    this.emit('pollComplete');
    if (this.readyState === 'open') this._poll();
  }

  protected _doClose(): void {
    // Closing during the handshake: say goodbye once there is a session to close.
    if (this.readyState !== 'open') this._closeOnOpen = true;
    else {
      this._write([{ type: 'close' }], () => {
        // The server has read the close packet: the pending GET has nothing more to bring.
        if (this._abortPoll) this._abortPoll();
      });
    }
  }

  protected _write(packets: Packet[], afterWrite?: () => void): void {
    this.writable = false;
    const body = this._codec.encodePayload(packets, this.supportsBinary);
    this._request(body, (err, _body, context) => {
      if (afterWrite) afterWrite();
      if (err !== null) return this._onError('xhr post error', err, context);
      this.writable = true;
      this.emit('drain');
    });
  }
}
