// The abstract transport: moves packets over one kind of connection for one protocol
// revision. It knows nothing of sessions: it reports to its sink (the TransportSink interface,
// which the Socket that owns it implements), then emits the same as events.
//
// Events: 'packet' (decoded packet), 'error' (Error with type 'TransportError'; only
// emitted when someone listens), 'close', 'drain' (a batch given to send() was flushed),
// 'ready' (became writable again), 'headers' (headers, req) for HTTP responses.
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import debugModule from 'debug';
import { codec, protocolOf } from '../parser/codec';
import type { Codec } from '../parser/codec';
import type { DecodedPacket, Packet } from '../parser';
import type { TransportCounters } from './metrics';
import { DEFAULT_TRANSPORT_SETTINGS } from './options';
import type { TransportSettings } from './options';

const debug = debugModule('engine:transport');

/** The request object the engine works with: Node's request plus the parsed query. */
export interface EngineRequest extends IncomingMessage {
  _query: Record<string, string>;
  res?: ServerResponse | null;
  websocket?: any;
  /** Set by the cluster layer on a request another node forwarded: its connection is that node's. */
  _forwarded?: boolean;
}

export type TransportState = 'open' | 'closing' | 'closed';

export interface TransportError extends Error {
  type: 'TransportError';
  description?: unknown;
}

function noop(): void {}

/**
 * Who a transport reports to, before it emits the same as events: one object (the session)
 * instead of five listeners and their closures for every session. Set and cleared by the owner.
 */
export interface TransportSink {
  /** A packet was received ('packet'). */
  onTransportPacket(packet: DecodedPacket): void;
  /** The transport failed ('error'); it is closing or about to be. */
  onTransportError(err: TransportError): void;
  /** The transport closed ('close'). */
  onTransportClose(): void;
  /** A batch given to send() with `notify` went out ('drain'). */
  onTransportDrain(): void;
  /** The transport became writable ('ready'). */
  onTransportReady(): void;
}

export abstract class Transport extends EventEmitter {
  /** Session id, set by the Socket that owns this transport. */
  sid?: string;
  writable = false;
  readyState: TransportState = 'open';
  discarded = false;
  readonly protocol: 3 | 4;
  /** The codec of that revision, chosen once from the request's `EIO`. */
  protected readonly codec: Codec;
  /** Whether binary may travel as binary (v3 clients without `b64=1`; always for v4). */
  supportsBinary: boolean;
  /** Where this transport counts its traffic (from its settings; null: not counted). */
  readonly counters: TransportCounters | null;
  /** What the server configured for this kind of transport (shared by all of them). */
  protected readonly settings: TransportSettings;
  /** Set when the server is going away (drain): a WebSocket then closes with code 1001. */
  goingAway = false;
  /** The session this transport reports to (null: none, only the events). */
  sink: TransportSink | null = null;

  constructor(req: EngineRequest, settings: TransportSettings = DEFAULT_TRANSPORT_SETTINGS) {
    super();
    // EventEmitter starts with an empty null-prototype listener map, a dictionary of ~160 bytes;
    // a transport reports to its sink and usually has no listener at all, so it is made on the
    // first on() instead (Node's EventEmitter treats an undefined _events as "no listeners yet")
    (this as unknown as { _events: unknown })._events = undefined;
    this.settings = settings;
    this.counters = settings.counters;
    const q = req._query;
    this.protocol = protocolOf(q.EIO);
    this.codec = codec(this.protocol);
    this.supportsBinary = !q.b64;
  }

  abstract get name(): string;

  /** The largest message or POST body accepted, in bytes. */
  get maxHttpBufferSize(): number {
    return this.settings.maxHttpBufferSize;
  }

  /** Whether this transport takes over upgraded (WebSocket) connections. */
  get handlesUpgrades(): boolean {
    return false;
  }

  /** Marks the transport as being replaced: close it without the orderly goodbye. */
  discard(): void {
    this.discarded = true;
  }

  /**
   * Whether bytes already received on the connection are still being decoded (a compressed
   * WebSocket message being inflated): their packets have not been emitted yet.
   */
  get hasPendingInput(): boolean {
    return false;
  }

  /** Calls `fn` once the pending input has been decoded and its packets emitted (or the transport closed). */
  afterPendingInput(fn: () => void): void {
    fn();
  }

  /** A new HTTP request for this transport (polling only). */
  onRequest(_req: EngineRequest, _res?: ServerResponse): void {}

  close(fn?: () => void): void {
    if (this.readyState === 'closed' || this.readyState === 'closing') return;
    this.readyState = 'closing';
    this.doClose(fn || noop);
  }

  /**
   * Writes a batch of packets. With `notify`, emits 'drain' once the batch has been handed to
   * the network (the session then runs the send callbacks of that batch).
   */
  abstract send(packets: Packet[], notify?: boolean): void;

  protected abstract doClose(fn: () => void): void;

  protected onError(msg: string, desc?: unknown): void {
    const sink = this.sink;
    const listened = this.listenerCount('error') > 0;
    if (sink !== null || listened) {
      const err = new Error(msg) as TransportError;
      err.type = 'TransportError';
      err.description = desc;
      if (sink !== null) sink.onTransportError(err);
      if (listened) this.emit('error', err);
    } else if (debug.enabled) {
      debug('ignored transport error %s (%s)', msg, desc);
    }
  }

  protected onPacket(packet: DecodedPacket): void {
    const counters = this.counters;
    if (counters !== null && packet.type === 'message') counters.messagesReceived++;
    // the sink first: a listener that sets a sink (the upgrade) must not have it see this packet
    const sink = this.sink;
    if (sink !== null) sink.onTransportPacket(packet);
    this.emit('packet', packet);
  }

  /** 'drain': the batch given to send() with `notify` went out. */
  protected onDrain(): void {
    const sink = this.sink;
    if (sink !== null) sink.onTransportDrain();
    this.emit('drain');
  }

  /** 'ready': the transport became writable. */
  protected onReady(): void {
    const sink = this.sink;
    if (sink !== null) sink.onTransportReady();
    this.emit('ready');
  }

  protected onData(data: string | Buffer): void {
    this.onPacket(this.codec.decodePacket(data, 'nodebuffer'));
  }

  protected onClose(): void {
    this.readyState = 'closed';
    this.writable = false;
    const sink = this.sink;
    if (sink !== null) sink.onTransportClose();
    this.emit('close');
  }
}
