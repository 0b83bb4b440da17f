// engine.io-ts/cluster: many nodes behind any load balancer, no sticky sessions, on Redis.
//   const engine = new Server({ cluster: redisCluster({ redis, advertise: 'http://10.0.0.5:3000' }) });
export { redisCluster, RedisCluster, clusterClient } from './redis-cluster';
export type { RedisClusterOptions } from './redis-cluster';
export type { RedisLike } from './redis-client';
export type { ForwardedClient } from './member-auth';
export type { NodeEntry } from './node-registry';
