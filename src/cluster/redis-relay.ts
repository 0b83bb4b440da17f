// Relayed mode: for nodes that cannot reach each other (no `advertise`), a byte stream between
// two nodes carried over Redis pub/sub. Each node listens on `<prefix>:relay:<its tag>`; a
// frame is one PUBLISH: a type byte, the connection id, then the payload. On top of such a
// stream the cluster runs exactly what it runs over TCP in direct mode (the HTTP forwarder and
// the WebSocket splice); the owner feeds the streams it accepts into a private http.Server
// that hands them to the engine. PUBLISH answers how many listened: 0 means the owner is gone.
// The order of frames is kept (one publishing connection, one subscriber); each write waits
// for its PUBLISH, which is all the flow control there is. OPEN carries the first bytes.
import { Duplex } from 'node:stream';
import debugModule from 'debug';
import { command } from './redis-client';
import type { RedisLike } from './redis-client';

const debug = debugModule('engine:cluster');

const OPEN = 1;
const DATA = 2;
const END = 3;
const RESET = 4;

function frame(type: number, id: string, payload?: Buffer): Buffer {
  const idBytes = Buffer.from(id, 'latin1');
  const head = Buffer.allocUnsafe(2 + idBytes.length);
  head[0] = type;
  head[1] = idBytes.length;
  idBytes.copy(head, 2);
  return payload && payload.length ? Buffer.concat([head, payload]) : head;
}

/**
 * One end of a relayed byte stream. No half-close: END ends the stream both ways (each side
 * of an HTTP exchange or a WebSocket is done once either has ended), so a stream costs one
 * frame to open (with its first bytes), one per write, and one to end.
 */
export class RelayedConnection extends Duplex {
  /** As on a net.Socket (the http client looks): false once 'connect' was emitted. */
  connecting = true;
  remoteAddress: string | undefined = undefined;
  remotePort: number | undefined = undefined;
  /** The initiator's OPEN frame not sent yet: it goes with the first bytes. */
  private unopened: boolean;
  /** An END or RESET went, or came: nothing more to tell the peer. */
  private done = false;

  constructor(
    private readonly relay: RedisRelay,
    readonly id: string,
    readonly peerTag: string,
    initiator: boolean,
  ) {
    super({ allowHalfOpen: false });
    this.unopened = initiator;
    if (initiator) {
      // said at once: whether the peer listens is known from the first PUBLISH
      process.nextTick(() => {
        this.connecting = false;
        if (!this.destroyed) this.emit('connect');
      });
    } else {
      this.connecting = false;
    }
  }

  // the http client and the splice call these on sockets; nothing to do on a relayed stream
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }

  override _read(): void {
    /* frames are pushed as they come */
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, callback: (err?: Error | null) => void): void {
    let data: Buffer;
    let type = DATA;
    if (this.unopened) {
      // OPEN: [length of our tag][our tag][the first bytes]
      this.unopened = false;
      type = OPEN;
      const tag = Buffer.from(this.relay.tag, 'latin1');
      data = Buffer.concat([Buffer.from([tag.length]), tag, chunk]);
    } else data = chunk;
    this.relay.send(this.peerTag, frame(type, this.id, data)).then((listeners) => {
      if (listeners > 0) return callback();
      const err: NodeJS.ErrnoException = new Error(`cluster: node ${this.peerTag} does not listen on Redis`);
      err.code = 'ECONNREFUSED';
      this.done = true;
      callback(err);
    }, callback);
  }

  override _final(callback: (err?: Error | null) => void): void {
    if (this.done || this.unopened) {
      callback();
      return;
    }
    this.done = true;
    this.relay.send(this.peerTag, frame(END, this.id)).then(() => {
      callback();
      // no half-close: what the peer would still send has nobody to read it
      this.destroy();
    }, callback);
  }

  override _destroy(err: Error | null, callback: (err: Error | null) => void): void {
    this.relay.forget(this.id);
    if (!this.done && !this.unopened) {
      this.done = true;
      this.relay.send(this.peerTag, frame(RESET, this.id)).catch(() => {});
    }
    callback(err);
  }

  /** A frame for this stream arrived. */
  receive(type: number, payload: Buffer): void {
    if (type === DATA) {
      // pub/sub has no backpressure: a client that does not read would have us buffer without
      // end, so past the engine's maxBufferedAmount the stream goes (the owner's session closes)
      if (!this.push(payload) && this.readableLength > this.relay.maxBuffered) this.destroy();
    } else if (type === END) {
      this.done = true;
      this.push(null);
    } else if (type === RESET) {
      this.done = true;
      this.destroy();
    }
  }
}

export class RedisRelay {
  private readonly streams = new Map<string, RelayedConnection>();
  private sub: RedisLike | null = null;
  private counter = 0;
  tag = '';
  /** Bytes a stream may hold for a reader that does not read (set from maxBufferedAmount). */
  maxBuffered = 10 * 1024 * 1024;

  constructor(
    private readonly redis: RedisLike,
    private readonly prefix: string,
    private readonly timeout: number,
    /** A stream another node opened to us: the cluster hands it to the engine. */
    private readonly accept: (conn: RelayedConnection) => void,
  ) {}

  private channel(tag: string): string {
    return `${this.prefix}:relay:${tag}`;
  }

  /** Subscribes to this node's channel (on a duplicate of the user's client). */
  async listen(tag: string): Promise<void> {
    if (this.sub !== null) {
      if (this.tag === tag) return;
      await this.stop();
    }
    this.tag = tag;
    const duplicate = this.redis.duplicate;
    if (typeof duplicate !== 'function') throw new Error('cluster: relayed mode needs redis.duplicate()');
    const sub = duplicate.call(this.redis);
    if (typeof sub.on === 'function') sub.on('error', (err) => debug('relay subscriber: %s', err.message));
    if (typeof sub.connect === 'function') await sub.connect();
    this.sub = sub;
    await sub.subscribe!(this.channel(tag), (message) => this.onFrame(message), true);
  }

  private onFrame(message: Buffer): void {
    if (message.length < 2) return;
    const type = message[0];
    const idLength = message[1];
    if (message.length < 2 + idLength) return;
    const id = message.toString('latin1', 2, 2 + idLength);
    const payload = message.subarray(2 + idLength);
    if (type === OPEN) {
      if (this.streams.has(id) || payload.length < 1 || payload.length < 1 + payload[0]) return;
      const from = payload.toString('latin1', 1, 1 + payload[0]);
      const conn = new RelayedConnection(this, id, from, false);
      this.streams.set(id, conn);
      this.accept(conn);
      const first = payload.subarray(1 + payload[0]);
      if (first.length) conn.push(first);
      return;
    }
    const conn = this.streams.get(id);
    if (conn !== undefined) conn.receive(type, payload);
  }

  /** Opens a stream to node `tag`; fails with ECONNREFUSED when nobody listens there. */
  connect(tag: string): RelayedConnection {
    const id = `${this.tag}.${(this.counter++).toString(36)}`;
    const conn = new RelayedConnection(this, id, tag, true);
    this.streams.set(id, conn);
    return conn;
  }

  /** PUBLISH of one frame; resolves how many subscribers got it. */
  send(tag: string, data: Buffer): Promise<number> {
    return command(this.redis, ['PUBLISH', this.channel(tag), data], this.timeout).then((n) => Number(n));
  }

  /** Whether node `tag` still listens on its channel (Redis drops a dead node's subscription at once). */
  async listening(tag: string): Promise<boolean> {
    const reply = await command(this.redis, ['PUBSUB', 'NUMSUB', this.channel(tag)], this.timeout);
    return Array.isArray(reply) && Number(reply[1]) > 0;
  }

  forget(id: string): void {
    this.streams.delete(id);
  }

  /** Closes the streams whose peer `alive(tag)` says is gone. */
  sweep(alive: (tag: string) => boolean): void {
    for (const conn of this.streams.values()) if (!alive(conn.peerTag)) conn.destroy();
  }

  get peers(): Set<string> {
    const tags = new Set<string>();
    for (const conn of this.streams.values()) tags.add(conn.peerTag);
    return tags;
  }

  async stop(): Promise<void> {
    for (const conn of this.streams.values()) conn.destroy();
    this.streams.clear();
    const sub = this.sub;
    this.sub = null;
    if (sub !== null && typeof sub.quit === 'function') await sub.quit().catch(() => {});
  }
}
