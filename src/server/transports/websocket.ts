// WebSocket transport over a `ws`-compatible socket (handed over by the server after the
// HTTP upgrade). Stays writable while the socket's buffered amount is under the limit.
import debugModule from 'debug';
import type { Packet } from '../../parser';
import { Transport } from '../transport';
import type { EngineRequest } from '../transport';
import { buildFrame, frameSender, inputPending, quietRedundantEnds, senderIdle } from './ws-internals';
import type { WsSender, WsSocket } from './ws-internals';
import { DEFAULT_WEBSOCKET_SETTINGS } from '../options';
import type { WebSocketSettings } from '../options';

const debug = debugModule('engine:ws');

// ws copies its options object, so these can be shared by every send
const COMPRESS = Object.freeze({ compress: true });
const NO_COMPRESS = Object.freeze({ compress: false });

// Bigger binary payloads go through ws, which writes them without copying them
const MAX_COPIED_FRAME = 16 * 1024;

/** The payload length a frame declares in its header (socket.io's pre-built broadcast frames, ours). */
function framePayloadLength(frame: readonly Buffer[] | Buffer): number {
  const head = Buffer.isBuffer(frame) ? frame : frame[0];
  if (!Buffer.isBuffer(head) || head.length < 2) return 0;
  const len = head[1] & 0x7f;
  if (len < 126) return len;
  if (len === 126) return head.length >= 4 ? head.readUInt16BE(2) : 0;
  return head.length >= 10 ? head.readUInt32BE(6) : 0;
}

/** Options socket.io passes with `write()`: a ws frame built once for a whole broadcast. */
interface WritePacketOptions {
  compress?: boolean;
  wsPreEncodedFrame?: readonly Buffer[];
}

/** On the ws socket: the transport its listeners report to (they are shared, not closures). */
const kTransport = Symbol('engine.io-ts transport');

type OwnedSocket = WsSocket & { [kTransport]: WebSocketTransport };

// The socket's listeners, shared by every transport: EventEmitter calls them on the socket,
// which leads to its transport, so a session costs no closure for them.
function onSocketMessage(this: OwnedSocket, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
  this[kTransport].onMessage(data, isBinary);
}

function onSocketClose(this: OwnedSocket): void {
  this[kTransport].onSocketClose();
}

function onSocketError(this: OwnedSocket, err: Error): void {
  this[kTransport].onSocketError(err);
}

function checkInputOf(transport: WebSocketTransport): void {
  transport.checkInput();
}

export class WebSocketTransport extends Transport {
  readonly socket: WsSocket;
  /** ws's Sender of the socket, for the one-write frame path; null when the socket has none. */
  private readonly sender: WsSender | null;
  protected declare readonly settings: WebSocketSettings;
  /** The callback of a batch's last frame when the batch is to be notified (made on first use). */
  private onSentLast: ((err?: Error) => void) | null = null;
  /** Callbacks of afterPendingInput(), run once the received bytes have been decoded. */
  private inputWaiters: Array<() => void> | null = null;

  constructor(req: EngineRequest, settings: WebSocketSettings = DEFAULT_WEBSOCKET_SETTINGS) {
    super(req, settings);
    const socket: WsSocket = req.websocket;
    this.socket = socket;
    this.sender = frameSender(socket);
    if (this.sender === null && debug.enabled) debug('no ws Sender on this socket: frames go through send()');
    (socket as OwnedSocket)[kTransport] = this;
    quietRedundantEnds(socket);
    socket.on('message', onSocketMessage);
    socket.on('close', onSocketClose);
    socket.on('error', onSocketError);
    this.writable = true;
  }

  /** @internal a message from the socket */
  onMessage(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    // ws finishes the chunk it was decoding right after this event returns
    if (this.inputWaiters !== null) process.nextTick(checkInputOf, this);
    if (this.readyState !== 'open') return;
    let message: string | Buffer;
    if (isBinary) message = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    else message = data.toString();
    if (debug.enabled) debug('received "%s"', message);
    const counters = this.counters;
    if (counters !== null) {
      counters.bytesReceived +=
        typeof message !== 'string' ? message.length : Buffer.isBuffer(data) ? data.length : Buffer.byteLength(message);
    }
    this.onData(message);
  }

  /** @internal the socket closed (ws emits 'close' once) */
  onSocketClose(): void {
    this.onClose();
    this.checkInput();
  }

  /** @internal */
  onSocketError(err: Error): void {
    this.onError('websocket error', err);
    // a receiver that failed never finishes its chunk
    this.checkInput();
  }

  /** @internal runs the waiters once nothing received is left to decode, or the transport is no longer open */
  checkInput(): void {
    if (this.inputWaiters === null || (this.readyState === 'open' && this.hasPendingInput)) return;
    const waiters = this.inputWaiters;
    this.inputWaiters = null;
    for (let i = 0; i < waiters.length; i++) waiters[i]();
  }

  /** The callback of a notified batch's last frame: 'drain' once it is written. */
  private sentLast(): (err?: Error) => void {
    let cb = this.onSentLast;
    if (cb === null) {
      cb = (err?: Error) => {
        if (err) this.onError('write error', err.stack);
        else this.onDrain();
      };
      this.onSentLast = cb;
    }
    return cb;
  }

  get name(): string {
    return 'websocket';
  }

  /** Whether permessage-deflate is enabled server-side. */
  get perMessageDeflate(): boolean {
    return this.settings.perMessageDeflate;
  }

  /** Messages smaller than this many bytes are never compressed. */
  get deflateThreshold(): number {
    return this.settings.deflateThreshold;
  }

  /** Bytes buffered for the peer beyond which the reader is deemed too slow (0: no limit). */
  get maxBufferedAmount(): number {
    return this.settings.maxBufferedAmount;
  }

  override get handlesUpgrades(): boolean {
    return true;
  }

  /** Whether received bytes are still being decoded (see inputPending in ws-internals). */
  override get hasPendingInput(): boolean {
    return inputPending(this.socket);
  }

  override afterPendingInput(fn: () => void): void {
    if (this.readyState !== 'open' || !this.hasPendingInput) {
      fn();
      return;
    }
    if (this.inputWaiters === null) this.inputWaiters = [fn];
    else this.inputWaiters.push(fn);
  }

  send(packets: Packet[], notify?: boolean): void {
    const socket = this.socket;
    const sender = this.sender;
    const counters = this.counters;
    const last = packets.length - 1;
    for (let i = 0; i <= last; i++) {
      const packet = packets[i];
      const cb = i === last && notify === true ? this.sentLast() : undefined;
      const options = packet.options as WritePacketOptions | undefined;
      if (counters !== null && packet.type === 'message') counters.messagesSent++;
      if (options !== undefined && options.wsPreEncodedFrame !== undefined && sender !== null && senderIdle(socket, sender)) {
        if (counters !== null) counters.bytesSent += framePayloadLength(options.wsPreEncodedFrame);
        sender.sendFrame(options.wsPreEncodedFrame, cb);
        continue;
      }
      const data = this.codec.encodePacket(packet, this.supportsBinary);
      const compress =
        this.settings.perMessageDeflate && (options === undefined || options.compress !== false) && this.overThreshold(data as string | Buffer);
      const small = typeof data === 'string' || data.length <= MAX_COPIED_FRAME;
      if (!compress && small && sender !== null && senderIdle(socket, sender)) {
        const frame = buildFrame(data as string | Buffer);
        if (counters !== null) counters.bytesSent += framePayloadLength(frame);
        sender.sendFrame([frame], cb);
        continue;
      }
      if (counters !== null) counters.bytesSent += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
      socket.send(data, compress ? COMPRESS : NO_COMPRESS, cb);
    }
    const maxBuffered = this.settings.maxBufferedAmount;
    if (maxBuffered > 0 && socket.bufferedAmount > maxBuffered) {
      // drop the connection now: a closing handshake would keep the backlog for its timeout
      if (typeof socket.terminate === 'function') socket.terminate();
      this.onError('slow reader', new Error(`more than ${maxBuffered} bytes waiting for the peer`));
    }
  }

  /**
   * ws applies its own threshold only with no_context_takeover, so apply it here: small
   * messages are sent as they are. (A UTF-16 unit is at most 3 UTF-8 bytes.)
   */
  private overThreshold(data: string | Buffer): boolean {
    const threshold = this.settings.deflateThreshold;
    if (threshold <= 0) return true;
    if (typeof data !== 'string') return data.length >= threshold;
    const n = data.length;
    if (n >= threshold) return true;
    if (n * 3 < threshold) return false;
    return Buffer.byteLength(data) >= threshold;
  }

  protected doClose(fn: () => void): void {
    if (debug.enabled) debug('closing');
    // 1001 "going away": the client reconnects at once (to another node, through the balancer)
    if (this.goingAway) this.socket.close(1001);
    else this.socket.close();
    fn();
    // nothing more will be decoded for the session: whoever waited for it goes on
    this.checkInput();
  }
}
