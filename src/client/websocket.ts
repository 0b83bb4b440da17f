// The WebSocket transport over any WHATWG-style WebSocket (the browser's, or `ws` in Node via
// websocket-node.ts): one Engine.IO packet per frame.

import type { Packet } from '../parser/packet';
import { Transport } from './transport';
import { defer } from './util';

/** The part of the WebSocket interface the transport uses (browser WebSocket and `ws` both fit). */
export interface WebSocketLike {
  binaryType: string;
  onopen: ((ev: any) => void) | null;
  onclose: ((ev: any) => void) | null;
  onmessage: ((ev: any) => void) | null;
  onerror: ((ev: any) => void) | null;
  send(data: any, opts?: any): void;
  close(): void;
}

export class WS extends Transport {
  get name(): string {
    return 'websocket';
  }
  protected _ws?: WebSocketLike | null;

  /**
   * The platform's WebSocket, handing out binary frames as ArrayBuffers (the codec converts to
   * the socket's binaryType); overridden in Node.
   */
  protected _createSocket(uri: string, protocols: string | string[] | undefined): WebSocketLike {
    const ws = new WebSocket(uri, protocols) as unknown as WebSocketLike;
    ws.binaryType = 'arraybuffer';
    return ws;
  }

  /** Sends one encoded packet; overridden in Node to pass per-message compression. */
  protected _doWrite(_packet: Packet, data: string | Uint8Array): void {
    this._ws!.send(data);
  }

  protected _doOpen(): void {
    let ws: WebSocketLike;
    try {
      ws = this._ws = this._createSocket(this._uri(), this.opts.protocols);
    } catch (err) {
      // A malformed URI or a refused protocol list: the socket reports it as a transport error.
      this.emit('error', err as Error);
      return;
    }
    ws.onopen = () => this._onOpen();
    ws.onclose = (ev) => this._onClose({ description: 'websocket connection closed', context: ev });
    ws.onmessage = (ev) => this.emit('packet', this._codec.decodePacket(ev.data, this.opts.socket.binaryType));
    ws.onerror = (ev) => this._onError('websocket error', ev);
  }

  protected _write(packets: Packet[]): void {
    this.writable = false;
    for (let i = 0; i < packets.length; i++) {
      try {
        this._doWrite(packets[i], this._codec.encodePacket(packets[i], this.supportsBinary));
      } catch {
        // The socket closed before the platform told us; its close event follows.
      }
    }
    // No write callback in the browser API: drain once the socket had a chance to clear its buffer.
    defer(() => {
      if (this.readyState === 'closed') return;
      this.writable = true;
      this.emit('drain');
    });
  }

  protected _doClose(): void {
    if (this._ws) {
      this._ws.onerror = () => {};
      this._ws.close();
      this._ws = null;
    }
  }
}
