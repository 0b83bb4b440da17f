'use strict';
// The engine.io-ts/cluster entry as a user meets it: require() and import, the package
// metadata (redis an optional peer dependency of this entry only), the declarations under a
// strict TypeScript consumer with node-redis 5 and 4, arguments checked, and close() that
// leaves Redis clean and the user's client open.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { createClient } = require('redis');
const { Server } = require('engine.io-ts');
const { redisCluster, RedisCluster, clusterClient } = require('engine.io-ts/cluster');
const { uniquePrefix, dropPrefix } = require('./support/cluster');

const root = path.join(__dirname, '..');

describe('engine.io-ts/cluster entry', () => {
  it('loads with require() and import; redis is an optional peer dependency', async () => {
    assert.equal(typeof redisCluster, 'function');
    assert.equal(typeof clusterClient, 'function');
    const esm = await import('engine.io-ts/cluster');
    assert.equal(esm.redisCluster, redisCluster);
    assert.equal(esm.RedisCluster, RedisCluster);
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    assert.deepEqual(Object.keys(pkg.exports['./cluster']), ['types', 'import', 'require']);
    assert.ok(pkg.peerDependencies.redis);
    assert.equal(pkg.peerDependenciesMeta.redis.optional, true);
    assert.equal(pkg.dependencies.redis, undefined);
    // the server entry does not load the cluster (nor redis) for one-node users
    const serverFiles = fs.readdirSync(path.join(root, 'dist', 'cjs', 'server'));
    for (const f of serverFiles.filter((n) => n.endsWith('.js'))) {
      assert.doesNotMatch(fs.readFileSync(path.join(root, 'dist', 'cjs', 'server', f), 'utf8'), /require\("(redis|\.\.\/cluster)/, f);
    }
  });

  it('refuses a missing client and a non-http advertise URL', () => {
    assert.throws(() => redisCluster({}), TypeError);
    assert.throws(() => redisCluster({ redis: { sendCommand: async () => null }, advertise: 'https://10.0.0.5' }), TypeError);
  });

  it('declarations: a strict TypeScript consumer compiles (node-redis 5 and 4 clients)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eio-types-'));
    try {
      const tsconfig = {
        compilerOptions: { strict: true, noEmit: true, module: 'node16', moduleResolution: 'node16', target: 'ES2022', types: ['node'], typeRoots: [path.join(root, 'node_modules', '@types')], skipLibCheck: true },
        files: [path.join(__dirname, 'support', 'cluster-types.ts')],
      };
      fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
      execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(dir, 'tsconfig.json')], { stdio: 'pipe' });
    } catch (err) {
      assert.fail(String(err.stdout || err.message));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a node joins, and close() removes its entry and custom ids, leaving the user\'s client open', async () => {
    const redis = createClient({ url: 'redis://127.0.0.1:6379' });
    await redis.connect();
    const prefix = uniquePrefix('entry');
    try {
      const cluster = redisCluster({ redis, prefix, nodeId: 'solo' });
      const engine = new Server({ cluster, pingInterval: 1000, pingTimeout: 1000 });
      assert.equal(engine.health().checks.cluster, false, 'not ready before it joined');
      assert.equal(engine.health().ready, false);
      // a handshake before the node is a member waits for it (its id must be routable)
      const early = cluster.register(engine.generateId({}));
      assert.ok(early instanceof Promise);
      await early;
      assert.equal(await redis.exists(`${prefix}:node:${cluster.tag}`), 1, 'joined by then');
      await cluster.ready;
      assert.equal(engine.health().checks.cluster, true, 'the readiness check says ready once joined');
      assert.match(cluster.tag, /^[A-Za-z0-9_-]{4}$/);
      assert.deepEqual(JSON.parse(await redis.get(`${prefix}:node:${cluster.tag}`)), { id: 'solo', url: null });
      assert.ok((await redis.pTTL(`${prefix}:node:${cluster.tag}`)) <= 2000, 'expires with the heartbeat deadline');
      // without a secret option, a token shared through Redis
      assert.equal(typeof (await redis.get(`${prefix}:secret`)), 'string');
      const id = engine.generateId({});
      assert.equal(id.length, 20);
      assert.ok(id.startsWith(cluster.tag));
      await cluster.register('my-own-id');
      assert.equal(await redis.get(`${prefix}:sid:my-own-id`), cluster.tag);
      engine.close();
      await cluster.close();
      assert.equal(await redis.exists(`${prefix}:node:${cluster.tag}`), 0);
      assert.equal(await redis.exists(`${prefix}:sid:my-own-id`), 0);
      assert.equal(redis.isReady, true, 'the user\'s client is not closed');
      assert.equal(await redis.ping(), 'PONG');
    } finally {
      await dropPrefix(redis, prefix);
    }
  });

  it('engine.io-ts/prometheus labels a clustered node\'s metrics with its nodeId (unless told otherwise)', async () => {
    const { Registry } = require('prom-client');
    const { registerMetrics } = require('engine.io-ts/prometheus');
    const redis = createClient({ url: 'redis://127.0.0.1:6379' });
    await redis.connect();
    const prefix = uniquePrefix('entry-metrics');
    const cluster = redisCluster({ redis, prefix, nodeId: 'web-7' });
    const engine = new Server({ cluster });
    try {
      await cluster.ready;
      const registry = new Registry();
      registerMetrics(engine, { registry });
      const text = await registry.metrics();
      assert.match(text, /^eio_handshakes_total\{transport="polling",node="web-7"\} 0$/m);
      const named = new Registry();
      registerMetrics(engine, { registry: named, node: 'blue' });
      assert.match(await named.metrics(), /^eio_handshakes_total\{transport="polling",node="blue"\} 0$/m);
      // one node without the cluster: no node label at all
      const solo = new Server();
      const plain = new Registry();
      registerMetrics(solo, { registry: plain });
      assert.match(await plain.metrics(), /^eio_handshakes_total\{transport="polling"\} 0$/m);
      solo.close();
    } finally {
      engine.close();
      await cluster.close();
      await dropPrefix(redis, prefix);
    }
  });
});
