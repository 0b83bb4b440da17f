// Custom ids (a user's generateId: any length, any alphabet) carry no owner, so their owner is
// written in Redis: `<prefix>:sid:<id>` = the owner's tag, expiring with the session's
// heartbeat deadline. The owner rewrites all its entries in one batch per period (node-redis
// pipelines the commands issued in one tick) and deletes an entry when its session closes; a
// node that dies leaves entries that expire by themselves.
import debugModule from 'debug';
import { command } from './redis-client';
import type { RedisLike } from './redis-client';

const debug = debugModule('engine:cluster');

/** How long, and for how many ids, a looked-up owner is remembered. */
const SEEN_MS = 5000;
const SEEN_MAX = 10000;

export class SessionRegistry {
  private readonly ids = new Set<string>();

  constructor(
    private readonly redis: RedisLike,
    private readonly prefix: string,
    private readonly commandTimeout: number,
  ) {}

  /** Expiry of an entry (ms); set by the cluster from the server's heartbeat. */
  ttl = 60_000;

  private key(id: string): string {
    return `${this.prefix}:sid:${id}`;
  }

  /** Registers `id` as owned by `tag`; resolves once Redis has it. */
  register(id: string, tag: string): Promise<void> {
    return command(this.redis, ['SET', this.key(id), tag, 'PX', String(this.ttl)], this.commandTimeout).then(() => {
      this.ids.add(id);
    });
  }

  /**
   * Owners of other nodes' custom ids looked up lately: a session's next requests cost no Redis
   * command. A stale entry (the session closed) does no harm: its owner answers "unknown sid".
   */
  private readonly seen = new Map<string, { tag: string; until: number }>();

  /** The tag of the owner of `id`, or null. */
  ownerTag(id: string): string | null | Promise<string | null> {
    const hit = this.seen.get(id);
    if (hit !== undefined) {
      if (hit.until > Date.now()) return hit.tag;
      this.seen.delete(id);
    }
    return command(this.redis, ['GET', this.key(id)], this.commandTimeout).then((reply) => {
      if (typeof reply !== 'string') return null;
      if (this.seen.size >= SEEN_MAX) this.seen.delete(this.seen.keys().next().value as string);
      this.seen.set(id, { tag: reply, until: Date.now() + SEEN_MS });
      return reply;
    });
  }

  /** The session closed: its entry goes (when it was registered). */
  closed(id: string): void {
    if (!this.ids.delete(id)) return;
    command(this.redis, ['DEL', this.key(id)], this.commandTimeout).catch((err) => {
      if (debug.enabled) debug('could not delete %s: %s', id, err);
    });
  }

  /**
   * Pushes every entry's expiry back (one pipelined batch). Written again rather than PEXPIRE'd:
   * after a Redis restart that lost them, the entries of live sessions come back.
   */
  refresh(tag: string): Promise<unknown> {
    const ttl = String(this.ttl);
    const all: Promise<unknown>[] = [];
    for (const id of this.ids) all.push(command(this.redis, ['SET', this.key(id), tag, 'PX', ttl], this.commandTimeout));
    return Promise.all(all);
  }

  /** Deletes every entry of this node (leaving the cluster). */
  clear(): Promise<unknown> {
    const keys = Array.from(this.ids, (id) => this.key(id));
    this.ids.clear();
    if (keys.length === 0) return Promise.resolve();
    const all: Promise<unknown>[] = [];
    // in slices: one DEL with a million arguments would stall Redis
    for (let i = 0; i < keys.length; i += 500) all.push(command(this.redis, ['DEL', ...keys.slice(i, i + 500)], this.commandTimeout));
    return Promise.all(all);
  }

  get size(): number {
    return this.ids.size;
  }
}
