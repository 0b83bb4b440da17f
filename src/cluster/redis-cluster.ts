// The cluster layer on Redis: what a Server with `cluster: redisCluster({...})` consults for the
// sessions it does not hold. Redis is the directory (node entries, custom ids, the cluster
// token), never the data path in direct mode: the owner of a default id is read off the id and
// a local cache, and requests travel straight to it (HTTP for polling, a spliced TCP connection
// for WebSocket). See README "Many nodes (engine.io-ts/cluster)".
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import debugModule from 'debug';
import type { ClusterHost, ClusterSeam, InboundVerdict } from '../server/cluster-seam';
import type { RedisLike } from './redis-client';
import { command } from './redis-client';
import { NodeRegistry } from './node-registry';
import type { NodeEntry } from './node-registry';
import { SessionRegistry } from './session-registry';
import { tagId, tagOf } from './id-codec';
import { MEMBER_HEADER, signForward, verifyForward } from './member-auth';
import type { ForwardedClient } from './member-auth';
import { HttpForwarder, parseTarget } from './http-forwarder';
import type { Target } from './http-forwarder';
import { spliceUpgrade } from './websocket-splice';
import { RedisRelay } from './redis-relay';

const debug = debugModule('engine:cluster');

export interface RedisClusterOptions {
  /** A connected node-redis client (v4 or v5). Never closed by the cluster. */
  redis: RedisLike;
  /** Where the other nodes reach this node's HTTP server directly, e.g. `http://10.0.0.5:3000`. */
  advertise?: string;
  /** This node's name in Redis and in logs (default `<hostname>-<pid>`). */
  nodeId?: string;
  /** Prefix of every Redis key (default `eio`): one per cluster sharing a Redis. */
  prefix?: string;
  /**
   * The shared secret that authenticates inter-node requests (HMAC-SHA256). Without it, the
   * first node stores a random token at `<prefix>:secret` and the others read it: then
   * whoever can read that Redis key can speak for a member.
   */
  secret?: string | Buffer;
  /** Expiry of this node's entry (ms; default: the server's heartbeat deadline, pingInterval + pingTimeout). */
  nodeTtl?: number;
  /** How long a Redis command or a connection to another node may take before it counts as failed (ms, default 2000). */
  timeout?: number;
}

/** The address and port of the client a forwarded request was made for (set on the owner). */
const forwardedFor = new WeakMap<IncomingMessage, ForwardedClient>();

/** For a request forwarded by another member: the original client's address and port. */
export function clusterClient(req: IncomingMessage): ForwardedClient | undefined {
  return forwardedFor.get(req);
}

export class RedisCluster implements ClusterSeam {
  readonly nodeId: string;
  readonly prefix: string;
  /** Resolves once this node is a member (tag claimed, secret known); never rejects. */
  readonly ready: Promise<void>;
  private readonly redis: RedisLike;
  private readonly advertise: string | null;
  private readonly timeout: number;
  private readonly nodes: NodeRegistry;
  private readonly sessions: SessionRegistry;
  private readonly forwarder: HttpForwarder;
  private readonly relay: RedisRelay;
  /** Where relayed streams from other nodes are parsed as HTTP (never listens on a port). */
  private loopback: HttpServer | null = null;
  private secret: Buffer | null;
  private host: ClusterHost | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private markReady!: () => void;
  private readonly explicitTtl: number | undefined;
  private tokenFromRedis = false;
  /** Joined: tag claimed in Redis, secret known. */
  private member = false;

  constructor(opts: RedisClusterOptions) {
    if (!opts || !opts.redis || typeof opts.redis.sendCommand !== 'function') {
      throw new TypeError('redisCluster: `redis` must be a connected node-redis client');
    }
    this.redis = opts.redis;
    this.advertise = opts.advertise ? opts.advertise.replace(/\/$/, '') : null;
    if (this.advertise !== null) parseTarget(this.advertise);
    this.nodeId = opts.nodeId || `${hostname()}-${process.pid}`;
    this.prefix = opts.prefix || 'eio';
    this.timeout = opts.timeout ?? 2000;
    this.secret = opts.secret === undefined ? null : Buffer.from(opts.secret);
    this.explicitTtl = opts.nodeTtl;
    this.nodes = new NodeRegistry(this.redis, this.prefix, { id: this.nodeId, url: this.advertise }, this.timeout);
    this.sessions = new SessionRegistry(this.redis, this.prefix, this.timeout);
    this.forwarder = new HttpForwarder(this.timeout);
    this.relay = new RedisRelay(this.redis, this.prefix, this.timeout, (conn) => {
      if (this.loopback !== null) this.loopback.emit('connection', conn);
      else conn.destroy();
    });
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  /** This node's tag: the first characters of its default ids. */
  get tag(): string {
    return this.nodes.tag;
  }

  bind(server: ClusterHost): void {
    if (this.host !== null) throw new Error('redisCluster: one cluster layer serves one Server');
    this.host = server;
    this.loopback = this.makeLoopback(server);
    this.relay.maxBuffered = server.opts.maxBufferedAmount;
    // not ready (health(), a Kubernetes readiness probe) before joining, or while Redis is away
    if (typeof server.addReadinessCheck === 'function') {
      server.addReadinessCheck('cluster', () => this.member && !this.closed && this.redis.isReady !== false);
    }
    const deadline = server.opts.pingInterval + server.opts.pingTimeout;
    const ttl = this.explicitTtl ?? deadline;
    this.nodes.ttl = ttl;
    this.sessions.ttl = deadline;
    this.start(Math.max(250, Math.floor(Math.min(ttl, deadline) / 3)));
  }

  /**
   * Relayed requests and upgrades reach the engine through this server. Only a member may send
   * them: anything else that found its way onto our Redis channel is refused here.
   */
  private makeLoopback(host: ClusterHost): HttpServer {
    const loopback = createServer((req, res) => {
      if (this.inbound(req) !== 'member') {
        res.writeHead(403, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ code: 4, message: 'Forbidden' }));
        return;
      }
      host.handleRequest(req, res);
    });
    loopback.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (this.inbound(req) !== 'member') {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      host.handleUpgrade(req, socket, head);
    });
    loopback.on('clientError', (_err, socket: Duplex) => socket.destroy());
    return loopback;
  }

  private start(period: number): void {
    const attempt = () => {
      if (this.closed) return;
      this.join().then(
        () => {
          if (this.closed) {
            // close() came while we were joining: undo what the join did after it
            this.relay.stop().catch(() => {});
            this.nodes.leave().catch(() => {});
            return;
          }
          this.member = true;
          this.markReady();
          this.refreshTimer = setInterval(() => this.refresh(), period);
          this.refreshTimer.unref();
        },
        (err) => {
          if (this.closed) {
            this.relay.stop().catch(() => {});
            return;
          }
          debug('joining the cluster failed (retrying): %s', err);
          setTimeout(attempt, 1000).unref();
        },
      );
    };
    attempt();
  }

  private async join(): Promise<void> {
    if (this.secret === null) {
      const key = `${this.prefix}:secret`;
      await command(this.redis, ['SET', key, randomBytes(32).toString('base64url'), 'NX'], this.timeout);
      const token = await command(this.redis, ['GET', key], this.timeout);
      if (typeof token !== 'string') throw new Error('cluster: no token in Redis');
      this.secret = Buffer.from(token);
      this.tokenFromRedis = true;
    }
    // listening first: once our entry is in Redis, others may relay to us at once
    await this.relay.listen(this.nodes.tag);
    await this.nodes.join();
    if (this.relay.tag !== this.nodes.tag) await this.relay.listen(this.nodes.tag);
  }

  private refresh(): void {
    this.nodes.refresh().catch((err) => debug('node refresh failed: %s', err));
    this.sessions.refresh(this.nodes.tag).catch((err) => debug('session refresh failed: %s', err));
    if (this.tokenFromRedis && this.secret !== null) {
      // a Redis restarted empty: the token the members share comes back as it was
      command(this.redis, ['SET', `${this.prefix}:secret`, this.secret.toString(), 'NX'], this.timeout).catch(() => {});
    }
    // relayed streams to a node that died: nothing on them tells, but Redis dropped its
    // subscription when its connection went
    for (const tag of this.relay.peers) {
      this.relay.listening(tag).then(
        (alive) => {
          if (alive) return;
          this.nodes.forget(tag);
          this.relay.sweep((t) => t !== tag);
        },
        () => {},
      );
    }
  }

  makeId(localId: string): string {
    return tagId(this.nodes.tag, localId);
  }

  register(id: string): Promise<void> | null {
    if (!this.member) {
      // not in the cluster yet (our tag may not be in Redis, or may still be drawn again): the
      // handshake waits, so no client learns an id the other nodes cannot route
      if (this.closed) return Promise.reject(new Error('cluster: closed'));
      return this.ready.then(() => this.register(id) ?? undefined);
    }
    if (tagOf(id) === this.nodes.tag) return null;
    return this.sessions.register(id, this.nodes.tag);
  }

  sessionClosed(id: string): void {
    this.sessions.closed(id);
  }

  inbound(req: IncomingMessage): InboundVerdict {
    const value = req.headers[MEMBER_HEADER];
    if (value === undefined) return 'client';
    const client = typeof value === 'string' ? verifyForward(this.secret, value, req.method || '', req.url || '') : null;
    if (client === null) return 'forged';
    forwardedFor.set(req, client);
    // its connection is the member's: the polling transport does not take its loss for the client's
    (req as IncomingMessage & { _forwarded?: boolean })._forwarded = true;
    // the owner's application sees the client's request as sent, without the member header
    delete req.headers[MEMBER_HEADER];
    const raw = req.rawHeaders;
    for (let i = raw.length - 2; i >= 0; i -= 2) if (raw[i].toLowerCase() === MEMBER_HEADER) raw.splice(i, 2);
    return 'member';
  }

  /** The owner of `sid` (null: nobody, or this node, which no longer has it). */
  private ownerOf(sid: string): NodeEntry | null | Promise<NodeEntry | null> {
    const tag = tagOf(sid);
    if (tag === this.nodes.tag) return null;
    if (tag !== null) {
      const hit = this.nodes.cached(tag);
      if (hit !== undefined) return hit;
    }
    // a custom id seen lately: its owner from the local memory
    const byId = this.sessions.ownerTag(sid);
    if (typeof byId === 'string') {
      if (byId === this.nodes.tag) return null;
      const known = this.nodes.cached(byId);
      if (known !== undefined) return known;
    }
    // an unseen tag or a custom id: the node entry and the id entry in one round trip
    const byTag = tag !== null ? this.nodes.lookup(tag) : null;
    return Promise.all([byTag, byId]).then(([entry, owner]) => {
      if (entry) return entry;
      if (owner === null || owner === this.nodes.tag) return null;
      return this.nodes.lookup(owner);
    });
  }

  private route(req: IncomingMessage, unknown: () => void, go: (entry: NodeEntry, target: Target, auth: string) => void): void {
    // a forwarded request is never forwarded again: the member that sent it found us as owner
    if (this.closed || this.secret === null || forwardedFor.has(req)) return unknown();
    const sid = (req as IncomingMessage & { _query?: { sid?: string } })._query?.sid;
    if (typeof sid !== 'string') return unknown();
    const proceed = (entry: NodeEntry | null) => {
      if (entry === null) return unknown();
      let target: Target;
      if (entry.url === null) {
        // relayed mode: the owner cannot be reached directly, a stream over Redis it is
        const tag = entry.tag;
        target = { connect: () => this.relay.connect(tag) };
      } else {
        try {
          target = parseTarget(entry.url);
        } catch {
          return unknown();
        }
      }
      const socket = req.socket;
      const client = { address: socket.remoteAddress || '', port: socket.remotePort || 0, via: this.nodeId };
      const auth = signForward(this.secret!, client, req.method || '', req.url || '');
      go(entry, target, auth);
    };
    let owner: NodeEntry | null | Promise<NodeEntry | null>;
    try {
      owner = this.ownerOf(sid);
    } catch {
      return unknown();
    }
    if (owner === null || !(owner instanceof Promise)) {
      proceed(owner);
      return;
    }
    owner.then(proceed, (err) => {
      if (debug.enabled) debug('owner lookup for %s failed: %s', sid, err);
      unknown();
    });
  }

  forwardRequest(req: IncomingMessage, res: ServerResponse, unknown: () => void): void {
    this.route(req, unknown, (entry, target, auth) => {
      const max = this.host !== null ? this.host.opts.maxHttpBufferSize : 1e6;
      this.forwarder.forward(req, res, target, auth, max, () => {
        // the owner is gone: its sessions with it
        this.nodes.forget(entry.tag);
        unknown();
      });
    });
  }

  forwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, unknown: () => void): void {
    this.route(req, unknown, (entry, target, auth) => {
      spliceUpgrade(req, socket, head, target, auth, this.timeout, () => {
        this.nodes.forget(entry.tag);
        unknown();
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.refreshTimer !== null) clearInterval(this.refreshTimer);
    this.refreshTimer = null;
    this.forwarder.close();
    this.markReady();
    if (this.loopback !== null) {
      this.loopback.closeAllConnections();
      this.loopback.close();
    }
    await Promise.all([this.nodes.leave(), this.sessions.clear(), this.relay.stop()]);
  }
}

/** The cluster layer for `new Server({ cluster: redisCluster({ redis, advertise }) })`. */
export function redisCluster(opts: RedisClusterOptions): RedisCluster {
  return new RedisCluster(opts);
}
