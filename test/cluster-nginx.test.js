'use strict';
// Many nodes behind Debian's nginx doing plain round-robin (no ip_hash, no cookie): three node
// processes sharing the Redis at 127.0.0.1:6379, in direct mode (each node advertises its own
// URL) and in relayed mode (no URL: requests and WebSockets for another node's session travel
// over Redis pub/sub), the official engine.io-client 6 and 3. Every session's requests land on all three
// nodes in turn; the owner checks the client's numbered messages, the client the owner's.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { Group, uniquePrefix, shift, dropPrefix, openRedis } = require('./support/cluster');
const { open, exchange, nextMessage, close } = require('./support/cluster-clients');

const N = 300;

/** Requests and upgrades that reached a node which did not own their session. */
async function foreign(nodes) {
  let requests = 0;
  let upgrades = 0;
  for (const node of nodes) {
    const { stats } = await node.stats();
    requests += stats.foreign;
    upgrades += stats.foreignUpgrades;
  }
  return { requests, upgrades };
}

function assertExchange({ report, server }, n) {
  assert.deepEqual(report, { count: n, inOrder: true, first: null }, 'the owner got c:0..c:n-1 exactly once, in order');
  assert.equal(server.length, n, 'the client got every s:i exactly once');
  for (let i = 0; i < n; i++) if (server[i] !== i) assert.fail(`s:${server[i]} arrived where s:${i} was due`);
}

async function ask(socket, question, prefix) {
  const answer = nextMessage(socket, (m) => typeof m === 'string' && m.startsWith(prefix));
  socket.send(question);
  return (await answer).slice(prefix.length);
}

function clusterSuite(title, { redisModule, customIds, direct = true }) {
  describe(title, () => {
    const group = new Group();
    const prefix = uniquePrefix('nginx');
    let nodes;
    let lb;
    let redis;

    before(async () => {
      const config = { prefix, secret: 'secret-' + prefix, redisModule, customIds, direct };
      nodes = await Promise.all(['a', 'b', 'c'].map((nodeId) => group.node({ ...config, nodeId })));
      lb = await group.nginx(nodes.map((n) => n.port));
      redis = await openRedis();
    });

    after(async () => {
      await group.stopAll();
      await dropPrefix(redis, prefix);
    });

    it(direct ? 'each node is in Redis under its tag, with the URL it advertises' : 'each node is in Redis under its tag, with no URL (relayed)', async () => {
      for (const node of nodes) {
        const entry = JSON.parse(await redis.get(`${prefix}:node:${node.tag}`));
        assert.equal(entry.id, node.nodeId);
        assert.equal(entry.url, direct ? `http://127.0.0.1:${node.port}` : null);
      }
    });

    if (customIds) {
      it('a custom id (longer, from an async generateId) is in Redis while its session lives, and gone after', async () => {
        const socket = await open(6, lb.url, { transports: ['polling'] });
        assert.match(socket.id, /^custom-[abc]-/);
        const owner = nodes.find((n) => socket.id.startsWith(`custom-${n.nodeId}-`));
        assert.equal(await redis.get(`${prefix}:sid:${socket.id}`), owner.tag);
        const ttl = await redis.pTTL(`${prefix}:sid:${socket.id}`);
        assert.ok(ttl > 0 && ttl <= 20000, `expires with the heartbeat deadline (pTTL ${ttl})`);
        assert.equal(await ask(socket, 'whoami', 'node:'), owner.nodeId);
        await close(socket);
        const deadline = Date.now() + 10000;
        while ((await redis.exists(`${prefix}:sid:${socket.id}`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        assert.equal(await redis.exists(`${prefix}:sid:${socket.id}`), 0, 'deleted on close');
      });
    } else {
      it('default ids stay 20 characters and start with the owner tag', async () => {
        const socket = await open(6, lb.url, { transports: ['polling'] });
        assert.equal(socket.id.length, 20);
        const owner = nodes.find((n) => socket.id.startsWith(n.tag));
        assert.ok(owner, `${socket.id} carries the tag of a node`);
        // the owner answers, whichever node the request lands on
        for (let i = 0; i < 3; i++) assert.equal(await ask(socket, 'whoami', 'node:'), owner.nodeId);
        await close(socket);
      });
    }

    it(`engine.io-client 6, polling only: ${N} numbered messages each way, exactly once and in order`, async () => {
      const before = await foreign(nodes);
      const socket = await open(6, lb.url, { transports: ['polling'] });
      assertExchange(await exchange(socket, N), N);
      await close(socket);
      const after = await foreign(nodes);
      assert.ok(after.requests - before.requests >= 3, 'requests of the session reached nodes that do not own it');
    });

    it(`engine.io-client 6, WebSocket only: ${N} numbered messages each way`, async () => {
      const socket = await open(6, lb.url, { transports: ['websocket'] });
      assert.equal(socket.transport.name, 'websocket');
      assertExchange(await exchange(socket, N), N);
      await close(socket);
    });

    it(`engine.io-client 6, polling then upgrade while both sides send: ${N} each way, and the upgrade lands anywhere`, async () => {
      const before = await foreign(nodes);
      // at least three rounds, and until an upgrade landed on a node that does not own its session
      for (let round = 0; round < 3 || ((await foreign(nodes)).upgrades === before.upgrades && round < 12); round++) {
        await shift(lb.port);
        const socket = await open(6, lb.url, { transports: ['polling', 'websocket'] });
        const upgraded = new Promise((resolve) => socket.once('upgrade', resolve));
        assertExchange(await exchange(socket, N), N);
        await upgraded;
        assert.equal(socket.transport.name, 'websocket');
        assertExchange(await exchange(socket, 50), 50);
        await close(socket);
      }
      const after = await foreign(nodes);
      assert.ok(after.upgrades - before.upgrades >= 1, 'at least one upgrade reached a node that did not own its session');
    });

    it(`engine.io-client 3 (protocol v3), polling only and with upgrade: ${N} each way`, async () => {
      for (const transports of [['polling'], ['polling', 'websocket']]) {
        const socket = await open(3, lb.url, { transports });
        assertExchange(await exchange(socket, N), N);
        await close(socket);
      }
    });

    it('binary messages over forwarded polling (v4 base64, v3 binary payloads) reach the owner and come back intact', async () => {
      for (const version of [6, 3]) {
        const socket = await open(version, lb.url, { transports: ['polling'] });
        const payload = Buffer.from(Array.from({ length: 1000 }, (_, i) => i & 0xff));
        for (let i = 0; i < 6; i++) {
          const back = nextMessage(socket, (m) => typeof m !== 'string');
          socket.send(version === 3 ? new Uint8Array(payload).buffer : payload);
          assert.deepEqual(Buffer.from(await back), payload, `engine.io-client ${version}`);
        }
        await close(socket);
      }
    });

    it("the owner's socket.request and remoteAddress are the client's handshake as it came through nginx", async () => {
      const socket = await open(6, lb.url, { transports: ['polling'], query: { room: 'x y' }, extraHeaders: { 'x-client': 'me' } });
      // asked several times: the answer travels through whichever node the requests land on
      for (let i = 0; i < 3; i++) {
        const info = JSON.parse(await ask(socket, 'info', 'info:'));
        assert.ok(socket.id.startsWith(nodes.find((n) => n.nodeId === info.nodeId).tag) || customIds);
        assert.equal(info.remoteAddress, '127.0.0.1');
        assert.equal(info.headers['x-client'], 'me');
        assert.equal(info.headers['x-engine-io-cluster'], undefined);
        assert.equal(info.query.room, 'x y');
        assert.equal(info.query.transport, 'polling');
      }
      await close(socket);
    });
  });
}

clusterSuite('three nodes behind round-robin nginx: direct mode, default ids, node-redis 5', { redisModule: 'redis', customIds: false });
clusterSuite('three nodes behind round-robin nginx: direct mode, custom async ids, node-redis 4', { redisModule: 'redis-v4', customIds: true });
clusterSuite('three nodes behind round-robin nginx: relayed mode (no advertise), default ids, node-redis 5', { redisModule: 'redis', customIds: false, direct: false });
clusterSuite('three nodes behind round-robin nginx: relayed mode (no advertise), custom async ids, node-redis 4', { redisModule: 'redis-v4', customIds: true, direct: false });
