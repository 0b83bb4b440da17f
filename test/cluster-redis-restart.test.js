'use strict';
// Redis goes away and comes back (a private redis-server on an ephemeral port, never the
// shared one): sessions with default ids keep working through the outage (their owners are
// read off the ids and the nodes' caches), an unknown sid is still answered 400 code 1 at once
// (never a hang), and once Redis is back the node entries are written
// again so a node started afterwards is found by the others.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const { once } = require('node:events');
const net = require('node:net');
const { createClient } = require('redis');
const { request } = require('./support/index');
const { Group, uniquePrefix, freePort, shift } = require('./support/cluster');
const { open, exchange, close } = require('./support/cluster-clients');

async function startRedis(port) {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const deadline = Date.now() + 10000;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return child;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function until(check, ms, what) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Redis restarts under a running cluster (direct mode, nginx)', () => {
  const group = new Group();
  const prefix = uniquePrefix('restart');
  let redisPort;
  let redisServer;
  let nodes;
  let lb;
  let config;
  const sockets = [];

  before(async () => {
    redisPort = await freePort();
    redisServer = await startRedis(redisPort);
    config = { prefix, secret: 's-' + prefix, redisUrl: `redis://127.0.0.1:${redisPort}`, pingInterval: 1500, pingTimeout: 1500 };
    nodes = await Promise.all(['a', 'b'].map((nodeId) => group.node({ ...config, nodeId })));
    lb = await group.nginx(nodes.map((n) => n.port));
  });

  after(async () => {
    for (const s of sockets) s.close();
    await group.stopAll();
    if (redisServer && redisServer.exitCode === null) {
      redisServer.kill('SIGKILL');
      await once(redisServer, 'exit');
    }
  });

  it('default-id sessions live through the outage; unknown sids are answered; entries come back with Redis', async () => {
    const [a, b] = nodes;
    // one session owned by each node, used on both (so each node has seen the other's tag)
    const owned = new Map();
    for (let i = 0; i < 8 && owned.size < 2; i++) {
      const s = await open(6, lb.url, { transports: ['polling'] });
      sockets.push(s);
      const owner = nodes.find((n) => s.id.startsWith(n.tag));
      if (!owned.has(owner.nodeId)) owned.set(owner.nodeId, s);
      await shift(lb.port);
    }
    assert.equal(owned.size, 2);
    for (const s of owned.values()) assert.deepEqual((await exchange(s, 50)).report, { count: 50, inOrder: true, first: null });

    redisServer.kill('SIGKILL');
    await once(redisServer, 'exit');

    for (const s of owned.values()) assert.deepEqual((await exchange(s, 100)).report, { count: 100, inOrder: true, first: null });
    // a new session during the outage: its default id needs no Redis either
    const fresh = await open(6, lb.url, { transports: ['polling', 'websocket'] });
    sockets.push(fresh);
    assert.deepEqual((await exchange(fresh, 100)).report, { count: 100, inOrder: true, first: null });
    // an id nobody has: the lookup fails (no Redis), the answer is still 400 code 1, not a hang
    const t0 = Date.now();
    const res = await request(a.port, { path: '/engine.io/?EIO=4&transport=polling&sid=ZZZZZZZZZZZZZZZZZZZZ' }, 15000);
    const took = Date.now() - t0;
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.text), { code: 1, message: 'Session ID unknown' });
    console.log(`# unknown sid during the outage answered in ${took} ms`);
    // no command is queued for a Redis that is not there (the client knows it is reconnecting)
    assert.ok(took < 1000, `answered after ${took} ms`);

    redisServer = await startRedis(redisPort);
    const redis = createClient({ url: `redis://127.0.0.1:${redisPort}` });
    await redis.connect();
    try {
      // the nodes reconnect by themselves and write their entries again
      await until(async () => (await redis.exists(`${prefix}:node:${a.tag}`)) + (await redis.exists(`${prefix}:node:${b.tag}`)) === 2, 15000, 'node entries rewritten');
      // a node that starts now is found by the others
      const c = await group.node({ ...config, nodeId: 'c' });
      const hs = await request(c.port, { path: '/engine.io/?EIO=4&transport=polling' });
      const sid = JSON.parse(hs.text.slice(1)).sid;
      assert.ok(sid.startsWith(c.tag));
      const post = await request(a.port, { method: 'POST', path: `/engine.io/?EIO=4&transport=polling&sid=${sid}`, body: '4c:0', headers: { 'content-type': 'text/plain' } });
      assert.equal(post.status, 200);
      assert.equal(post.headers['x-test-served-by'], 'c');
      for (const s of owned.values()) assert.deepEqual((await exchange(s, 50)).report, { count: 50, inOrder: true, first: null });
    } finally {
      await redis.quit();
    }
    for (const s of [...owned.values(), fresh]) await close(s);
  });
});

describe('Redis restarts under a relayed cluster (no advertise)', () => {
  const group = new Group();
  const prefix = uniquePrefix('restart-relayed');
  let redisPort;
  let redisServer;
  let nodes;

  before(async () => {
    redisPort = await freePort();
    redisServer = await startRedis(redisPort);
    const config = { prefix, secret: 's-' + prefix, redisUrl: `redis://127.0.0.1:${redisPort}`, pingInterval: 1500, pingTimeout: 1500, direct: false };
    nodes = await Promise.all(['a', 'b'].map((nodeId) => group.node({ ...config, nodeId })));
  });

  after(async () => {
    await group.stopAll();
    if (redisServer && redisServer.exitCode === null) {
      redisServer.kill('SIGKILL');
      await once(redisServer, 'exit');
    }
  });

  it('what needs Redis fails at once while it is gone, and works again once it is back (subscriptions restored)', async () => {
    const [a, b] = nodes;
    const post = (port, sid, body) => request(port, { method: 'POST', path: `/engine.io/?EIO=4&transport=polling&sid=${sid}`, body, headers: { 'content-type': 'text/plain' } }, 15000);
    const hs = async (port) => JSON.parse((await request(port, { path: '/engine.io/?EIO=4&transport=polling' })).text.slice(1)).sid;
    const sid = await hs(a.port);
    assert.equal((await post(b.port, sid, '4c:0')).status, 200, 'relayed through Redis');

    redisServer.kill('SIGKILL');
    await once(redisServer, 'exit');
    // a request that must travel through Redis: a clear refusal, at once
    const t0 = Date.now();
    const res = await post(b.port, sid, '4c:1');
    const took = Date.now() - t0;
    assert.equal(res.status, 400);
    assert.equal(JSON.parse(res.text).code, 1);
    assert.ok(took < 1000, `answered after ${took} ms`);
    // the owner itself still serves its session
    assert.equal((await post(a.port, sid, '4c:1')).status, 200);

    redisServer = await startRedis(redisPort);
    const redis = createClient({ url: `redis://127.0.0.1:${redisPort}` });
    await redis.connect();
    try {
      await until(async () => (await redis.exists(`${prefix}:node:${a.tag}`)) + (await redis.exists(`${prefix}:node:${b.tag}`)) === 2, 15000, 'node entries rewritten');
      // both nodes listen on their channels again
      await until(async () => {
        const reply = await redis.sendCommand(['PUBSUB', 'NUMSUB', `${prefix}:relay:${a.tag}`, `${prefix}:relay:${b.tag}`]);
        return Number(reply[1]) === 1 && Number(reply[3]) === 1;
      }, 15000, 'relay subscriptions restored');
      const fresh = await hs(b.port);
      for (let i = 0; i < 5; i++) assert.equal((await post(a.port, fresh, `4c:${i}`)).status, 200);
      assert.equal((await post(b.port, sid, '4c:2')).status, 200, 'the old session relayed again');
    } finally {
      await redis.quit();
    }
  });
});
