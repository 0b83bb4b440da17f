'use strict';
// The official socket.io@4 server bound to our engine (io.bind), driven by the official
// socket.io-client@4: transports, handshake data, events, acknowledgements and binary.
// ENGINE=official runs the same file on the official engine.io server.
const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { once } = require('node:events');
const { connected, selfSignedCert } = require('./support/socketio');
const { startIo } = require('./support/servers');
const { waitFor, sleep } = require('./support/index');

describe('socket.io on the engine: transports', () => {
  let srv;
  before(async () => {
    srv = await startIo({ pingInterval: 300, pingTimeout: 1000 });
    srv.io.on('connection', (socket) => {
      socket.on('echo', (...args) => {
        const ack = args.pop();
        ack(...args);
      });
    });
  });
  after(() => srv.close());

  test('polling only: connects, stays on polling, events round-trip', async () => {
    const { c, socket } = await srv.connectPair({ transports: ['polling'] });
    assert.equal(c.io.engine.transport.name, 'polling');
    assert.equal(socket.conn.transport.name, 'polling');
    assert.equal(socket.conn.protocol, 4);
    assert.equal(socket.conn.readyState, 'open');
    const answer = await c.emitWithAck('echo', 'a', 1, { b: [true, null] });
    assert.deepEqual(answer, 'a');
    // several arguments come back in order through the ack
    const all = await new Promise((resolve) => c.emit('echo', 'x', 2, { y: 'z' }, (...a) => resolve(a)));
    assert.deepEqual(all, ['x', 2, { y: 'z' }]);
    // a few heartbeats pass on polling and the connection survives them
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(c.connected, true);
    assert.equal(await c.emitWithAck('echo', 'still'), 'still');
    c.close();
  });

  test('WebSocket only: connects directly on websocket', async () => {
    const { c, socket } = await srv.connectPair({ transports: ['websocket'] });
    assert.equal(c.io.engine.transport.name, 'websocket');
    assert.equal(socket.conn.transport.name, 'websocket');
    assert.equal(await c.emitWithAck('echo', 'ws'), 'ws');
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(c.connected, true);
    c.close();
  });

  test('polling then upgrade to WebSocket, on both sides, no message lost across it', async () => {
    const conn = once(srv.io, 'connection');
    const c = srv.client('/');
    const clientUpgrade = once(c.io, 'open').then(() => waitFor(c.io.engine, 'upgrade', 5000));
    await connected(c);
    const [socket] = await conn;
    const serverUpgrade = socket.conn.transport.name === 'websocket' ? Promise.resolve() : waitFor(socket.conn, 'upgrade', 5000);
    // messages sent while the upgrade is in flight keep their order
    const received = [];
    c.on('seq', (n) => received.push(n));
    for (let i = 0; i < 50; i++) socket.emit('seq', i);
    await Promise.all([clientUpgrade, serverUpgrade]);
    assert.equal(c.io.engine.transport.name, 'websocket');
    assert.equal(socket.conn.transport.name, 'websocket');
    for (let i = 50; i < 100; i++) socket.emit('seq', i);
    assert.equal(await c.emitWithAck('echo', 'after'), 'after');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(received, Array.from({ length: 100 }, (_, i) => i));
    c.close();
  });

  test('handshake data socket.io reads from the engine connection', async () => {
    const { c, socket } = await srv.connectPair({
      transports: ['polling'],
      query: { room: 'lobby', n: '5' },
      extraHeaders: { 'x-test': 'hello' },
      auth: { token: 't0k' },
    });
    const h = socket.handshake;
    assert.equal(h.query.room, 'lobby');
    assert.equal(h.query.n, '5');
    assert.equal(h.query.EIO, '4');
    assert.equal(h.query.transport, 'polling');
    assert.equal(h.headers['x-test'], 'hello');
    assert.ok(h.url.startsWith('/socket.io/?'), h.url);
    assert.equal(h.secure, false);
    assert.match(h.address, /127\.0\.0\.1$/);
    assert.deepEqual(h.auth, { token: 't0k' });
    assert.equal(typeof socket.conn.id, 'string');
    assert.equal(socket.conn.id, c.io.engine.id);
    assert.equal(socket.client.conn, socket.conn);
    c.close();
  });

  test('handshake data of a WebSocket-only connection comes from the upgrade request', async () => {
    const { c, socket } = await srv.connectPair({
      transports: ['websocket'],
      query: { room: 'ws-room' },
      extraHeaders: { 'x-test': 'over-ws' },
    });
    const h = socket.handshake;
    assert.equal(h.query.room, 'ws-room');
    assert.equal(h.query.transport, 'websocket');
    assert.equal(h.headers['x-test'], 'over-ws');
    assert.equal(h.headers.upgrade.toLowerCase(), 'websocket');
    assert.ok(h.url.startsWith('/socket.io/?'), h.url);
    assert.equal(h.secure, false);
    assert.match(h.address, /127\.0\.0\.1$/);
    c.close();
  });

  test('engine connection events users reach through socket.conn: packet, packetCreate, flush, drain', async () => {
    const { c, socket } = await srv.connectPair({ transports: ['websocket'] });
    const received = [];
    const created = [];
    let flushes = 0;
    let drains = 0;
    socket.conn.on('packet', (p) => received.push(p.type));
    socket.conn.on('packetCreate', (p) => created.push(p.type));
    socket.conn.on('flush', (buffer) => {
      assert.ok(Array.isArray(buffer));
      flushes++;
    });
    socket.conn.on('drain', () => drains++);
    // one heartbeat (pingInterval 300 ms) and one message each way
    await new Promise((resolve) => {
      const check = () => (received.includes('pong') ? resolve() : setTimeout(check, 20));
      check();
    });
    assert.equal(await c.emitWithAck('echo', 'p'), 'p');
    assert.ok(created.includes('ping'), created.join());
    assert.ok(created.includes('message'), created.join());
    assert.ok(received.includes('message'), received.join());
    assert.ok(flushes > 0);
    await sleep(20);
    assert.ok(drains > 0);
    c.close();
  });

  test('volatile emits are dropped while the polling transport is not writable', async () => {
    const { c, socket } = await srv.connectPair({ transports: ['polling'] });
    const got = [];
    c.on('vol', (n) => got.push(n));
    // wait for the client's long-poll GET to be pending: the transport is then writable
    const end = Date.now() + 5000;
    while (!socket.conn.transport.writable) {
      if (Date.now() > end) throw new Error('polling transport never became writable');
      await sleep(5);
    }
    // the first volatile emit answers the pending GET; the transport is then not writable
    // until the next GET arrives, so socket.io drops the rest
    for (let i = 0; i < 10; i++) socket.volatile.emit('vol', i);
    const barrier = waitFor(c, 'barrier');
    socket.emit('barrier');
    await barrier;
    assert.deepEqual(got, [0]);
    c.close();
  });
});

describe('socket.io on the engine: events, acknowledgements, binary', () => {
  let srv;
  let serverSocket;
  let c;
  before(async () => {
    srv = await startIo({ pingInterval: 1000, pingTimeout: 1000 });
    srv.io.on('connection', (socket) => {
      socket.on('ask-bin', (ack) => ack({ data: Buffer.from([5, 6, 7]) }));
    });
    const conn = once(srv.io, 'connection');
    c = await srv.connect('/', { transports: ['websocket'] });
    [serverSocket] = await conn;
  });
  after(() => srv.close());

  for (const transports of [['websocket'], ['polling']]) {
    const label = transports[0];

    test(`${label}: events with many argument kinds both ways`, async () => {
      const { c: cl, socket: s } = await srv.connectPair({ transports });
      const args = ['str', 42, 3.5, true, false, null, [1, [2, [3]]], { a: { b: { c: 'é€😀' } } }, ''];
      const fromClient = waitFor(s, 'many');
      cl.emit('many', ...args);
      assert.deepEqual(await fromClient, args);
      const fromServer = waitFor(cl, 'many');
      s.emit('many', ...args);
      assert.deepEqual(await fromServer, args);
      // a large string crosses the transport intact
      const big = 'x'.repeat(200_000);
      const gotBig = waitFor(s, 'big');
      cl.emit('big', big);
      assert.equal((await gotBig)[0], big);
      cl.close();
    });

    test(`${label}: binary in nested objects both ways, mixed with text`, async () => {
      const { c: cl, socket: s } = await srv.connectPair({ transports });
      const payload = {
        name: 'file',
        parts: [Buffer.from([0, 1, 2, 255]), { deep: Buffer.from('héllo') }],
        empty: Buffer.alloc(0),
        big: Buffer.alloc(70_000, 7),
      };
      const fromClient = waitFor(s, 'bin');
      cl.emit('bin', payload, Buffer.from([9]));
      const [gotC, extra] = await fromClient;
      assert.ok(Buffer.isBuffer(gotC.parts[0]));
      assert.deepEqual([...gotC.parts[0]], [0, 1, 2, 255]);
      assert.equal(Buffer.from(gotC.parts[1].deep).toString(), 'héllo');
      assert.equal(gotC.empty.length, 0);
      assert.equal(gotC.big.length, 70_000);
      assert.ok(Buffer.from(gotC.big).every((b) => b === 7));
      assert.deepEqual([...extra], [9]);

      const fromServer = waitFor(cl, 'bin');
      s.emit('bin', payload, 'tail');
      const [gotS, tail] = await fromServer;
      assert.deepEqual([...Buffer.from(gotS.parts[0])], [0, 1, 2, 255]);
      assert.equal(Buffer.from(gotS.parts[1].deep).toString(), 'héllo');
      assert.equal(Buffer.from(gotS.big).length, 70_000);
      assert.equal(tail, 'tail');

      // binary in an acknowledgement
      const ackBin = await cl.emitWithAck('ask-bin');
      assert.deepEqual([...Buffer.from(ackBin.data)], [5, 6, 7]);
      cl.close();
    });
  }

  test('client → server acknowledgement (callback and emitWithAck)', async () => {
    serverSocket.on('sum', (a, b, ack) => ack(a + b, 'done'));
    const viaCb = await new Promise((resolve) => c.emit('sum', 2, 3, (...r) => resolve(r)));
    assert.deepEqual(viaCb, [5, 'done']);
    assert.equal(await c.emitWithAck('sum', 10, 20), 30);
  });

  test('server → client acknowledgement (callback and emitWithAck)', async () => {
    c.on('double', (n, ack) => ack(n * 2));
    const viaCb = await new Promise((resolve) => serverSocket.emit('double', 21, (r) => resolve(r)));
    assert.equal(viaCb, 42);
    assert.equal(await serverSocket.emitWithAck('double', 4), 8);
  });

  test('acknowledgement timeouts both ways', async () => {
    serverSocket.on('ignored', () => {});
    c.on('ignored', () => {});
    const serverErr = await new Promise((resolve) => serverSocket.timeout(100).emit('ignored', (err) => resolve(err)));
    assert.ok(serverErr instanceof Error);
    await assert.rejects(serverSocket.timeout(100).emitWithAck('ignored'), /timed out/i);
    const clientErr = await new Promise((resolve) => c.timeout(100).emit('ignored', (err) => resolve(err)));
    assert.ok(clientErr instanceof Error);
    await assert.rejects(c.timeout(100).emitWithAck('ignored'), /timed out/i);
    // an answer within the timeout arrives as (null, value)
    serverSocket.on('quick', (ack) => ack('ok'));
    const r = await new Promise((resolve) => c.timeout(2000).emit('quick', (err, v) => resolve([err, v])));
    assert.deepEqual(r, [null, 'ok']);
    assert.equal(await c.timeout(2000).emitWithAck('quick'), 'ok');
  });

  test('many concurrent acknowledgements are matched to their calls', async () => {
    serverSocket.on('id', (n, ack) => setTimeout(() => ack(n), n % 7));
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => c.emitWithAck('id', i)));
    assert.deepEqual(results, Array.from({ length: 200 }, (_, i) => i));
  });

  test('volatile emits to a connected WebSocket client are delivered', async () => {
    const got = waitFor(c, 'vol');
    serverSocket.volatile.emit('vol', 'v');
    assert.deepEqual(await got, ['v']);
  });
});

describe('socket.io on the engine over HTTPS', () => {
  const tls = selfSignedCert();

  test('polling and WebSocket over TLS; handshake.secure is true', { skip: tls ? false : 'openssl not available' }, async () => {
    const srv = await startIo({ pingInterval: 1000, pingTimeout: 1000 }, undefined, { tls });
    try {
      srv.io.on('connection', (socket) => socket.on('secure?', (ack) => ack(socket.handshake.secure)));
      for (const transports of [['polling'], ['websocket'], ['polling', 'websocket']]) {
        const c = await srv.connect('/', { transports, rejectUnauthorized: false });
        assert.equal(await c.emitWithAck('secure?'), true);
        c.close();
      }
    } finally {
      await srv.close();
    }
  });
});
