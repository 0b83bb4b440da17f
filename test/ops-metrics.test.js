'use strict';
// server.metrics(): every counter checked against what the test itself did over real sockets:
// handshakes, sessions by transport and revision, upgrades (completed, failed, timed out),
// closes by reason, refusals by code, messages and bytes to the byte on polling and on
// WebSocket, polling requests, bytes waiting in write buffers, the two histograms, and
// `metrics: false`.
const assert = require('node:assert/strict');
const { testWithTimeout: test, RS, handshake, poll, post, request, wsHandshake, wsConnect, until, pollingSession, probe, completeUpgrade, openClient } = require('./support/v4');
const { withServer, startIo } = require('./support/servers');
const { waitFor } = require('./support');

const bytes = (frame) => (typeof frame === 'string' ? Buffer.byteLength(frame) : frame.length);

test('polling: handshakes, sessions, messages and bytes to the byte, requests by method', async () => {
  await withServer({ cookie: false }, async (srv) => {
    srv.server.on('connection', (socket) => socket.on('message', (m) => socket.send(m)));
    let sent = 0; // bytes of every GET answer the client read
    let received = 0; // bytes of every POST body the client wrote
    let gets = 0;
    let posts = 0;
    const sessions = [];
    for (let i = 0; i < 3; i++) {
      const h = await handshake(srv.port);
      gets++;
      sent += h.res.body.length;
      sessions.push(h.sid);
    }
    const v3 = await request(srv.port, { path: '/engine.io/?EIO=3&transport=polling' });
    assert.equal(v3.status, 200);
    gets++;
    sent += v3.body.length;

    const [a, b] = sessions;
    const bodyA = `4héllo${RS}4two`; // two messages, one with a non-ASCII character
    assert.equal((await post(srv.port, a, bodyA)).text, 'ok');
    posts++;
    received += Buffer.byteLength(bodyA);
    const echoA = await poll(srv.port, a);
    gets++;
    sent += echoA.body.length;
    assert.equal(echoA.text, `4héllo${RS}4two`);

    const bodyB = '4b';
    await post(srv.port, b, bodyB);
    posts++;
    received += bodyB.length;
    const echoB = await poll(srv.port, b);
    gets++;
    sent += echoB.body.length;

    const m = srv.server.metrics();
    assert.equal(m.enabled, true);
    assert.deepEqual(m.handshakes, { total: 4, polling: 4, websocket: 0 });
    assert.equal(m.sessions.total, 4);
    assert.deepEqual(m.sessions.byTransport, { polling: 4, websocket: 0 });
    assert.deepEqual(m.sessions.byProtocol, { v3: 1, v4: 3 });
    assert.deepEqual(m.sessions.byTransportAndProtocol, { polling: { v3: 1, v4: 3 }, websocket: { v3: 0, v4: 0 } });
    assert.deepEqual(m.transports.polling, { messagesReceived: 3, messagesSent: 3, bytesReceived: received, bytesSent: sent });
    assert.deepEqual(m.transports.websocket, { messagesReceived: 0, messagesSent: 0, bytesReceived: 0, bytesSent: 0 });
    assert.deepEqual(m.pollingRequests, { get: gets, post: posts });
    assert.equal(m.handshakeDurationSeconds.count, 4);
    assert.ok(m.handshakeDurationSeconds.sum > 0);
    assert.equal(m.bufferedBytes, 0);
  });
});

test('WebSocket: messages and bytes to the byte, text and binary, handshakes counted per transport', async () => {
  await withServer({ perMessageDeflate: false }, async (srv) => {
    srv.server.on('connection', (socket) => socket.on('message', (m) => socket.send(m)));
    const { peer } = await wsHandshake(srv.port);
    // the open packet is the frame wsHandshake read: its size is in the metrics too
    const before = srv.server.metrics().transports.websocket.bytesSent;
    assert.ok(before > 20, 'the open packet was counted');
    let sent = before;
    let received = 0;
    const outgoing = ['4hello', '4ünïcode', Buffer.from([1, 2, 3, 4, 5])];
    for (const frame of outgoing) {
      peer.send(frame);
      received += bytes(frame);
      const echo = await peer.next();
      sent += bytes(echo);
    }
    assert.equal(bytes(outgoing[2]), 5, 'a v4 binary frame is the raw bytes');
    const m = srv.server.metrics();
    assert.deepEqual(m.transports.websocket, { messagesReceived: 3, messagesSent: 3, bytesReceived: received, bytesSent: sent });
    assert.deepEqual(m.handshakes, { total: 1, polling: 0, websocket: 1 });
    assert.deepEqual(m.sessions.byTransportAndProtocol.websocket, { v3: 0, v4: 1 });
    assert.deepEqual(m.pollingRequests, { get: 0, post: 0 });
    await peer.close();
  });
});

test('upgrades: completed (official client), failed (WebSocket gone before 5) and timed out, with the duration histogram', async () => {
  await withServer({ upgradeTimeout: 300 }, async (srv, clients) => {
    const M = 3;
    const upgraded = [];
    for (let i = 0; i < M; i++) {
      const client = await openClient(srv.url);
      clients.push(client);
      upgraded.push(client.transport.name === 'websocket' ? Promise.resolve() : waitFor(client, 'upgrade', 10000));
    }
    await Promise.all(upgraded);
    await until(() => srv.server.metrics().upgrades.completed === M, 5000, 'the server to count the upgrades');

    // failed: probed, then the WebSocket closes
    const failed = await pollingSession(srv);
    const peer = await wsConnect(srv.port, { sid: failed.sid });
    await probe(peer);
    await peer.close();
    await until(() => srv.server.metrics().upgrades.failed === 1, 3000, 'the failed upgrade');

    // timed out: probed, never completed within upgradeTimeout
    const slow = await pollingSession(srv);
    const slowPeer = await wsConnect(srv.port, { sid: slow.sid });
    await probe(slowPeer);
    await until(() => srv.server.metrics().upgrades.timeout === 1, 5000, 'the upgrade timeout');
    await slowPeer.closed;

    // and a completed one by hand, to see the session move between transports
    const byHand = await pollingSession(srv);
    const handPeer = await wsConnect(srv.port, { sid: byHand.sid });
    let m = srv.server.metrics();
    assert.equal(m.sessions.byTransport.polling, 3);
    await probe(handPeer);
    await completeUpgrade(handPeer, byHand.socket);

    m = srv.server.metrics();
    assert.deepEqual(m.upgrades, { completed: M + 1, failed: 1, timeout: 1 });
    assert.equal(m.upgradeDurationSeconds.count, M + 1, 'one observation per completed upgrade');
    const last = m.upgradeDurationSeconds.buckets[m.upgradeDurationSeconds.buckets.length - 1];
    assert.ok(last.count <= M + 1);
    for (let i = 1; i < m.upgradeDurationSeconds.buckets.length; i++) {
      assert.ok(m.upgradeDurationSeconds.buckets[i].count >= m.upgradeDurationSeconds.buckets[i - 1].count, 'cumulative buckets');
    }
    assert.deepEqual(m.sessions.byTransport, { polling: 2, websocket: M + 1 });
    assert.deepEqual(m.handshakes, { total: M + 3, polling: M + 3, websocket: 0 });
    await handPeer.close();
  });
});

test('closes by reason, and sessions gone from the gauges once closed', async () => {
  await withServer({}, async (srv) => {
    // transport close: the client's close packet
    const a = await pollingSession(srv);
    const aClosed = waitFor(a.socket, 'close');
    await post(srv.port, a.sid, '1');
    assert.equal((await aClosed)[0], 'transport close');

    // forced close: socket.close(), the close packet on the next GET
    const b = await pollingSession(srv);
    const bClosed = waitFor(b.socket, 'close');
    b.socket.close();
    assert.equal((await poll(srv.port, b.sid)).text.split(RS).pop(), '1');
    assert.equal((await bClosed)[0], 'forced close');

    // parse error: a body that is no payload
    const c = await pollingSession(srv);
    const cClosed = waitFor(c.socket, 'close');
    await post(srv.port, c.sid, 'zz-not-a-packet');
    assert.equal((await cClosed)[0], 'parse error');

    // transport error: a second GET while one is pending
    const t = await pollingSession(srv);
    const tClosed = waitFor(t.socket, 'close');
    const first = poll(srv.port, t.sid);
    await until(() => t.socket.transport.writable, 2000, 'the first GET to be pending');
    assert.equal((await poll(srv.port, t.sid)).status, 400);
    assert.equal((await tClosed)[0], 'transport error');
    await first;

    // transport close again: the WebSocket goes away mid-session
    const { peer, open } = await wsHandshake(srv.port);
    const d = srv.server.clients[open.sid];
    const dClosed = waitFor(d, 'close');
    await peer.terminate();
    assert.equal((await dClosed)[0], 'transport close');

    // server shutting down
    const e = await pollingSession(srv);
    const before = srv.server.metrics();
    assert.equal(before.sessions.total, 1);
    const eClosed = waitFor(e.socket, 'close');
    srv.server.close();
    assert.equal((await eClosed)[0], 'server shutting down');

    const m = srv.server.metrics();
    assert.equal(m.closes['transport close'], 2);
    assert.equal(m.closes['forced close'], 1);
    assert.equal(m.closes['parse error'], 1);
    assert.equal(m.closes['server shutting down'], 1);
    assert.equal(m.closes['transport error'], 1);
    assert.equal(m.closes['ping timeout'], 0);
    assert.equal(m.sessions.total, 0);
    assert.deepEqual(m.sessions.byTransportAndProtocol, { polling: { v3: 0, v4: 0 }, websocket: { v3: 0, v4: 0 } });
  });
});

test('ping timeout is counted as a close reason', async () => {
  await withServer({ pingInterval: 50, pingTimeout: 50 }, async (srv) => {
    const a = await pollingSession(srv);
    assert.equal((await waitFor(a.socket, 'close', 5000))[0], 'ping timeout');
    assert.equal(srv.server.metrics().closes['ping timeout'], 1);
  });
});

test('refused requests by error code, whether or not anyone listens to connection_error', async () => {
  await withServer({ allowRequest: (req, fn) => fn('no', !req.url.includes('deny=1')) }, async (srv) => {
    const refused = [
      ['/engine.io/?EIO=4&transport=carrier-pigeon', 400], // 0
      ['/engine.io/?EIO=4&transport=polling&sid=nope', 400], // 1
      ['/engine.io/?EIO=4&transport=polling&j=abc', 400], // 3
      ['/engine.io/?EIO=4&transport=polling&deny=1', 403], // 4
      ['/engine.io/?EIO=7&transport=polling', 400], // 5
    ];
    for (const [path, status] of refused) assert.equal((await request(srv.port, { path })).status, status, path);
    const badMethod = await request(srv.port, { method: 'PUT', path: '/engine.io/?EIO=4&transport=polling' }); // 2
    assert.equal(badMethod.status, 400);
    const seen = [];
    srv.server.on('connection_error', (e) => seen.push(e.code));
    assert.equal((await request(srv.port, { path: '/engine.io/?EIO=4&transport=polling&sid=nope' })).status, 400);
    assert.deepEqual(seen, [1]);
    const m = srv.server.metrics();
    assert.deepEqual(m.connectionErrors, { 0: 1, 1: 2, 2: 1, 3: 1, 4: 1, 5: 1, 6: 0 });
    assert.equal(m.handshakes.total, 0);
  });
});

test('bufferedBytes: what waits in write buffers for a client that is not polling, 0 once flushed or closed', async () => {
  await withServer({}, async (srv) => {
    const a = await pollingSession(srv);
    const b = await pollingSession(srv);
    a.socket.send('x'.repeat(100));
    a.socket.send(Buffer.alloc(50));
    b.socket.send('y'.repeat(30));
    assert.equal(srv.server.metrics().bufferedBytes, 180);
    const res = await poll(srv.port, a.sid);
    assert.equal(res.status, 200);
    assert.equal(srv.server.metrics().bufferedBytes, 30);
    const bClosed = waitFor(b.socket, 'close');
    await post(srv.port, b.sid, '1');
    await bClosed;
    assert.equal(srv.server.metrics().bufferedBytes, 0);
  });
});

test('metrics: false counts nothing (and metrics() says so)', async () => {
  await withServer({ metrics: false }, async (srv) => {
    srv.server.on('connection', (socket) => socket.on('message', (m) => socket.send(m)));
    const { sid } = await handshake(srv.port);
    await post(srv.port, sid, '4hi');
    assert.equal((await poll(srv.port, sid)).text, '4hi');
    const { peer } = await wsHandshake(srv.port);
    peer.send('4ws');
    assert.equal(await peer.next(), '4ws');
    await request(srv.port, { path: '/engine.io/?EIO=4&transport=nope' });
    const m = srv.server.metrics();
    assert.equal(m.enabled, false);
    assert.equal(m.handshakes.total, 0);
    assert.equal(m.sessions.total, 0);
    assert.deepEqual(m.transports.polling, { messagesReceived: 0, messagesSent: 0, bytesReceived: 0, bytesSent: 0 });
    assert.deepEqual(m.transports.websocket, { messagesReceived: 0, messagesSent: 0, bytesReceived: 0, bytesSent: 0 });
    assert.equal(m.connectionErrors[0], 0);
    assert.equal(srv.server.clientsCount, 2, 'the sessions themselves work as usual');
    await peer.close();
  });
});

test("socket.io broadcasts (pre-built WebSocket frames) are counted to the byte too", async () => {
  const sio = await startIo({ perMessageDeflate: false });
  try {
    const c = await sio.connect('/', { transports: ['websocket'] });
    const engine = sio.engine;
    const before = engine.metrics().transports.websocket;
    const got = new Promise((resolve) => c.once('news', resolve));
    sio.io.emit('news', 'héllo wörld');
    assert.equal(await got, 'héllo wörld');
    const after = engine.metrics().transports.websocket;
    assert.equal(after.messagesSent - before.messagesSent, 1);
    assert.equal(after.bytesSent - before.bytesSent, Buffer.byteLength('42["news","héllo wörld"]'));
  } finally {
    await sio.close();
  }
});
