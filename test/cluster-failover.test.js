'use strict';
// An owner dies (SIGKILL): its polling sessions are answered 400 code 1 at once by the others,
// its WebSockets spliced through another node close (at once in direct mode, relayed at the
// next check that the owner still listens on Redis), the official clients behind nginx see
// their session end, a new session opens on a live node, the sessions of a live node keep
// working (those behind nginx with a request in flight through a killed node may end: counted
// and printed), and the dead node's Redis entries (node entry, custom ids) expire within one
// heartbeat deadline (pingInterval + pingTimeout).
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { request } = require('./support/index');
const { Group, uniquePrefix, shift, dropPrefix, openRedis } = require('./support/cluster');
const { open, exchange, close } = require('./support/cluster-clients');

const PING_INTERVAL = 1500;
const PING_TIMEOUT = 1500;
const DEADLINE = PING_INTERVAL + PING_TIMEOUT;

function poll(port, sid, ms = 10000) {
  return request(port, { path: `/engine.io/?EIO=4&transport=polling${sid ? `&sid=${encodeURIComponent(sid)}` : ''}` }, ms);
}

function failoverSuite(direct) {
  describe(`SIGKILL of an owner (${direct ? 'direct' : 'relayed'} mode, nginx round-robin)`, () => {
    const group = new Group();
    const prefix = uniquePrefix('failover');
    let nodes;
    let lb;
    let redis;

    before(async () => {
      const config = { prefix, secret: 's-' + prefix, pingInterval: PING_INTERVAL, pingTimeout: PING_TIMEOUT, direct };
      nodes = await Promise.all([
        group.node({ ...config, nodeId: 'a' }),
        group.node({ ...config, nodeId: 'b' }),
        group.node({ ...config, nodeId: 'c' }),
        group.node({ ...config, nodeId: 'd', customIds: true }),
      ]);
      lb = await group.nginx(nodes.map((n) => n.port));
      redis = await openRedis();
    });

    after(async () => {
      await group.stopAll();
      await dropPrefix(redis, prefix);
    });

    it('sessions of the killed nodes end at once for their clients; entries expire; new sessions go to live nodes', async () => {
      const [a, b, c, d] = nodes;
      // on c (default id) and d (custom id): a polling session each, known to a and b through a request
      const pollC = JSON.parse((await poll(c.port)).text.slice(1)).sid;
      const pollD = JSON.parse((await poll(d.port)).text.slice(1)).sid;
      assert.match(pollD, /^custom-d-/);
      assert.equal(await redis.get(`${prefix}:sid:${pollD}`), d.tag);
      for (const sid of [pollC, pollD]) {
        const res = await request(a.port, { method: 'POST', path: `/engine.io/?EIO=4&transport=polling&sid=${sid}`, body: '4hello', headers: { 'content-type': 'text/plain' } });
        assert.equal(res.status, 200);
      }
      // a WebSocket-only session owned by c, reached through b (spliced)
      const wsHandshake = new WebSocket(`ws://127.0.0.1:${c.port}/engine.io/?EIO=4&transport=websocket`);
      const sidWs = await new Promise((resolve, reject) => {
        wsHandshake.once('message', (data) => resolve(JSON.parse(data.toString().slice(1)).sid));
        wsHandshake.once('error', reject);
      });
      wsHandshake.close();
      const pollWs = JSON.parse((await poll(c.port)).text.slice(1)).sid;
      const spliced = new WebSocket(`ws://127.0.0.1:${b.port}/engine.io/?EIO=4&transport=websocket&sid=${pollWs}`);
      await new Promise((resolve, reject) => {
        spliced.once('open', resolve);
        spliced.once('error', reject);
      });
      spliced.send('2probe');
      await new Promise((resolve) => spliced.once('message', resolve));
      spliced.send('5');
      // an official client behind nginx, whose session is on c or d, or elsewhere
      const clients = [];
      for (let i = 0; i < 12; i++) {
        await shift(lb.port);
        clients.push(await open(6, lb.url, { transports: ['polling'] }));
      }
      const doomed = clients.filter((s) => s.id.startsWith(c.tag) || s.id.startsWith('custom-d-'));
      const others = clients.filter((s) => !doomed.includes(s));
      assert.ok(doomed.length > 0 && others.length > 0, 'round-robin put sessions on the killed nodes and on the others');
      // sessions of a live node whose requests never pass through the killed ones
      const spared = [];
      for (let i = 0; i < 2; i++) spared.push(await open(6, `http://127.0.0.1:${a.port}`, { transports: ['polling'] }));
      const collateral = [];
      for (const s of others) s.once('close', (reason) => collateral.push(reason));
      const doomedClosed = doomed.map((s) => new Promise((resolve) => s.once('close', (reason) => resolve({ reason, at: Date.now() }))));
      const ttlBefore = await redis.pTTL(`${prefix}:node:${c.tag}`);
      assert.ok(ttlBefore > 0 && ttlBefore <= DEADLINE, `node entry expires within the heartbeat deadline (${ttlBefore} ms)`);

      const splicedClosed = new Promise((resolve) => spliced.once('close', () => resolve(Date.now())));
      const killedAt = Date.now();
      c.child.kill('SIGKILL');
      d.child.kill('SIGKILL');
      await Promise.all([c.exited, d.exited]);

      // the WebSocket through b closes at once in direct mode (the owner's end of the TCP splice
      // went); relayed, at b's next check whether the owner still listens on Redis (every third
      // of a heartbeat deadline: this raw client sends nothing that would find it gone sooner)
      const wsGone = (await splicedClosed) - killedAt;
      // polling requests for the dead sessions: 400 code 1 at once, on every live node
      const answered = [];
      for (const node of [a, b]) {
        for (const sid of [pollC, pollD, sidWs]) {
          const t0 = Date.now();
          const res = await poll(node.port, sid);
          answered.push(Date.now() - t0);
          assert.equal(res.status, 400, `${sid} on ${node.nodeId}`);
          assert.deepEqual(JSON.parse(res.text), { code: 1, message: 'Session ID unknown' });
        }
      }
      // the official clients of the dead nodes see their session end within one heartbeat deadline
      const ends = await Promise.all(doomedClosed);
      const slowest = Math.max(...ends.map((e) => e.at - killedAt));
      console.log(`# ${direct ? 'direct' : 'relayed'}: after SIGKILL: spliced WebSocket closed in ${wsGone} ms, polls answered in max ${Math.max(...answered)} ms, clients closed in max ${slowest} ms; ${collateral.length} of ${others.length} sessions owned by live nodes closed too (a request in flight through a killed node)`);
      assert.ok(wsGone < (direct ? DEADLINE : DEADLINE * 2), `spliced WebSocket closed after ${wsGone} ms`);
      assert.ok(Math.max(...answered) < 1000);
      assert.ok(slowest < DEADLINE * 2, `clients closed after ${slowest} ms`);
      // a long-poll GET cut with the killed node that forwarded it is retried by nginx through a
      // live node and taken by the owner: those sessions live on. (One may still end if its pong
      // POST was in flight through a killed node at that instant: nginx does not retry a POST.)
      assert.ok(collateral.length <= 1, `${collateral.length} sessions of live nodes ended`);
      // the others keep working, and a new session opens on a live node
      for (const s of spared) {
        const r = await exchange(s, 50);
        assert.deepEqual(r.report, { count: 50, inOrder: true, first: null });
        await close(s);
      }
      const fresh = await open(6, lb.url, { transports: ['polling', 'websocket'] });
      assert.ok(fresh.id.startsWith(a.tag) || fresh.id.startsWith(b.tag));
      assert.deepEqual((await exchange(fresh, 50)).report, { count: 50, inOrder: true, first: null });
      await close(fresh);
      // the dead nodes' entries are gone within one heartbeat deadline of the kill
      const until = killedAt + DEADLINE * 3;
      for (const key of [`${prefix}:node:${c.tag}`, `${prefix}:node:${d.tag}`, `${prefix}:sid:${pollD}`]) {
        while ((await redis.exists(key)) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
        assert.equal(await redis.exists(key), 0, `${key} expired`);
      }
      for (const s of [...doomed, ...others]) s.close();
    });
  });
}

failoverSuite(true);
failoverSuite(false);
