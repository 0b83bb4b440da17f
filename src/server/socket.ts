// One Engine.IO session: its write buffer, its heartbeat, its current transport and the
// upgrade from polling to WebSocket. Transports only move packets; this decides what they mean.
import { EventEmitter } from 'node:events';
import debugModule from 'debug';
import type { DecodedPacket, Packet, PacketOptions, PacketType } from '../parser';
import type { Transport, EngineRequest, TransportError } from './transport';
import { Deadline } from './deadlines';
import type { SocketEvents, EventArgs } from './events';
import { performance } from 'node:perf_hooks';
import type { Metrics } from './metrics';

const debug = debugModule('engine:socket');

export type SocketState = 'opening' | 'open' | 'closing' | 'closed';
export type SendCallback = (transport: Transport) => void;
export type CloseReason =
  | 'transport close'
  | 'transport error'
  | 'ping timeout'
  | 'parse error'
  | 'forced close'
  | 'server shutting down'
  | 'server draining';

/** What `send()` accepts as options (socket.io adds a few of its own). */
export interface SendOptions extends PacketOptions {
  volatile?: boolean;
  preEncoded?: boolean;
  wsPreEncodedFrame?: unknown;
}

// Heartbeat timer states: v4 alternates between waiting to ping and waiting for the pong;
// v3 only has the deadline for the client's next ping.
const BEAT_NONE = 0;
const BEAT_PING_DUE = 1;
const BEAT_PONG_DUE = 2;
const BEAT_CLIENT_DEADLINE = 3;

const DEFAULT_OPTIONS: PacketOptions = Object.freeze({ compress: true });

/**
 * What a session is given by the server that creates it: one object per server, shared by all
 * its sessions. The session reads its settings here and reports its flushes through the two
 * hooks; it knows nothing else of the server.
 */
export interface SessionSettings {
  readonly pingInterval: number;
  readonly pingTimeout: number;
  readonly upgradeTimeout: number;
  /** The largest message a client may send (the handshake's `maxPayload`). */
  readonly maxHttpBufferSize: number;
  /** Write-buffer bytes beyond which a client that does not read is cut off (0: no limit). */
  readonly maxBufferedAmount: number;
  /** A message sent right after the open packet (none if undefined or null). */
  readonly initialPacket: unknown;
  /** The transports a session on each transport may upgrade to, by transport name. */
  readonly upgrades: Readonly<Record<string, readonly string[]>>;
  /** The server's counters (null: not counted). */
  readonly metrics: Metrics | null;
  /** What `socket.server` returns (the README's parent reference); the session never reads it. */
  readonly server: unknown;
  /** The write buffer is about to be handed to the transport (the server's 'flush' event). */
  onFlush(socket: Socket, buffer: Packet[]): void;
  /** The write buffer was handed to the transport (the server's 'drain' event). */
  onDrain(socket: Socket): void;
  /** The session closed: called before its 'close' event is emitted. */
  onClose(socket: Socket): void;
}

const NO_UPGRADES: readonly string[] = Object.freeze([]);

/** The open packets' text after the sid, by settings and transport name (see openPacketTail). */
const openTails = new WeakMap<SessionSettings, Map<string, string>>();

/**
 * The open packet after its sid: `,"upgrades":[…],"pingInterval":…,"pingTimeout":…,"maxPayload":…}`.
 * It is the same for every session of a server on one transport, so it is made once rather
 * than a JSON.stringify of a new object on every handshake.
 */
function openPacketTail(settings: SessionSettings, transport: string): string {
  let byTransport = openTails.get(settings);
  if (byTransport === undefined) {
    byTransport = new Map();
    openTails.set(settings, byTransport);
  }
  let tail = byTransport.get(transport);
  if (tail === undefined) {
    const rest = JSON.stringify({
      upgrades: settings.upgrades[transport] || NO_UPGRADES,
      pingInterval: settings.pingInterval,
      pingTimeout: settings.pingTimeout,
      maxPayload: settings.maxHttpBufferSize,
    });
    tail = ',' + rest.slice(1);
    byTransport.set(transport, tail);
  }
  return tail;
}

function ignoreError(this: Transport, err: Error): void {
  if (debug.enabled) debug('error from a discarded transport: %s', err && err.message);
}

function toBuffer(data: ArrayBuffer | ArrayBufferView): Buffer {
  if (data instanceof Buffer) return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

// Typed events (see events.ts): these overloads replace EventEmitter's untyped ones.
export interface Socket {
  on<E extends keyof SocketEvents>(event: E, listener: SocketEvents[E]): this;
  once<E extends keyof SocketEvents>(event: E, listener: SocketEvents[E]): this;
  off<E extends keyof SocketEvents>(event: E, listener: SocketEvents[E]): this;
  addListener<E extends keyof SocketEvents>(event: E, listener: SocketEvents[E]): this;
  removeListener<E extends keyof SocketEvents>(event: E, listener: SocketEvents[E]): this;
  prependListener<E extends keyof SocketEvents>(event: E, listener: SocketEvents[E]): this;
  prependOnceListener<E extends keyof SocketEvents>(event: E, listener: SocketEvents[E]): this;
  emit<E extends keyof SocketEvents>(event: E, ...args: EventArgs<SocketEvents[E]>): boolean;
}

// Not `implements DeadlineOwner`: onDeadline() is internal (stripInternal leaves it out of the
// published declarations), and an `implements` clause there would no longer hold. The
// Deadline's constructor still checks the shape here, in the source. (Beware: stripInternal
// drops any declaration with that at-tag in *any* comment before it, even a line comment.)
export class Socket extends EventEmitter {
  readonly id: string;
  // `server` (the README's parent reference) is declared by server.ts, which knows its type
  readonly request: EngineRequest;
  readonly protocol: 3 | 4;
  readonly remoteAddress: string;
  transport!: Transport;
  readyState: SocketState = 'opening';
  upgrading = false;
  upgraded = false;
  /** Packets waiting for the transport to become writable. */
  writeBuffer: Packet[] = [];
  private packetsFn: SendCallback[] | null = null;
  /** The send callbacks of each batch handed to the transport, until its 'drain' (made on first use). */
  private sentCallbackFn: SendCallback[][] | null = null;
  private writeBufferBytes = 0;
  /** The heartbeat deadline, in the schedule shared by all sessions (see deadlines.ts). */
  private readonly beat = new Deadline(this);
  private beatState = BEAT_NONE;
  private pongGraceUsed = false;
  /** Set when the client probed an upgrade: polling GETs are then released at once. */
  private probed = false;
  /** The transport this session may upgrade to, while the upgrade is under way. */
  private upgradeTransport: Transport | null = null;
  /** Heartbeat, upgrade and buffer settings, counters and hooks, from the server (shared). */
  private readonly settings: SessionSettings;
  /** The reason an orderly close (close(), a drain) reports once the transport has closed. */
  private closeReason: CloseReason = 'forced close';

  constructor(id: string, settings: SessionSettings, transport: Transport, req: EngineRequest, protocol: 3 | 4) {
    super();
    this.settings = settings;
    this.id = id;
    (this as { server?: unknown }).server = settings.server;
    this.request = req;
    this.protocol = protocol;
    const ws = req.websocket;
    this.remoteAddress = (ws && ws._socket && ws._socket.remoteAddress) || (req.socket && req.socket.remoteAddress) || '';
    this.setTransport(transport);
    if (transport.counters !== null) transport.counters.addSession(protocol, 1);
    this.onOpen();
  }

  private onOpen(): void {
    this.readyState = 'open';
    this.transport.sid = this.id;
    const opts = this.settings;
    this.sendPacket('open', '{"sid":' + JSON.stringify(this.id) + openPacketTail(opts, this.transport.name));
    if (opts.initialPacket !== undefined && opts.initialPacket !== null) {
      this.sendPacket('message', opts.initialPacket as any);
    }
    this.emit('open');
    if (this.protocol === 3) this.armBeat(BEAT_CLIENT_DEADLINE, opts.pingInterval + opts.pingTimeout);
    else this.armBeat(BEAT_PING_DUE, opts.pingInterval);
  }

  // ---- heartbeat ----

  private armBeat(state: number, ms: number): void {
    this.beatState = state;
    this.beat.start(ms);
  }

  private stopBeat(): void {
    this.beat.stop();
    this.beatState = BEAT_NONE;
  }

  /** @internal the heartbeat deadline fell due */
  onDeadline(): void {
    if (this.readyState === 'closed') return;
    if (this.beatState === BEAT_PING_DUE) {
      if (debug.enabled) debug('writing ping packet - expecting pong within %sms', this.settings.pingTimeout);
      this.pongGraceUsed = false;
      this.armBeat(BEAT_PONG_DUE, this.settings.pingTimeout);
      this.sendPacket('ping');
    } else {
      this.onClose('ping timeout');
    }
  }

  // ---- incoming ----

  private onPacket(packet: DecodedPacket): void {
    if (this.readyState !== 'open') {
      if (debug.enabled) debug('packet received with closed socket');
      return;
    }
    if (debug.enabled) debug('received packet %s', packet.type);
    this.emit('packet', packet);
    if (this.beatState === BEAT_PONG_DUE && !this.pongGraceUsed && packet.type !== 'pong') {
      // the client is alive, its pong may just be queued behind this packet
      this.pongGraceUsed = true;
      this.beat.restart();
    }
    switch (packet.type) {
      case 'message':
        try {
          // the server's transports decode binary as Buffers ('nodebuffer'), and a message has data
          this.emit('data', packet.data as string | Buffer);
          this.emit('message', packet.data as string | Buffer);
        } catch (err) {
          // an application bug must not leave the engine half-way through its own work
          this.reportError(err);
        }
        break;
      case 'ping':
        if (this.protocol !== 3) {
          this.onError(new Error('invalid heartbeat direction'));
          return;
        }
        this.beat.restart();
        this.sendPacket('pong');
        this.emit('heartbeat');
        break;
      case 'pong':
        if (this.protocol === 3) {
          this.onError(new Error('invalid heartbeat direction'));
          return;
        }
        if (this.beatState !== BEAT_PONG_DUE) {
          if (debug.enabled) debug('ignoring a pong that answers no ping');
          return;
        }
        this.armBeat(BEAT_PING_DUE, this.settings.pingInterval);
        this.emit('heartbeat');
        break;
      case 'error':
        this.onClose('parse error');
        break;
      case 'close':
        this.onClose('transport close');
        break;
      default:
        // open, upgrade and noop mean nothing on an established transport
        break;
    }
  }

  private reportError(err: unknown): void {
    if (this.listenerCount('error') > 0) {
      try {
        this.emit('error', err);
      } catch (e) {
        if (debug.enabled) debug('error listener threw: %s', e);
      }
    } else if (debug.enabled) {
      debug('application error ignored: %s', err);
    }
  }

  private onError(err: Error): void {
    if (debug.enabled) debug('transport error: %s', err && err.message);
    this.onClose('transport error', err);
  }

  // ---- transport ----

  // The transport reports to the session as its sink (TransportSink in transport.ts): no
  // listener closures per session. Not `implements TransportSink`: these are internal.
  private setTransport(transport: Transport): void {
    this.transport = transport;
    transport.sink = this;
  }

  /** @internal */
  onTransportPacket(packet: DecodedPacket): void {
    this.onPacket(packet);
  }

  /** @internal */
  onTransportError(err: TransportError): void {
    this.onError(err);
  }

  /** @internal */
  onTransportClose(): void {
    this.onClose('transport close');
  }

  /** @internal */
  onTransportDrain(): void {
    this.onDrain();
  }

  /** @internal */
  onTransportReady(): void {
    if (this.writeBuffer.length > 0) this.flush();
    else if (this.upgrading && this.probed && this.transport.writable) {
      // an upgrade is under way: hand the GET back at once so the client can switch
      this.transport.send([{ type: 'noop' }]);
    }
  }

  private clearTransport(): void {
    const transport = this.transport;
    if (transport.sink === this) transport.sink = null;
    transport.on('error', ignoreError);
    transport.close();
  }

  private onDrain(): void {
    if (this.sentCallbackFn === null) return;
    const fns = this.sentCallbackFn.shift();
    if (fns === undefined) return;
    for (let i = 0; i < fns.length; i++) {
      try {
        fns[i](this.transport);
      } catch (err) {
        this.reportError(err);
      }
    }
  }

  /**
   * @internal While an upgrade is under way and the new transport has received bytes it is
   * still decoding (a compressed `5` being inflated), defers `fn` until they are handled and
   * returns true: an upgrade packet takes effect the moment it is read, so a polling request
   * that comes after it must not be served by the old transport. Returns false otherwise.
   */
  deferUntilUpgradeRead(fn: () => void): boolean {
    const next = this.upgradeTransport;
    if (next === null || !next.hasPendingInput) return false;
    next.afterPendingInput(fn);
    return true;
  }

  getAvailableUpgrades(): string[] {
    const list = this.settings.upgrades[this.transport.name];
    return list !== undefined ? list.slice() : [];
  }

  /** @internal the server hands over a WebSocket that claims this session */
  maybeUpgrade(transport: Transport): void {
    if (debug.enabled) debug('might upgrade socket transport from "%s" to "%s"', this.transport.name, transport.name);
    this.upgrading = true;
    this.probed = false;
    this.upgradeTransport = transport;
    const metrics = this.settings.metrics;
    const started = metrics !== null ? performance.now() : 0;
    const timer = setTimeout(() => {
      if (debug.enabled) debug('client did not complete upgrade - closing transport');
      if (metrics !== null) metrics.upgradesTimedOut++;
      cleanup();
      if (transport.readyState === 'open') transport.close();
    }, this.settings.upgradeTimeout);
    timer.unref();

    const onPacket = (packet: DecodedPacket) => {
      if (packet.type === 'ping' && packet.data === 'probe') {
        if (debug.enabled) debug('got probe ping packet, sending pong');
        transport.send([{ type: 'pong', data: 'probe' }]);
        this.emit('upgrading', transport);
        this.probed = true;
        if (this.transport.name === 'polling' && this.transport.writable && this.writeBuffer.length === 0) {
          this.transport.send([{ type: 'noop' }]);
        }
      } else if (packet.type === 'upgrade' && this.readyState !== 'closed') {
        if (debug.enabled) debug('got upgrade packet - upgrading');
        cleanup();
        if (metrics !== null) {
          metrics.upgradesCompleted++;
          metrics.upgradeDuration.observe((performance.now() - started) / 1000);
        }
        const previous = this.transport.counters;
        if (previous !== null) previous.addSession(this.protocol, -1);
        if (transport.counters !== null) transport.counters.addSession(this.protocol, 1);
        this.transport.discard();
        this.upgraded = true;
        this.clearTransport();
        this.setTransport(transport);
        this.emit('upgrade', transport);
        this.flush();
        if (this.readyState === 'closing') this.closeTransport(false);
      } else {
        if (metrics !== null) metrics.upgradesFailed++;
        cleanup();
        transport.close();
      }
    };
    const onFailure = (err?: unknown) => {
      if (debug.enabled) debug('client did not complete upgrade - %s', err);
      if (metrics !== null) metrics.upgradesFailed++;
      cleanup();
      transport.on('error', ignoreError);
      transport.close();
    };
    const onTransportClose = () => onFailure('transport closed');
    const onSocketClose = () => onFailure('socket closed');
    const cleanup = () => {
      this.upgrading = false;
      this.probed = false;
      if (this.upgradeTransport === transport) this.upgradeTransport = null;
      clearTimeout(timer);
      transport.removeListener('packet', onPacket);
      transport.removeListener('close', onTransportClose);
      transport.removeListener('error', onFailure);
      this.removeListener('close', onSocketClose);
    };
    transport.on('packet', onPacket);
    transport.once('close', onTransportClose);
    transport.once('error', onFailure);
    this.once('close', onSocketClose);
  }

  // ---- outgoing ----

  send(data: unknown, options?: SendOptions | SendCallback, callback?: SendCallback): this {
    this.sendPacket('message', data, options, callback);
    return this;
  }

  write(data: unknown, options?: SendOptions | SendCallback, callback?: SendCallback): this {
    this.sendPacket('message', data, options, callback);
    return this;
  }

  /** @internal */
  sendPacket(type: PacketType, data?: unknown, options?: SendOptions | SendCallback, callback?: SendCallback): void {
    if (typeof options === 'function') {
      callback = options;
      options = undefined;
    }
    const state = this.readyState;
    if (state === 'closing' || state === 'closed') return;
    const packet: Packet = { type, options: options === undefined || options === null ? DEFAULT_OPTIONS : options };
    if (data !== undefined && data !== null) {
      if (typeof data === 'string') packet.data = data;
      else if (ArrayBuffer.isView(data) || data instanceof ArrayBuffer) packet.data = toBuffer(data);
      else packet.data = String(data);
      const settings = this.settings;
      const limit = settings.maxBufferedAmount;
      const metrics = settings.metrics;
      if (limit > 0 || metrics !== null) {
        const n = (packet.data as string | Buffer).length;
        this.writeBufferBytes += n;
        if (metrics !== null) metrics.bufferedBytes += n;
        if (limit > 0 && this.writeBufferBytes > limit && this.writeBuffer.length > 0) {
          this.onClose('transport error', new Error('slow reader: write buffer over maxBufferedAmount'));
          return;
        }
      }
    }
    if (debug.enabled) debug('sending packet "%s" (%s)', type, packet.data);
    this.emit('packetCreate', packet);
    this.writeBuffer.push(packet);
    if (typeof callback === 'function') {
      if (this.packetsFn === null) this.packetsFn = [callback];
      else this.packetsFn.push(callback);
    }
    this.flush();
  }

  private flush(): void {
    if (this.readyState === 'closed' || !this.transport.writable || this.writeBuffer.length === 0) return;
    const wbuf = this.writeBuffer;
    if (debug.enabled) debug('flushing buffer to transport');
    const settings = this.settings;
    this.emit('flush', wbuf);
    settings.onFlush(this, wbuf);
    this.writeBuffer = [];
    if (settings.metrics !== null) settings.metrics.bufferedBytes -= this.writeBufferBytes;
    this.writeBufferBytes = 0;
    let notify = false;
    if (this.packetsFn !== null) {
      if (this.sentCallbackFn === null) this.sentCallbackFn = [this.packetsFn];
      else this.sentCallbackFn.push(this.packetsFn);
      this.packetsFn = null;
      notify = true;
    }
    this.transport.send(wbuf, notify);
    this.emit('drain');
    settings.onDrain(this);
  }

  // ---- closing ----

  /** Closes the session once the write buffer has been handed to the transport. */
  close(discard?: boolean): this {
    if (discard && (this.readyState === 'open' || this.readyState === 'closing')) {
      this.closeTransport(true);
      return this;
    }
    if (this.readyState !== 'open') return this;
    this.readyState = 'closing';
    if (this.writeBuffer.length > 0) {
      if (debug.enabled) debug('waiting for %d buffered packets to drain before closing', this.writeBuffer.length);
      this.once('drain', () => this.closeTransport(false));
      return this;
    }
    this.closeTransport(false);
    return this;
  }

  private closeTransport(discard: boolean): void {
    if (discard) this.transport.discard();
    if (this.closeReason === 'server draining') this.transport.goingAway = true;
    this.transport.close(() => this.onClose(this.closeReason));
  }

  /**
   * @internal the server drains: an orderly close (what is buffered is flushed first) that the
   * client acts on at once: a close packet on polling, close code 1001 on WebSocket.
   */
  closeForDrain(): void {
    if (this.readyState !== 'open') return;
    this.closeReason = 'server draining';
    this.close();
  }

  /** @internal closes at once with `reason` (server shutdown): pending polls get a close packet. */
  terminate(reason: CloseReason): void {
    if (this.readyState === 'closed') return;
    // not discarded: a polling transport answers the pending GET, or the next one, with a
    // close packet (the server keeps routing that GET to it)
    this.onClose(reason);
  }

  private onClose(reason: CloseReason, description?: unknown): void {
    if (this.readyState === 'closed') return;
    if (debug.enabled) debug('closing socket %s: %s', this.id, reason);
    this.readyState = 'closed';
    const metrics = this.settings.metrics;
    if (metrics !== null) {
      metrics.closed(reason);
      metrics.bufferedBytes -= this.writeBufferBytes;
    }
    if (this.transport.counters !== null) this.transport.counters.addSession(this.protocol, -1);
    this.stopBeat();
    this.packetsFn = null;
    this.sentCallbackFn = null;
    // only a shutdown waits for the client's next GET to hand it a close packet; otherwise a
    // pending GET gets one, and with none pending the transport closes at once
    if (reason !== 'server shutting down') this.transport.discard();
    this.clearTransport();
    try {
      this.settings.onClose(this);
      this.emit('close', reason, description);
    } finally {
      this.writeBuffer = [];
      this.writeBufferBytes = 0;
    }
  }
}
