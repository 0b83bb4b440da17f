// Relayed mode: for nodes that cannot reach each other (no `advertise`), a byte stream between
// two nodes carried over Redis pub/sub. Each node listens on `<prefix>:relay:<its tag>`; a
// frame is one PUBLISH: a type byte, the connection id, then the payload. On top of such a
// stream the cluster runs exactly what it runs over TCP in direct mode (the HTTP forwarder and
// the WebSocket splice); the owner feeds the streams it accepts into a private http.Server
// that hands them to the engine. PUBLISH answers how many listened: 0 means the owner is gone.
// The order of frames is kept (one publishing connection, one subscriber); each write waits
// for its PUBLISH, which is all the flow control there is.
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

/** One end of a relayed byte stream. */
export class RelayedConnection extends Duplex {
  /** True until the other end is known to listen (mirrors net.Socket for the http client). */
  connecting = true;
  remoteAddress: string | undefined = undefined;
  remotePort: number | undefined = undefined;
  private opened: Promise<void>;
  private ended = false;

  constructor(
    private readonly relay: RedisRelay,
    readonly id: string,
    readonly peerTag: string,
    initiator: boolean,
  ) {
    super({ allowHalfOpen: false });
    if (initiator) {
      this.opened = relay.send(peerTag, frame(OPEN, id, Buffer.from(relay.tag, 'latin1'))).then((listeners) => {
        if (listeners === 0) {
          const err: NodeJS.ErrnoException = new Error(`cluster: node ${peerTag} does not listen on Redis`);
          err.code = 'ECONNREFUSED';
          throw err;
        }
        this.connecting = false;
        this.emit('connect');
      });
      this.opened.catch((err) => this.destroy(err));
    } else {
      this.connecting = false;
      this.opened = Promise.resolve();
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
    this.opened
      .then(() => this.relay.send(this.peerTag, frame(DATA, this.id, chunk)))
      .then((listeners) => callback(listeners === 0 ? new Error('cluster: relayed peer gone') : null), callback);
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.ended = true;
    this.opened.then(() => this.relay.send(this.peerTag, frame(END, this.id))).then(() => callback(), callback);
  }

  override _destroy(err: Error | null, callback: (err: Error | null) => void): void {
    this.relay.forget(this.id);
    if (!this.ended && !this.connecting) {
      this.relay.send(this.peerTag, frame(RESET, this.id)).catch(() => {});
    }
    callback(err);
  }

  /** A frame for this stream arrived. */
  receive(type: number, payload: Buffer): void {
    if (type === DATA) this.push(payload);
    else if (type === END) this.push(null);
    else if (type === RESET) {
      this.ended = true;
      this.destroy();
    }
  }
}

export class RedisRelay {
  private readonly streams = new Map<string, RelayedConnection>();
  private sub: RedisLike | null = null;
  private counter = 0;
  tag = '';

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
      if (this.streams.has(id)) return;
      const conn = new RelayedConnection(this, id, payload.toString('latin1'), false);
      this.streams.set(id, conn);
      this.accept(conn);
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
