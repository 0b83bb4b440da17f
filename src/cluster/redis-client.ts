// The part of a node-redis client (v4 or v5, `createClient()` of the `redis` package) that the
// cluster uses. Typed structurally, so the declarations of engine.io-ts/cluster do not depend
// on the `redis` package (a peer dependency of this entry only) and both majors fit.
export type RedisReply = string | number | null | RedisReply[] | Buffer;

export interface RedisLike {
  /** Raw command: `['SET', key, value, 'PX', '1000']`; resolves Redis's reply. */
  sendCommand(args: Array<string | Buffer>): Promise<unknown>;
  readonly isReady?: boolean;
  duplicate?(): RedisLike;
  connect?(): Promise<unknown>;
  /** Pub/sub on a duplicate (relayed mode): `bufferMode` true hands the listener Buffers. */
  subscribe?(channel: string, listener: (message: Buffer, channel: Buffer) => void, bufferMode: true): Promise<unknown>;
  quit?(): Promise<unknown>;
  on?(event: 'error', listener: (err: Error) => void): unknown;
}

/**
 * A command that gives up after `ms`, and at once while the client is reconnecting (node-redis
 * would queue it until Redis is back: a request must never hang on that).
 */
export function command(redis: RedisLike, args: Array<string | Buffer>, ms: number): Promise<unknown> {
  if (redis.isReady === false) return Promise.reject(new Error(`redis: not connected (${String(args[0])})`));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis: no answer to ${String(args[0])} within ${ms} ms`)), ms);
    redis.sendCommand(args).then(
      (reply) => {
        clearTimeout(timer);
        resolve(reply);
      },
      (err) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
