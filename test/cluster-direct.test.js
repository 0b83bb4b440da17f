'use strict';
// The cluster's routing seen request by request: three node processes on Redis (direct mode),
// requests sent straight at chosen nodes (no balancer), so each case is exact: a session's
// requests on every node, the upgrade on a third node while polling goes on, unknown sids,
// forged inter-node requests, the body limit before forwarding, and a node leaving.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { createHmac } = require('node:crypto');
const WebSocket = require('ws');
const { request } = require('./support/index');
const { Group, uniquePrefix, dropPrefix, openRedis } = require('./support/cluster');

const SEP = '\x1e';
const LIMIT = 2000;

/** A v4 polling request straight at `port`. */
function poll(port, sid, { method = 'GET', body, headers } = {}, ms = 15000) {
  const path = `/engine.io/?EIO=4&transport=polling${sid ? `&sid=${encodeURIComponent(sid)}` : ''}`;
  return request(port, { method, path, body, headers: { ...(body !== undefined ? { 'content-type': 'text/plain;charset=UTF-8' } : {}), ...headers } }, ms);
}

async function handshake(port) {
  const res = await poll(port);
  assert.equal(res.status, 200);
  return JSON.parse(res.text.slice(1));
}

const messages = (text) => text.split(SEP).filter((p) => p[0] === '4').map((p) => p.slice(1));

/** A member header as member-auth.ts makes it, signed with `secret` at time `ts`. */
function memberHeader(secret, method, url, { ts = Date.now(), address = '10.9.8.7', port = 1234, via = 'z' } = {}) {
  const mac = createHmac('sha256', secret).update(`v1\n${ts}\n${address}\n${port}\n${via}\n${method}\n${url}`).digest('base64url');
  return `v1 ${ts} ${address} ${port} ${via} ${mac}`;
}

describe('cluster routing, request by request (direct mode, three nodes, no balancer)', () => {
  const group = new Group();
  const prefix = uniquePrefix('direct');
  const secret = 'secret-' + prefix;
  let nodes;
  let redis;

  before(async () => {
    const config = { prefix, secret, maxHttpBufferSize: LIMIT };
    nodes = await Promise.all(['a', 'b', 'c'].map((nodeId) => group.node({ ...config, nodeId })));
    redis = await openRedis();
  });

  after(async () => {
    await group.stopAll();
    await dropPrefix(redis, prefix);
  });

  it("a session's GETs and POSTs are served by its owner wherever they land; the owner learns the client's address", async () => {
    const [a, b, c] = nodes;
    const { sid } = await handshake(a.port);
    assert.ok(sid.startsWith(a.tag));
    // POSTs on b and c, in turn, numbered
    for (let i = 0; i < 30; i++) {
      const via = i % 2 ? b : c;
      const res = await poll(via.port, sid, { method: 'POST', body: `4c:${i}` });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.text, 'ok');
      assert.equal(res.headers['x-test-served-by'], 'a', 'answered by the owner');
      // the owner saw the address and port the request came from (this process, on 127.0.0.1)
      assert.match(res.headers['x-test-forwarded-for'], new RegExp(`^127\\.0\\.0\\.1:\\d+ via ${via.nodeId}$`));
    }
    // a GET on c held while a POST on b asks for a burst: the burst comes back through c
    const held = poll(c.port, sid);
    const asked = await poll(b.port, sid, { method: 'POST', body: `4c:end${SEP}4burst:3` });
    assert.equal(asked.status, 200);
    const got = [];
    let res = await held;
    for (;;) {
      assert.equal(res.status, 200, res.text);
      got.push(...messages(res.text));
      if (got.includes('s:end')) break;
      res = await poll(b.port, sid);
    }
    assert.deepEqual(got, ['report:{"count":30,"inOrder":true,"first":null}', 's:0', 's:1', 's:2', 's:end']);
    const direct = await poll(a.port, sid, { method: 'POST', body: '1' });
    assert.equal(direct.status, 200);
    assert.equal(direct.headers['x-test-forwarded-for'], undefined, 'a request the owner got itself carries nobody else');
  });

  it('JSONP polling: the handshake on one node, the form-encoded POST on a second, the GET on a third', async () => {
    const [a, b, c] = nodes;
    const jsonp = (port, sid, opts = {}) =>
      request(port, { path: `/engine.io/?EIO=4&transport=polling&j=3${sid ? `&sid=${sid}` : ''}`, ...opts });
    const hs = await jsonp(a.port);
    assert.equal(hs.status, 200);
    const open = /^___eio\[3\]\((".*")\);$/.exec(hs.text);
    assert.ok(open, hs.text);
    const sid = JSON.parse(JSON.parse(open[1]).slice(1)).sid;
    const posted = await jsonp(b.port, sid, {
      method: 'POST',
      body: 'd=' + encodeURIComponent(`4c:0${SEP}4c:end${SEP}4burst:2`),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(posted.status, 200, posted.text);
    const got = [];
    while (!got.includes('s:end')) {
      const res = await jsonp(c.port, sid);
      assert.equal(res.status, 200, res.text);
      const m = /^___eio\[3\]\((".*")\);$/.exec(res.text);
      assert.ok(m, res.text);
      got.push(...messages(JSON.parse(m[1])));
    }
    assert.deepEqual(got, ['report:{"count":1,"inOrder":true,"first":null}', 's:0', 's:1', 's:end']);
  });

  it('the upgrade completes on a third node while the client polls and posts through a second', async () => {
    const [a, b, c] = nodes;
    const { sid } = await handshake(a.port);
    const ws = new WebSocket(`ws://127.0.0.1:${c.port}/engine.io/?EIO=4&transport=websocket&sid=${sid}`);
    const frames = [];
    ws.on('message', (data) => frames.push(data.toString()));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    // still polling: a GET held on b, POSTs on b
    const held = poll(b.port, sid);
    for (let i = 0; i < 10; i++) assert.equal((await poll(b.port, sid, { method: 'POST', body: `4c:${i}` })).status, 200);
    ws.send('2probe');
    while (!frames.includes('3probe')) await new Promise((r) => setTimeout(r, 5));
    // the probe answered, the held GET is released (noop) so the client can switch
    const released = await held;
    assert.equal(released.status, 200);
    assert.ok(released.text.split(SEP).includes('6'), `noop released the poll: ${released.text}`);
    for (let i = 10; i < 20; i++) assert.equal((await poll(b.port, sid, { method: 'POST', body: `4c:${i}` })).status, 200);
    ws.send('5');
    for (let i = 20; i < 40; i++) ws.send(`4c:${i}`);
    ws.send('4c:end');
    ws.send('4burst:5');
    while (!frames.includes('4s:end')) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(
      frames.filter((f) => f[0] === '4'),
      ['4report:{"count":40,"inOrder":true,"first":null}', '4s:0', '4s:1', '4s:2', '4s:3', '4s:4', '4s:end'],
    );
    ws.close();
  });

  it('a forwarded GET whose connection is cut: the owner waits for another GET (a balancer retry) before taking the client as gone', async () => {
    const [a, b, c] = nodes;
    for (const retry of [true, false]) {
      const { sid } = await handshake(a.port);
      const seen = a.events.length;
      // a GET through b, cut before any answer (as when b dies, or the client leaves)
      await new Promise((resolve) => {
        const req = http.get({ host: '127.0.0.1', port: b.port, path: `/engine.io/?EIO=4&transport=polling&sid=${sid}`, agent: false });
        req.on('error', () => {});
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 100);
      });
      if (retry) {
        // the retry through c is taken; the session goes on
        const held = poll(c.port, sid);
        assert.equal((await poll(c.port, sid, { method: 'POST', body: '4whoami' })).status, 200);
        const res = await held;
        assert.deepEqual(messages(res.text), ['node:a']);
        await new Promise((r) => setTimeout(r, 1500));
        assert.equal(a.events.slice(seen).find((m) => m.type === 'close' && m.id === sid), undefined, 'still open after the grace');
        assert.equal((await poll(b.port, sid, { method: 'POST', body: '1' })).status, 200);
      } else {
        // no GET comes: the client is gone, the session closes after the grace period
        const closed = await a.wait((m) => m.type === 'close' && m.id === sid && a.events.indexOf(m) >= seen, 5000);
        assert.equal(closed.reason, 'transport error');
      }
    }
  });

  it('an unknown sid is answered 400 code 1 within milliseconds, on every node, whatever its shape', async () => {
    const times = [];
    const live = nodes[1].tag;
    const shapes = [
      'AAAAAAAAAAAAAAAAAAAA', // default shape, a tag nobody has
      live + 'BBBBBBBBBBBBBBBB', // the tag of a live node, a session it does not have
      'custom-not-registered-anywhere-1234567890', // a custom id nobody registered
      'x', // no shape at all
    ];
    for (const node of nodes) {
      for (const sid of shapes) {
        for (const method of ['GET', 'POST']) {
          const t0 = process.hrtime.bigint();
          const res = await poll(node.port, sid, method === 'POST' ? { method, body: '4x' } : {});
          times.push(Number(process.hrtime.bigint() - t0) / 1e6);
          assert.equal(res.status, 400, `${method} ${sid} on ${node.nodeId}`);
          assert.deepEqual(JSON.parse(res.text), { code: 1, message: 'Session ID unknown' });
        }
      }
    }
    // an upgrade with an unknown sid: refused too
    const ws = new WebSocket(`ws://127.0.0.1:${nodes[0].port}/engine.io/?EIO=4&transport=websocket&sid=${live}CCCCCCCCCCCCCCCC`);
    const status = await new Promise((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode));
      ws.once('error', () => resolve('error'));
    });
    assert.equal(status, 400);
    times.sort((x, y) => x - y);
    const p50 = times[Math.floor(times.length / 2)];
    console.log(`# unknown sid answered in p50 ${p50.toFixed(2)} ms, max ${times[times.length - 1].toFixed(2)} ms (${times.length} requests)`);
    // no wait for an answer that never comes (cluster-engine waits 1 s): generous bound for a loaded machine
    assert.ok(times[times.length - 1] < 500, `slowest ${times[times.length - 1]} ms`);
  });

  it('forged inter-node requests are refused 403 code 4: a made-up header, a wrong secret, a stale signature; the right one is accepted', async () => {
    const [a, b] = nodes;
    const { sid } = await handshake(a.port);
    const url = `/engine.io/?EIO=4&transport=polling&sid=${sid}`;
    const forged = [
      'v1 0 6.6.6.6 1 z AAAA',
      'nonsense',
      memberHeader('not-the-secret', 'POST', url),
      memberHeader(secret, 'POST', url, { ts: Date.now() - 5 * 60 * 1000 }),
      memberHeader(secret, 'GET', url), // signed for another method
      memberHeader(secret, 'POST', url + '&x=1'), // signed for another url
    ];
    for (const node of [a, b]) {
      for (const value of forged) {
        const res = await request(node.port, { method: 'POST', path: url, body: '4c:0', headers: { 'content-type': 'text/plain', 'x-engine-io-cluster': value } });
        assert.equal(res.status, 403, `${value} on ${node.nodeId}`);
        assert.deepEqual(JSON.parse(res.text), { code: 4, message: 'Forbidden' });
      }
    }
    // a forged upgrade
    const ws = new WebSocket(`ws://127.0.0.1:${b.port}/engine.io/?EIO=4&transport=websocket&sid=${sid}`, { headers: { 'x-engine-io-cluster': forged[2] } });
    const status = await new Promise((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode));
      ws.once('open', () => resolve('open'));
      ws.once('error', () => resolve('error'));
    });
    assert.notEqual(status, 'open');
    // the session was not disturbed, and a correctly signed request is a member's: its client address is trusted
    const ok = await request(a.port, { method: 'POST', path: url, body: '4c:0', headers: { 'content-type': 'text/plain', 'x-engine-io-cluster': memberHeader(secret, 'POST', url) } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['x-test-forwarded-for'], '10.9.8.7:1234 via z');
  });

  it(`maxHttpBufferSize (${LIMIT}) is enforced before forwarding: a declared or chunked body over it gets 413 and never reaches the owner whole`, async () => {
    const [a, b] = nodes;
    for (const chunked of [false, true]) {
      const { sid } = await handshake(a.port);
      const seen = a.events.length;
      const body = '4' + 'x'.repeat(LIMIT * 3);
      const res = await new Promise((resolve, reject) => {
        const headers = { 'content-type': 'text/plain' };
        if (!chunked) headers['content-length'] = Buffer.byteLength(body);
        const req = http.request({ host: '127.0.0.1', port: b.port, method: 'POST', path: `/engine.io/?EIO=4&transport=polling&sid=${sid}`, headers, agent: false }, (r) => {
          r.resume();
          r.on('end', () => resolve(r));
        });
        req.on('error', reject);
        if (chunked) {
          // in pieces, so the limit is crossed mid-body
          for (let i = 0; i < body.length; i += 500) req.write(body.slice(i, i + 500));
          req.end();
        } else req.end(body);
      });
      assert.equal(res.statusCode, 413, chunked ? 'chunked' : 'declared');
      // the owner closes the session, as it does on one node
      const closed = await a.wait((m) => m.type === 'close' && m.id === sid && a.events.indexOf(m) >= seen);
      assert.equal(closed.reason, 'transport error');
    }
  });

  it('a draining node: its sessions still reached through the others until closed, handshakes on it refused (503 code 6)', async () => {
    const [a, b] = nodes;
    const { sid } = await handshake(b.port);
    const seen = b.events.length;
    b.child.send({ type: 'drain', timeout: 2000 });
    await new Promise((r) => setTimeout(r, 100));
    const refused = await poll(b.port);
    assert.equal(refused.status, 503);
    assert.equal(JSON.parse(refused.text).code, 6);
    // the session, not closed yet or closed by the drain: served through a while it lasts
    const closed = b.wait((m) => m.type === 'close' && m.id === sid && b.events.indexOf(m) >= seen, 10000);
    const res = await poll(a.port, sid, { method: 'POST', body: '4c:0' });
    const gone = b.events.slice(seen).some((m) => m.type === 'close' && m.id === sid);
    if (!gone) {
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers['x-test-served-by'], 'b');
    }
    // the drain's orderly close reaches the client through a too: a close packet on its GET
    let packets = [];
    for (let i = 0; i < 20 && !packets.includes('1'); i++) {
      const get = await poll(a.port, sid);
      if (get.status !== 200) break;
      packets = get.text.split(SEP);
    }
    assert.ok(packets.includes('1'), `close packet through the other node: ${packets}`);
    assert.equal((await closed).reason, 'server draining');
  });

  it('a node that closes leaves the cluster: its entry is deleted from Redis, its sids answered 400 code 1 by the others', async () => {
    const c = nodes[2];
    const { sid } = await handshake(c.port);
    assert.equal(await redis.exists(`${prefix}:node:${c.tag}`), 1);
    await c.stop();
    assert.equal(await redis.exists(`${prefix}:node:${c.tag}`), 0);
    assert.equal(c.events.find((m) => m.type === 'stopped').redisOpen, true, "engine.close() left the user's Redis client open");
    const res = await poll(nodes[0].port, sid);
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.text), { code: 1, message: 'Session ID unknown' });
  });
});
