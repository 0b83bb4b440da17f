'use strict';
// server.drain() for rolling deploys, and server.health() / the healthPath option: 200 clients
// of the official engine.io-client@6 drained off a node over a window (the test reconnects them
// to a second node, as socket.io-client would through a balancer), new handshakes refused with
// 503 + Retry-After, no message the server's send callback acknowledged lost; then the edges.
const assert = require('node:assert/strict');
const { Socket: EioClient } = require('engine.io-client');
const { testWithTimeout: test, RS, handshake, poll, request, errorBody, wsConnect, wsHandshake, until, openClient } = require('./support/v4');
const { quietServer } = require('./support/servers');
const { waitFor } = require('./support');

const HEALTH = '/engine.io/health';

async function openBatches(n, batch, open) {
  const out = [];
  for (let i = 0; i < n; i += batch) {
    const group = [];
    for (let j = i; j < Math.min(n, i + batch); j++) group.push(open(j));
    out.push(...(await Promise.all(group)));
  }
  return out;
}

test('drain: 200 official clients closed spread over the window, reconnected elsewhere, no acknowledged message lost; 503 + Retry-After meanwhile', { timeout: 90000 }, async () => {
  const a = await quietServer({}, { healthPath: HEALTH });
  const b = await quietServer({});
  const N = 200;
  const WINDOW = 3000;
  const acked = new Map(); // server A's session id -> sequence numbers its send callback confirmed
  const refusals = [];
  a.server.on('connection_error', (e) => refusals.push(e.code));
  a.server.on('connection', (socket) => {
    acked.set(socket.id, []);
    socket.on('message', (m) => socket.send(`echo:${m}`));
  });
  let ticker = null;
  const clients = [];
  const replacements = [];
  try {
    const closes = [];
    let drainStarted = 0;
    const transportsOf = (i) => (i % 3 === 0 ? ['polling'] : i % 3 === 1 ? ['websocket'] : ['polling', 'websocket']);
    await openBatches(N, 20, async (i) => {
      const client = await openClient(a.url, { transports: transportsOf(i) }, 20000);
      client.sid = client.id;
      client.on('close', (reason, details) => {
        closes.push({ at: Date.now() - drainStarted, i, reason, code: details && details.context && details.context.code });
        // reconnect at once, as socket.io-client does; the balancer sends it to another node
        replacements.push(openClient(b.url, { transports: transportsOf(i) }, 20000));
      });
      clients[i] = client;
      return client;
    });
    const upgraders = clients.filter((c, i) => i % 3 === 2).length;
    const wsOnly = clients.filter((c, i) => i % 3 === 1).length;
    await until(() => a.server.metrics().sessions.byTransport.websocket === wsOnly + upgraders, 20000, 'the upgrades to finish');
    assert.equal(a.server.clientsCount, N);

    const before = await request(a.port, { path: HEALTH });
    assert.equal(before.status, 200);
    assert.equal(JSON.parse(before.text).ready, true);

    // the server sends every session a numbered message every 100 ms, and notes what was acknowledged
    let seq = 0;
    ticker = setInterval(() => {
      seq++;
      const n = seq;
      for (const id in a.server.clients) {
        const list = acked.get(id);
        a.server.clients[id].send(`seq:${n}`, () => list.push(n));
      }
    }, 100);
    await until(() => seq >= 3, 5000, 'some traffic before the drain');

    drainStarted = Date.now();
    const drained = a.server.drain({ timeout: WINDOW, retryAfter: 2 });
    assert.equal(a.server.draining, true);
    assert.equal(a.server.drain(), drained, 'a second drain() is the same drain');

    const health = a.server.health();
    assert.equal(health.ready, false);
    assert.equal(health.draining, true);
    assert.equal(health.live, true);
    const probe = await request(a.port, { path: HEALTH });
    assert.equal(probe.status, 503);
    assert.equal(JSON.parse(probe.text).draining, true);

    // new handshakes on this node: refused with 503 and Retry-After, on polling and on WebSocket
    const refused = await request(a.port, { path: '/engine.io/?EIO=4&transport=polling' });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers['retry-after'], '2');
    assert.deepEqual(errorBody(refused), { code: 6, message: 'Server draining' });
    await assert.rejects(wsConnect(a.port), (err) => err.status === 503);

    // a session not yet closed keeps working (the last one opened is closed last)
    const last = clients[N - 1];
    const got = [];
    const onMsg = (m) => got.push(m);
    last.on('message', onMsg);
    last.send('still here');
    await until(() => got.includes('echo:still here'), 5000, 'the echo on a session being drained');
    last.off('message', onMsg);

    await drained;
    const took = Date.now() - drainStarted;
    clearInterval(ticker);
    ticker = null;
    await until(() => closes.length === N, 20000, 'every client to see its close');
    assert.equal(a.server.clientsCount, 0);

    // every client was told to go, at once: a close packet (polling) or close code 1001 (WebSocket)
    for (const c of closes) assert.equal(c.reason, 'transport close');
    for (const c of closes) if (c.i % 3 !== 0) assert.equal(c.code, 1001, `WebSocket client ${c.i} closed with ${c.code}`);
    const m = a.server.metrics();
    assert.equal(m.closes['server draining'], N);
    assert.ok(m.connectionErrors[6] >= 2);
    assert.ok(refusals.includes(6));

    // spread over the window, not all at once (generous bounds: the machine may be loaded)
    const times = closes.map((c) => c.at).sort((x, y) => x - y);
    const span = times[times.length - 1] - times[0];
    assert.ok(span >= WINDOW * 0.5, `closes spread over ${span} ms only`);
    let densest = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i] - times[j] > WINDOW / 10) j++;
      densest = Math.max(densest, i - j + 1);
    }
    assert.ok(densest <= N * 0.4, `${densest} of ${N} closes within ${WINDOW / 10} ms`);
    assert.ok(took >= WINDOW * 0.5, `drain resolved after ${took} ms`);

    // every message the server's send callback acknowledged reached its client
    let total = 0;
    for (const client of clients) {
      const received = new Set(client.received);
      const list = acked.get(client.sid);
      assert.ok(list, `server session of client ${client.sid}`);
      for (const n of list) assert.ok(received.has(`seq:${n}`), `client ${client.sid} lost acknowledged seq:${n}`);
      total += list.length;
    }
    assert.ok(total >= N * 3, `only ${total} acknowledged messages`);

    // all reconnected to the other node
    const again = await Promise.all(replacements);
    clients.push(...again);
    assert.equal(again.length, N);
    assert.equal(b.server.clientsCount, N);
  } finally {
    if (ticker) clearInterval(ticker);
    for (const c of clients) if (c) c.close();
    for (const p of replacements) p.then((c) => c.close(), () => {});
    await a.close();
    await b.close();
  }
});

test('drain: a WebSocket gets close code 1001, a pending poll the close packet; server.close() afterwards closes the rest', async () => {
  const srv = await quietServer({});
  try {
    const first = await wsHandshake(srv.port);
    const firstSocket = srv.server.clients[first.open.sid];
    const poller = await handshake(srv.port);
    const pollerSocket = srv.server.clients[poller.sid];
    const pending = poll(srv.port, poller.sid);
    await until(() => pollerSocket.transport.writable, 2000, 'the GET to be pending');
    const rest = [await wsHandshake(srv.port), await wsHandshake(srv.port)];
    const reasons = {};
    for (const id in srv.server.clients) srv.server.clients[id].once('close', (reason) => (reasons[id] = reason));

    let resolved = false;
    const drained = srv.server.drain({ timeout: 60000 }).then(() => (resolved = true));
    // the first of four is due at once, the second after 15 s
    assert.equal((await first.peer.closed).code, 1001);
    assert.equal(reasons[firstSocket.id], 'server draining');
    assert.equal(srv.server.clientsCount, 3);
    assert.equal(resolved, false);

    srv.server.close();
    await drained;
    assert.equal((await pending).text.split(RS).pop(), '1', 'the pending GET got the close packet');
    assert.equal(reasons[pollerSocket.id], 'server shutting down');
    for (const r of rest) await r.peer.closed;
    assert.equal(srv.server.clientsCount, 0);
    const m = srv.server.metrics();
    assert.equal(m.closes['server draining'], 1);
    assert.equal(m.closes['server shutting down'], 3);
  } finally {
    await srv.close();
  }
});

test('drain with timeout 0: buffered messages go out first, then the close packet', async () => {
  const srv = await quietServer({});
  try {
    const { sid } = await handshake(srv.port);
    const socket = srv.server.clients[sid];
    socket.send('last words');
    const closed = waitFor(socket, 'close');
    const drained = srv.server.drain({ timeout: 0 });
    // what was buffered goes out first, then the next GET carries the close packet
    assert.equal((await poll(srv.port, sid)).text, '4last words');
    assert.equal((await poll(srv.port, sid)).text.split(RS).pop(), '1');
    assert.equal((await closed)[0], 'server draining');
    await drained;
  } finally {
    await srv.close();
  }
});

test('drain: a handshake under way when the drain began is closed as soon as it opens; with no session left drain() resolves', async () => {
  let release = null;
  const srv = await quietServer({ allowRequest: (req, fn) => (release = () => fn(null, true)) });
  try {
    const pending = handshake(srv.port);
    await until(() => release !== null, 2000, 'allowRequest to be called');
    const drained = srv.server.drain({ timeout: 1000 });
    release();
    const { sid } = await pending;
    const res = await poll(srv.port, sid);
    assert.equal(res.text.split(RS).pop(), '1');
    await drained;
    assert.equal(srv.server.clientsCount, 0);
    // and a second server with no session at all
    const empty = await quietServer({});
    try {
      await empty.server.drain({ timeout: 60000 });
      assert.equal(empty.server.health().draining, true);
    } finally {
      await empty.close();
    }
  } finally {
    await srv.close();
  }
});

test('health(): its fields, readiness checks, healthPath (GET and HEAD, query ignored), live false after close()', async () => {
  const srv = await quietServer({}, { healthPath: HEALTH });
  try {
    const { sid } = await handshake(srv.port);
    assert.ok(sid);
    const h = srv.server.health();
    assert.deepEqual(Object.keys(h).sort(), ['draining', 'eventLoopDelayMs', 'live', 'ready', 'sessions']);
    assert.deepEqual({ ...h, eventLoopDelayMs: 0 }, { live: true, ready: true, draining: false, sessions: 1, eventLoopDelayMs: 0 });
    assert.equal(typeof h.eventLoopDelayMs, 'number');
    assert.ok(h.eventLoopDelayMs >= 0);

    const res = await request(srv.port, { path: `${HEALTH}?probe=1` });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(JSON.parse(res.text).sessions, 1);
    const head = await request(srv.port, { method: 'HEAD', path: HEALTH });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    // the engine path itself is unaffected
    assert.equal((await request(srv.port, { path: '/engine.io/?EIO=4&transport=nope' })).status, 400);

    let redis = false;
    srv.server.addReadinessCheck('redis', () => redis);
    assert.deepEqual(srv.server.health().checks, { redis: false });
    assert.equal(srv.server.health().ready, false);
    assert.equal((await request(srv.port, { path: HEALTH })).status, 503);
    redis = true;
    assert.equal(srv.server.health().ready, true);
    assert.equal((await request(srv.port, { path: HEALTH })).status, 200);

    srv.server.close();
    const after = srv.server.health();
    assert.equal(after.live, false);
    assert.equal(after.ready, false);
  } finally {
    await srv.close();
  }
});

test('without healthPath the health path is just another engine request', async () => {
  const srv = await quietServer({});
  try {
    const res = await request(srv.port, { path: HEALTH });
    assert.equal(res.status, 400);
    assert.equal(errorBody(res).code, 0);
  } finally {
    await srv.close();
  }
});

test('drain: protocol v3 sessions (XHR and JSONP polling) get the close packet in their own framing', async () => {
  const v3 = require('./support/v3wire');
  const srv = await quietServer({});
  try {
    const xhr = await v3.handshake(srv.port);
    const opened = await v3.poll(srv.port, { EIO: '3', transport: 'polling', j: '0' });
    const jsonp = JSON.parse(v3.parseStringPayload(v3.runJsonp(opened.text, 0))[0].slice(1));
    const pendingXhr = v3.poll(srv.port, { EIO: '3', transport: 'polling', sid: xhr.sid });
    const pendingJsonp = v3.poll(srv.port, { EIO: '3', transport: 'polling', j: '0', sid: jsonp.sid });
    await until(() => srv.server.clients[xhr.sid].transport.writable && srv.server.clients[jsonp.sid].transport.writable, 2000, 'both GETs pending');
    const drained = srv.server.drain({ timeout: 0 });
    assert.equal((await pendingXhr).text, '1:1');
    assert.equal(v3.runJsonp((await pendingJsonp).text, 0), '1:1');
    await drained;
    assert.deepEqual(srv.server.metrics().sessions.byProtocol, { v3: 0, v4: 0 });
    assert.equal(srv.server.metrics().closes['server draining'], 2);
  } finally {
    await srv.close();
  }
});
