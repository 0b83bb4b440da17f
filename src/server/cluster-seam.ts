// What the Server asks of a cluster layer (the `cluster` option, e.g. `redisCluster()` from
// engine.io-ts/cluster). The server stays a one-node server: it consults the layer only for
// sessions it does not hold, for the ids it hands out, and when it closes. Everything about
// other nodes (where they are, how to reach them, who may speak for them) lives behind this.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** What a cluster layer may read of the server that binds it. */
export interface ClusterHost {
  readonly opts: {
    readonly pingInterval: number;
    readonly pingTimeout: number;
    readonly maxHttpBufferSize: number;
    readonly maxBufferedAmount: number;
  };
  /** The engine's own entry points: a relayed request is handed to them as if it came in here. */
  handleRequest(req: IncomingMessage, res: ServerResponse): unknown;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): unknown;
  /** A condition of the server's readiness (health()): the layer says whether it can serve. */
  addReadinessCheck?(name: string, check: () => boolean): unknown;
}

/**
 * How the cluster judges a request that reached this node: from a client (no inter-node
 * credentials), forwarded by a member (credentials checked), or forged (claims to come from a
 * member, credentials wrong: refused 403, code 4).
 */
export type InboundVerdict = 'client' | 'member' | 'forged';

export interface ClusterSeam {
  /** This node's name in the cluster (the default `node` label of engine.io-ts/prometheus). */
  readonly nodeId?: string;
  /** Called once by the Server given this layer in its options. */
  bind(server: ClusterHost): void;
  /**
   * The default id generator's hook: turns a fresh random 20-character id into one that names
   * this node (same length), so any node finds the owner without asking anybody.
   */
  makeId(localId: string): string;
  /**
   * A session is about to open with `id`. null when the id routes by itself (made by makeId);
   * otherwise a Promise that settles once other nodes can find the owner (a custom id is
   * registered in a shared store), so the client's next request, wherever it lands, finds it.
   */
  register(id: string): Promise<void> | null;
  /** A session of this node closed. */
  sessionClosed(id: string): void;
  /** Judges a request before anything else looks at it (and marks a member's request). */
  inbound(req: IncomingMessage): InboundVerdict;
  /**
   * A polling request for a sid this node does not hold: the layer answers it (through the
   * owner), or calls `unknown()` at once when no node owns the sid.
   */
  forwardRequest(req: IncomingMessage, res: ServerResponse, unknown: () => void): void;
  /** The same for a WebSocket upgrade. */
  forwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, unknown: () => void): void;
  /** Leaves the cluster (removes this node's shared entries). Never closes the user's clients. */
  close(): void | Promise<void>;
}
