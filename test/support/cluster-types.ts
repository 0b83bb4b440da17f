// Compiled (never run) by test/cluster-entry.test.js: a strict TypeScript consumer of
// engine.io-ts/cluster with node-redis 5 and 4 clients.
import { Server } from 'engine.io-ts';
import { redisCluster, RedisCluster, clusterClient } from 'engine.io-ts/cluster';
import type { RedisClusterOptions, ForwardedClient } from 'engine.io-ts/cluster';
import { createClient } from 'redis';
import { createClient as createClientV4 } from 'redis-v4';

async function main(): Promise<void> {
  const redis = createClient({ url: 'redis://127.0.0.1:6379' });
  await redis.connect();
  const cluster: RedisCluster = redisCluster({ redis, advertise: 'http://10.0.0.5:3000', nodeId: 'n1', prefix: 'eio', secret: 'x' });
  const engine = new Server({ cluster, pingInterval: 1000 });
  await cluster.ready;
  const tag: string = cluster.tag;
  const v4 = createClientV4();
  const opts: RedisClusterOptions = { redis: v4 };
  redisCluster(opts);
  engine.on('headers', (_h: unknown, req: import('http').IncomingMessage) => {
    const c: ForwardedClient | undefined = clusterClient(req);
    if (c) console.log(c.address, c.port, c.via, tag);
  });
}
main();
