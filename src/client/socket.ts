// The client socket: opens a session over the first transport, probes and upgrades to a better
// one, keeps the heartbeat of the protocol revision in use, and buffers writes so that nothing is
// lost or reordered while transports change.
//
// Platform-free: the entry points (index.ts for Node, browser.ts for browsers) put the
// transport classes of their platform into `transports`.

import type { BinaryType, DecodedPacket, Packet, PacketOptions, PacketType } from '../parser/packet';
import { debug } from './debug';
import { Emitter } from './emitter';
import type { CloseReason, MessageData, SocketEvents } from './events';
import type { Transport, TransportClass, TransportOptions } from './transport';
import { decodeQuery, parseUri, Query } from './util';
import { DEFAULT_BINARY_TYPE, utf8Length } from '../parser/binary';

// In the client's browser bundle only (src/platform.d.ts): a constant of this file, so that Node
// tests a context slot rather than looking up an undeclared global on every call.
const BROWSER = typeof __BROWSER__ !== 'undefined';

/** Transport name → class, filled in by the entry point of the platform. */
export const transports: Record<string, TransportClass> = {};

export interface SocketOptions {
  /** Server host name (taken from the URI when one is given). */
  host?: string;
  hostname?: string;
  port?: string | number;
  secure?: boolean;
  /** Path of the Engine.IO endpoint. Default '/engine.io'. */
  path?: string;
  /** Adds a trailing slash to the path (default true). */
  addTrailingSlash?: boolean;
  /** Extra query parameters of every request (object or `a=1&b=2`). */
  query?: Query | string;
  /** Transports to use, in order of preference. Default ['polling', 'websocket']. */
  transports?: Array<'polling' | 'websocket'>;
  /** Probe for and switch to a better transport after connecting. Default true. */
  upgrade?: boolean;
  /** Open with WebSocket directly when a WebSocket upgrade worked before. Default false. */
  rememberUpgrade?: boolean;
  /** Send binary as base64 text. Default false. */
  forceBase64?: boolean;
  /** Add a cache-busting parameter (polling: unless false; WebSocket: when true). */
  timestampRequests?: boolean;
  timestampParam?: string;
  /** Send cookies with cross-origin requests (browsers); keep a cookie jar (Node). */
  withCredentials?: boolean;
  /** Headers added to every request (Node, and XHR polling in browsers). */
  extraHeaders?: Record<string, string>;
  /** WebSocket subprotocols. */
  protocols?: string | string[];
  /** Close the connection silently when the page unloads. Default false. */
  closeOnBeforeunload?: boolean;
  /** Timeout of each polling request in ms (0: none). */
  requestTimeout?: number;
  /** Protocol revision: 4 (Engine.IO 4+, default) or 3 (Engine.IO 3.x servers / Socket.IO 2). */
  protocol?: 3 | 4;
  /** Per-transport options, e.g. { polling: { extraHeaders } }. */
  transportOptions?: Record<string, Partial<SocketOptions>>;
  /** Do not keep the Node process alive for the heartbeat timers alone. */
  autoUnref?: boolean;
  // Node only: passed to node:https (polling) and to `ws` (WebSocket).
  /** An http(s).Agent, or false for none. */
  agent?: unknown;
  pfx?: string | Uint8Array | Array<string | Uint8Array | object>;
  key?: string | Uint8Array | Array<string | Uint8Array | object>;
  passphrase?: string;
  cert?: string | Uint8Array | Array<string | Uint8Array>;
  /** Certificate authorities to trust (e.g. a self-signed server certificate). */
  ca?: string | Uint8Array | Array<string | Uint8Array>;
  ciphers?: string;
  rejectUnauthorized?: boolean;
  localAddress?: string;
  family?: number;
  checkServerIdentity?: (hostname: string, cert: any) => Error | undefined;
  /** WebSocket (Node): permessage-deflate options of `ws`, or false. */
  perMessageDeflate?: boolean | Record<string, unknown>;
  protocolVersion?: number;
  origin?: string;
  maxPayload?: number;
}

export type SocketState = 'opening' | 'open' | 'closing' | 'closed';

interface Handshake {
  sid: string;
  upgrades: string[];
  pingInterval: number;
  pingTimeout: number;
  maxPayload?: number;
}

type Timer = ReturnType<typeof setTimeout>;

// Browsers (and workers) have both addEventListener and removeEventListener; Node has neither.
const hasWindowEvents = typeof addEventListener === 'function';

export class Socket extends Emitter<SocketEvents> {
  /** Protocol revision of this client by default. */
  static readonly protocol = 4;
  /** Whether a WebSocket upgrade worked before (read when `rememberUpgrade` is set). */
  static priorWebsocketSuccess = false;

  id: string | null = null;
  readyState: SocketState = 'opening';
  transport!: Transport;
  /** Protocol revision spoken on this socket. */
  readonly protocol: 3 | 4;
  binaryType: BinaryType;
  readonly opts: SocketOptions & { path: string; timestampParam: string; query: Query };
  readonly transports: string[];
  readonly hostname: string;
  readonly port: string;
  readonly secure: boolean;
  upgrades: string[] = [];
  upgrading = false;
  pingInterval = 0;
  pingTimeout = 0;
  maxPayload = 0;
  writeBuffer: Packet[] = [];
  private _sentCount = 0;
  private _pingTimeoutTimer?: Timer;
  private _pingIntervalTimer?: Timer;
  private _onUnload?: () => void;
  private _onOffline?: () => void;

  constructor(uri?: string | SocketOptions | null, opts: SocketOptions = {}) {
    super();
    if (uri && typeof uri === 'object') {
      opts = uri;
      uri = null;
    }
    opts = { ...opts };
    if (uri) {
      const parsed = parseUri(uri);
      opts.hostname = parsed.host;
      opts.secure = parsed.protocol === 'https' || parsed.protocol === 'wss';
      opts.port = parsed.port;
      if (parsed.query) opts.query = parsed.query;
    } else if (opts.host) {
      opts.hostname = parseUri(opts.host).host;
    }
    const loc = typeof location !== 'undefined' ? location : undefined;
    this.secure = opts.secure != null ? opts.secure : !!loc && loc.protocol === 'https:';
    this.hostname = opts.hostname || (loc ? loc.hostname : 'localhost');
    // The page's port only goes with the page's host; otherwise the scheme's default port.
    this.port = String(opts.port || (!opts.hostname && loc && loc.port) || (this.secure ? 443 : 80));
    this.transports = opts.transports ? opts.transports.slice() : ['polling', 'websocket'];
    this.protocol = opts.protocol === 3 ? 3 : 4;
    this.binaryType = DEFAULT_BINARY_TYPE;
    const o = (this.opts = {
      path: '/engine.io',
      upgrade: true,
      timestampParam: 't',
      rememberUpgrade: false,
      addTrailingSlash: true,
      withCredentials: false,
      closeOnBeforeunload: false,
      transportOptions: {},
      ...opts,
    } as Socket['opts']);
    o.path = o.path.replace(/\/$/, '') + (o.addTrailingSlash ? '/' : '');
    if (typeof o.query === 'string') o.query = decodeQuery(o.query);
    o.query = o.query || {};

    if (hasWindowEvents) {
      if (o.closeOnBeforeunload) {
        // Closing silently: a page going away is not an error worth telling the server about.
        this._onUnload = () => {
          if (this.transport) {
            this.transport.off();
            this.transport.close();
          }
        };
        addEventListener('beforeunload', this._onUnload, false);
      }
      if (this.hostname !== 'localhost') {
        this._onOffline = () => this._onClose('transport close', { description: 'network connection lost' });
        addEventListener('offline', this._onOffline, false);
      }
    }
    this._open();
  }

  /** Creates a transport for this session (the session id once there is one). */
  createTransport(name: string): Transport {
    if (!BROWSER && debug.enabled) debug('creating transport "%s"', name);
    const query: Query = { ...(this.opts.query as Query), EIO: this.protocol, transport: name };
    if (this.id) query.sid = this.id;
    const opts = {
      ...this.opts,
      query,
      socket: this,
      hostname: this.hostname,
      secure: this.secure,
      port: this.port,
      protocol: this.protocol,
      ...(this.opts.transportOptions && this.opts.transportOptions[name]),
    } as TransportOptions;
    return new transports[name](opts);
  }

  private _open(): void {
    const names = this.transports.filter((name) => transports[name]);
    if (names.length === 0) {
      setTimeout(() => this.emit('error', 'No transports available'), 0);
      return;
    }
    const name =
      this.opts.rememberUpgrade && Socket.priorWebsocketSuccess && names.indexOf('websocket') >= 0 ? 'websocket' : names[0];
    // (readyState is 'opening' from the start: only the constructor opens.)
    const transport = this.createTransport(name);
    transport.open();
    this._setTransport(transport);
  }

  private _setTransport(transport: Transport): void {
    if (!BROWSER && debug.enabled) debug('setting transport %s', transport.name);
    if (this.transport) this.transport.off();
    this.transport = transport;
    transport
      .on('drain', () => this._onDrain())
      .on('packet', (packet: DecodedPacket) => this._onPacket(packet))
      .on('error', (err: unknown) => this._onError(err))
      .on('close', (details: unknown) => this._onClose('transport close', details));
  }

  /** Tries `name` alongside the current transport; switches to it when the probe succeeds. */
  private _probe(name: string): void {
    if (!BROWSER && debug.enabled) debug('probing transport "%s"', name);
    let transport: Transport | null = this.createTransport(name);
    let failed = false;
    Socket.priorWebsocketSuccess = false;

    const onTransportOpen = () => {
      if (failed) return;
      transport!.send([{ type: 'ping', data: 'probe' }]);
      transport!.once('packet', (packet: DecodedPacket) => {
        if (failed) return;
        if (packet.type === 'pong' && packet.data === 'probe') {
          this.upgrading = true;
          this.emit('upgrading', transport!);
          if (!transport) return;
          Socket.priorWebsocketSuccess = transport.name === 'websocket';
          // Writes wait in writeBuffer (flush checks `upgrading`) until the new transport is in.
          this.transport.pause(() => {
            if (failed || this.readyState === 'closed') return;
            if (!BROWSER && debug.enabled) debug('upgrading to %s', name);
            cleanup();
            this._setTransport(transport!);
            transport!.send([{ type: 'upgrade' }]);
            this.emit('upgrade', transport!);
            transport = null;
            this.upgrading = false;
            this.flush();
          });
        } else {
          const err = new Error('probe error') as Error & { transport?: string };
          err.transport = transport!.name;
          this.emit('upgradeError', err);
        }
      });
    };

    const freeze = () => {
      if (failed) return;
      failed = true;
      cleanup();
      transport!.close();
      transport = null;
    };

    const onError = (err: unknown) => {
      const error = new Error('probe error: ' + err) as Error & { transport?: string };
      error.transport = transport!.name;
      freeze();
      this.emit('upgradeError', error);
    };
    const onTransportClose = () => onError('transport closed');
    const onSocketClose = () => onError('socket closed');
    // Another probe won: this one is not needed any more.
    const onUpgrading = (to: Transport) => {
      if (transport && to.name !== transport.name) freeze();
    };

    const cleanup = () => {
      transport!.off('open', onTransportOpen);
      transport!.off('error', onError);
      transport!.off('close', onTransportClose);
      this.off('close', onSocketClose);
      this.off('upgrading', onUpgrading);
    };

    transport.once('open', onTransportOpen);
    transport.once('error', onError);
    transport.once('close', onTransportClose);
    this.once('close', onSocketClose);
    this.once('upgrading', onUpgrading);
    transport.open();
  }

  private _onOpen(): void {
    if (!BROWSER && debug.enabled) debug('socket open');
    this.readyState = 'open';
    Socket.priorWebsocketSuccess = this.transport.name === 'websocket';
    this.emit('open');
    this.flush();
    if (this.readyState === 'open' && this.opts.upgrade) {
      for (let i = 0; i < this.upgrades.length; i++) this._probe(this.upgrades[i]);
    }
  }

  private _onPacket(packet: DecodedPacket): void {
    if (this.readyState === 'closed') return;
    this.emit('packet', packet);
    this.emit('heartbeat');
    // v3: the client pings; any packet from the server shows it is alive.
    if (this.protocol === 3 && this.pingInterval) this._resetPingTimeout(0);
    switch (packet.type) {
      case 'open':
        this._onHandshake(JSON.parse(packet.data as string));
        break;
      case 'ping':
        // v4: the server pings, we answer.
        this._resetPingTimeout(0);
        this._sendPacket('pong');
        this.emit('ping');
        this.emit('pong');
        break;
      case 'pong':
        // v3: the answer to our ping; schedule the next one.
        if (this.protocol === 3) {
          this._schedulePing();
          this.emit('pong');
        }
        break;
      case 'error': {
        const err = new Error('server error') as Error & { code?: unknown };
        err.code = packet.data;
        this._onError(err);
        break;
      }
      case 'message':
        // decoded with this socket's binaryType; a message always has data
        this.emit('data', packet.data as MessageData);
        this.emit('message', packet.data as MessageData);
        break;
    }
  }

  private _onHandshake(data: Handshake): void {
    this.emit('handshake', data);
    this.id = data.sid;
    this.transport.query.sid = data.sid;
    this.upgrades = (data.upgrades || []).filter((name) => this.transports.indexOf(name) >= 0 && transports[name]);
    this.pingInterval = data.pingInterval;
    this.pingTimeout = data.pingTimeout;
    this.maxPayload = data.maxPayload || 0;
    this._onOpen();
    // The open handler may have closed the socket.
    if (this.readyState === 'closed') return;
    this._resetPingTimeout(0);
    if (this.protocol === 3) this._schedulePing();
  }

  /** Closes with "ping timeout" unless the server shows life within `delay` (0: interval + timeout). */
  private _resetPingTimeout(delay: number): void {
    clearTimeout(this._pingTimeoutTimer);
    this._pingTimeoutTimer = this._timer(() => this._onClose('ping timeout'), delay || this.pingInterval + this.pingTimeout);
  }

  /** v3: pings the server after pingInterval and waits pingTimeout for its pong. */
  private _schedulePing(): void {
    clearTimeout(this._pingIntervalTimer);
    this._pingIntervalTimer = this._timer(() => {
      this._sendPacket('ping', undefined, undefined, () => this.emit('ping'));
      this._resetPingTimeout(this.pingTimeout);
    }, this.pingInterval);
  }

  /** A heartbeat timer (unref'd with `autoUnref`, where timers can be: not in browsers). */
  private _timer(fn: () => void, delay: number): Timer {
    const timer = setTimeout(fn, delay);
    if (!BROWSER && this.opts.autoUnref && (timer as any).unref) (timer as any).unref();
    return timer;
  }

  private _onDrain(): void {
    this.writeBuffer.splice(0, this._sentCount);
    // Must be reset: after an upgrade the 'upgrade' packet drains with nothing of ours in flight.
    this._sentCount = 0;
    if (this.writeBuffer.length === 0) this.emit('drain');
    else this.flush();
  }

  /** Sends what is buffered, if the transport can take it now. */
  flush(): void {
    if (this.readyState !== 'closed' && this.transport.writable && !this.upgrading && this.writeBuffer.length) {
      const packets = this._writablePackets();
      this.transport.send(packets);
      this._sentCount = packets.length;
      this.emit('flush');
    }
  }

  /** Over polling, as many packets as fit in the server's maxPayload (at least one). */
  private _writablePackets(): Packet[] {
    const buffer = this.writeBuffer;
    if (!this.maxPayload || this.transport.name !== 'polling' || buffer.length < 2) return buffer;
    let size = 1;
    for (let i = 0; i < buffer.length; i++) {
      const data = buffer[i].data;
      if (data) size += typeof data === 'string' ? utf8Length(data) : Math.ceil(data.byteLength * 1.34) + 1;
      if (i > 0 && size > this.maxPayload) return buffer.slice(0, i);
      size += 2;
    }
    return buffer;
  }

  /** Sends a message. `callback` runs once it has been handed to the transport. */
  send(data: unknown, options?: PacketOptions | (() => void), callback?: () => void): this {
    this._sendPacket('message', data, options, callback);
    return this;
  }

  write(data: unknown, options?: PacketOptions | (() => void), callback?: () => void): this {
    return this.send(data, options, callback);
  }

  private _sendPacket(type: PacketType, data?: unknown, options?: PacketOptions | (() => void) | null, callback?: () => void): void {
    if (typeof data === 'function') {
      callback = data as () => void;
      data = undefined;
    }
    if (typeof options === 'function') {
      callback = options;
      options = null;
    }
    if (this.readyState === 'closing' || this.readyState === 'closed') return;
    const packet = { type, data, options: { compress: !options || options.compress !== false } } as Packet;
    this.emit('packetCreate', packet);
    this.writeBuffer.push(packet);
    if (callback) this.once('flush', callback);
    this.flush();
  }

  /** Closes the connection once buffered writes (and an upgrade in progress) are done. */
  close(): this {
    // _onClose closes the transport too.
    const close = () => this._onClose('forced close');
    const afterUpgrade = () => {
      this.off('upgrade', afterUpgrade);
      this.off('upgradeError', afterUpgrade);
      close();
    };
    // Nothing can be sent while the old transport is paused: wait for the upgrade to settle.
    const closeWhenSettled = () => {
      if (this.upgrading) {
        this.once('upgrade', afterUpgrade);
        this.once('upgradeError', afterUpgrade);
      } else close();
    };
    if (this.readyState === 'opening' || this.readyState === 'open') {
      this.readyState = 'closing';
      if (this.writeBuffer.length) this.once('drain', closeWhenSettled);
      else closeWhenSettled();
    }
    return this;
  }

  private _onError(err: unknown): void {
    if (!BROWSER && debug.enabled) debug('socket error %j', err);
    Socket.priorWebsocketSuccess = false;
    this.emit('error', err as Error | string);
    this._onClose('transport error', err);
  }

  private _onClose(reason: CloseReason, details?: unknown): void {
    if (this.readyState === 'closed') return;
    if (!BROWSER && debug.enabled) debug('socket close with reason: "%s"', reason);
    clearTimeout(this._pingTimeoutTimer);
    clearTimeout(this._pingIntervalTimer);
    const transport = this.transport;
    if (transport) {
      // Silence the transport first so its own close does not come back here.
      transport.off('close');
      transport.close();
      transport.off();
    }
    if (this._onUnload) removeEventListener('beforeunload', this._onUnload, false);
    if (this._onOffline) removeEventListener('offline', this._onOffline, false);
    this.readyState = 'closed';
    this.id = null;
    this.emit('close', reason, details);
    // Cleared after the event, so close listeners can still see what was not sent.
    this.writeBuffer = [];
    this._sentCount = 0;
  }
}
