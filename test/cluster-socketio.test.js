'use strict';
// socket.io@4 on a cluster of engine.io-ts nodes behind round-robin nginx: io.bind(engine) on
// every node, @socket.io/redis-adapter for broadcasts, official socket.io-client@4. Polling
// clients owned by different nodes all get a broadcast made on one of them; acknowledged
// numbered events arrive exactly once and in order.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { createClient } = require('redis');
const ioc = require('socket.io-client');
const { Group, uniquePrefix, shift } = require('./support/cluster');

function connect(url, opts) {
  const socket = ioc(url, { reconnection: false, forceNew: true, ...opts });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

function sioSuite(title, { direct, redisModule }) {
  describe(title, () => {
    const group = new Group();
    const prefix = uniquePrefix('sio');
    let nodes;
    let lb;
    const clients = [];

    before(async () => {
      const config = { prefix, secret: 's-' + prefix, direct, redisModule };
      nodes = await Promise.all(['a', 'b', 'c'].map((nodeId) => group.node({ ...config, nodeId }, 'cluster-sio-node.js')));
      lb = await group.nginx(nodes.map((n) => n.port));
    });

    after(async () => {
      for (const c of clients) c.disconnect();
      await group.stopAll();
      const redis = createClient({ url: 'redis://127.0.0.1:6379' });
      await redis.connect();
      const left = await redis.keys(prefix + '*');
      if (left.length) await redis.del(left);
      await redis.quit();
    });

    it('a broadcast from one node reaches polling clients owned by the others', async () => {
      for (let i = 0; i < 6; i++) {
        await shift(lb.port, '/socket.io/');
        clients.push(await connect(lb.url, { transports: ['polling'] }));
      }
      const owners = new Set(await Promise.all(clients.map((c) => c.timeout(5000).emitWithAck('whoami'))));
      assert.equal(owners.size, 3, 'round-robin put the sessions on all three nodes');
      const got = clients.map((c) => new Promise((resolve) => c.once('shouted', (text, from) => resolve({ text, from }))));
      clients[0].emit('shout', 'hello all');
      const all = await Promise.all(got);
      for (const g of all) assert.equal(g.text, 'hello all');
    });

    it('300 acknowledged numbered events, polling only, WebSocket only and with the upgrade, arrive once and in order', async () => {
      for (const transports of [['polling'], ['websocket'], ['polling', 'websocket']]) {
        const socket = await connect(lb.url, { transports });
        clients.push(socket);
        const acks = [];
        for (let i = 0; i < 300; i++) acks.push(socket.timeout(10000).emitWithAck('seq', i));
        const results = await Promise.all(acks);
        assert.ok(results.every((r) => r.ok), 'each number was the next one on the owner');
        if (transports.length === 2) {
          const engine = socket.io.engine;
          if (engine.transport.name !== 'websocket') await new Promise((resolve) => engine.once('upgrade', resolve));
          const more = [];
          for (let i = 300; i < 350; i++) more.push(socket.timeout(10000).emitWithAck('seq', i));
          assert.ok((await Promise.all(more)).every((r) => r.ok), 'and after the upgrade');
        }
      }
    });
  });
}

sioSuite('socket.io@4 + @socket.io/redis-adapter on three engine.io-ts nodes behind nginx (direct mode, node-redis 5)', { direct: true, redisModule: 'redis' });
sioSuite('socket.io@4 + @socket.io/redis-adapter on three engine.io-ts nodes behind nginx (relayed mode, node-redis 4)', { direct: false, redisModule: 'redis-v4' });
