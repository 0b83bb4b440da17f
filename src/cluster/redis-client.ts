// The part of a node-redis client (v4 or v5, `createClient()` of the `redis` package) that the
// cluster uses. Typed structurally, so the declarations of engine.io-ts/cluster do not depend
// on the `redis` package (a peer dependency of this entry only) and both majors fit.
export type RedisReply = string | number | null | RedisReply[] | Buffer;

export interface RedisLike {
  /** Raw command: `['SET', key, value, 'PX', '1000']`; resolves Redis's reply. */
  sendCommand(args: string[]): Promise<unknown>;
  readonly isReady?: boolean;
  duplicate?(): RedisLike;
  connect?(): Promise<unknown>;
}

/** A command that gives up after `ms` (node-redis queues commands while offline: never hang). */
export function command(redis: RedisLike, args: string[], ms: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis: no answer to ${args[0]} within ${ms} ms`)), ms);
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
