// The members of the cluster in Redis: `<prefix>:node:<tag>` holds a node's entry (its id and,
// in direct mode, the URL where the others reach it), written with an expiry and refreshed
// while the node lives, so a node that dies (SIGKILL) disappears within `ttl`. Every node keeps
// the entries it looked up in a local cache: routing a default id costs no Redis command once
// its owner's tag was seen, and an entry leaves the cache when the node behind it stops
// answering (its connection refused) or the node announces it left.
import debugModule from 'debug';
import { command } from './redis-client';
import type { RedisLike } from './redis-client';
import { randomTag } from './id-codec';

const debug = debugModule('engine:cluster');

export interface NodeEntry {
  tag: string;
  /** The node's own name (the `nodeId` option). */
  id: string;
  /** Where the others reach it directly (the `advertise` option), null in relayed mode. */
  url: string | null;
}

export class NodeRegistry {
  /** This node's tag (final once `join()` resolved: a taken tag is drawn again). */
  tag = randomTag();
  private readonly cache = new Map<string, NodeEntry>();
  /** Lookups in flight, so a burst of requests for one unknown tag costs one GET. */
  private readonly pending = new Map<string, Promise<NodeEntry | null>>();
  private joined = false;

  constructor(
    private readonly redis: RedisLike,
    private readonly prefix: string,
    private readonly self: { id: string; url: string | null },
    private readonly commandTimeout: number,
  ) {}

  /** Expiry of this node's entry (ms); set by the cluster from the server's heartbeat. */
  ttl = 30_000;

  private key(tag: string): string {
    return `${this.prefix}:node:${tag}`;
  }

  private value(): string {
    return JSON.stringify({ id: this.self.id, url: this.self.url });
  }

  /** Claims a free tag (SET NX) and writes this node's entry. */
  async join(): Promise<void> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const reply = await command(this.redis, ['SET', this.key(this.tag), this.value(), 'PX', String(this.ttl), 'NX'], this.commandTimeout);
      if (reply === 'OK') {
        this.joined = true;
        if (debug.enabled) debug('joined as %s (%s)', this.tag, this.self.id);
        return;
      }
      this.tag = randomTag();
    }
    throw new Error('cluster: no free node tag after 8 attempts');
  }

  /** Rewrites this node's entry with a fresh expiry (called periodically). */
  refresh(): Promise<unknown> {
    if (!this.joined) return Promise.resolve();
    return command(this.redis, ['SET', this.key(this.tag), this.value(), 'PX', String(this.ttl)], this.commandTimeout);
  }

  /** Removes this node's entry. */
  leave(): Promise<unknown> {
    if (!this.joined) return Promise.resolve();
    this.joined = false;
    return command(this.redis, ['DEL', this.key(this.tag)], this.commandTimeout);
  }

  /** A cached entry, without any I/O. */
  cached(tag: string): NodeEntry | undefined {
    return this.cache.get(tag);
  }

  /** The entry of `tag`: from the cache, else one GET (shared by concurrent callers). */
  lookup(tag: string): NodeEntry | null | Promise<NodeEntry | null> {
    const hit = this.cache.get(tag);
    if (hit !== undefined) return hit;
    let p = this.pending.get(tag);
    if (p === undefined) {
      p = command(this.redis, ['GET', this.key(tag)], this.commandTimeout).then(
        (reply) => {
          this.pending.delete(tag);
          const entry = parseEntry(tag, reply);
          if (entry !== null) this.cache.set(tag, entry);
          return entry;
        },
        (err) => {
          this.pending.delete(tag);
          throw err;
        },
      );
      this.pending.set(tag, p);
    }
    return p;
  }

  /** Forgets a node (it stopped answering, or left). */
  forget(tag: string): void {
    if (debug.enabled && this.cache.has(tag)) debug('forgetting node %s', tag);
    this.cache.delete(tag);
  }
}

function parseEntry(tag: string, reply: unknown): NodeEntry | null {
  if (typeof reply !== 'string') return null;
  try {
    const v = JSON.parse(reply);
    return { tag, id: String(v.id), url: typeof v.url === 'string' ? v.url : null };
  } catch {
    return null;
  }
}
