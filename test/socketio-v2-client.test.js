'use strict';
// The old generation through Engine.IO protocol v3: the official socket.io-client@2 against
// the official socket.io@4 server (compatibility on the engine: allowEIO3) bound to our engine.
const { test, describe, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { once } = require('node:events');
const { connected, relay } = require('./support/socketio');
const { startIo } = require('./support/servers');
const { waitFor, sleep } = require('./support/index');

function disconnectOf(emitter, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for disconnect')), ms);
    emitter.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

describe('socket.io-client@2 (protocol v3) on socket.io@4 with allowEIO3', () => {
  let srv;
  let current = [];
  before(async () => {
    srv = await startIo({ allowEIO3: true, pingInterval: 300, pingTimeout: 1000 });
    for (const nsp of ['/', '/admin']) {
      srv.io.of(nsp).on('connection', (socket) => {
        socket.on('echo', (...args) => args.pop()(...args));
        socket.on('where', (ack) => ack(socket.nsp.name, socket.handshake.query.tag ?? null));
      });
    }
  });
  after(() => srv.close());
  afterEach(() => {
    for (const c of current) c.close();
    current = [];
  });

  async function v2(nsp, opts, base) {
    const conn = once(srv.io.of(nsp), 'connection');
    const c = srv.clientV2(nsp, opts, base);
    current.push(c);
    await connected(c);
    const [s] = await conn;
    return { c, s };
  }

  for (const [label, opts] of [
    ['polling only', { transports: ['polling'] }],
    ['polling only, base64', { transports: ['polling'], forceBase64: true }],
    ['WebSocket only', { transports: ['websocket'] }],
  ]) {
    test(`${label}: connects as protocol 3, emit/ack both ways`, async () => {
      const { c, s } = await v2('/', opts);
      assert.equal(s.conn.protocol, 3);
      assert.equal(s.conn.transport.name, opts.transports[0]);
      assert.equal(c.io.engine.transport.name, opts.transports[0]);
      // socket.io gives v2 clients the engine id as socket id (what they expect)
      assert.equal(s.id, s.conn.id);
      assert.equal(c.id, s.id);
      const args = ['s', 1, { deep: [true, null, 'é€😀'] }];
      const ack = await new Promise((resolve) => c.emit('echo', ...args, (...r) => resolve(r)));
      assert.deepEqual(ack, args);
      c.on('double', (n, cb) => cb(n * 2));
      const doubled = await new Promise((resolve) => s.emit('double', 21, resolve));
      assert.equal(doubled, 42);
      assert.equal(await s.timeout(2000).emitWithAck('double', 5), 10);
      // heartbeats (sent by the v3 client) keep it alive over several intervals
      await sleep(900);
      assert.equal(c.connected, true);
      assert.equal(s.connected, true);
    });

    test(`${label}: binary in nested objects both ways`, async () => {
      const { c, s } = await v2('/', opts);
      const payload = { a: [Buffer.from([0, 1, 2, 255])], b: { c: Buffer.from('héllo') }, big: Buffer.alloc(40_000, 3) };
      const got = waitFor(s, 'bin');
      c.emit('bin', payload, 'tail');
      const [msg, tail] = await got;
      assert.deepEqual([...msg.a[0]], [0, 1, 2, 255]);
      assert.equal(Buffer.from(msg.b.c).toString(), 'héllo');
      assert.equal(msg.big.length, 40_000);
      assert.ok(Buffer.from(msg.big).every((x) => x === 3));
      assert.equal(tail, 'tail');
      const back = waitFor(c, 'bin');
      s.emit('bin', payload);
      const [m2] = await back;
      assert.deepEqual([...Buffer.from(m2.a[0])], [0, 1, 2, 255]);
      assert.equal(Buffer.from(m2.b.c).toString(), 'héllo');
      assert.equal(Buffer.from(m2.big).length, 40_000);
      // binary inside an acknowledgement
      const acked = await new Promise((resolve) => c.emit('echo', { x: Buffer.from([7, 8]) }, resolve));
      assert.deepEqual([...Buffer.from(acked.x)], [7, 8]);
    });
  }

  test('default transports: polling, then upgrade to WebSocket on both sides', async () => {
    const { c, s } = await v2('/', {});
    const received = [];
    c.on('seq', (n) => received.push(n));
    for (let i = 0; i < 30; i++) s.emit('seq', i);
    if (s.conn.transport.name !== 'websocket') await waitFor(s.conn, 'upgrade');
    for (let i = 30; i < 60; i++) s.emit('seq', i);
    const ack = await new Promise((resolve) => c.emit('echo', 'after', resolve));
    assert.equal(ack, 'after');
    assert.equal(s.conn.transport.name, 'websocket');
    assert.equal(c.io.engine.transport.name, 'websocket');
    await sleep(30);
    assert.deepEqual(received, Array.from({ length: 60 }, (_, i) => i));
  });

  test('a namespace, with its query string as handshake data', async () => {
    const { c, s } = await v2('/admin', { transports: ['websocket'], query: { tag: 'v2' } });
    assert.equal(s.nsp.name, '/admin');
    const r = await new Promise((resolve) => c.emit('where', (...a) => resolve(a)));
    assert.deepEqual(r, ['/admin', 'v2']);
  });

  test('middleware refusal reaches the v2 client as an error with the message', async () => {
    const nsp = srv.io.of('/guarded');
    nsp.use((socket, next) => next(new Error('go away')));
    const c = srv.clientV2('/guarded', { transports: ['websocket'] });
    current.push(c);
    const [err] = await waitFor(c, 'error');
    assert.equal(err, 'go away');
    assert.equal(c.connected, false);
  });

  test('client disconnect → server "client namespace disconnect"', async () => {
    const { c, s } = await v2('/', { transports: ['websocket'] });
    const server = disconnectOf(s);
    const client = disconnectOf(c);
    c.disconnect();
    assert.equal(await server, 'client namespace disconnect');
    assert.equal(await client, 'io client disconnect');
  });

  for (const transports of [['websocket'], ['polling']]) {
    test(`${transports[0]}: server disconnect(true) → client "io server disconnect"`, async () => {
      const { c, s } = await v2('/', { transports });
      const server = disconnectOf(s);
      const client = disconnectOf(c);
      s.disconnect(true);
      assert.equal(await client, 'io server disconnect');
      assert.equal(await server, 'server namespace disconnect');
    });

    test(`${transports[0]}: server closes the engine connection → client "transport close"`, async () => {
      const { c, s } = await v2('/', { transports });
      const server = disconnectOf(s);
      const client = disconnectOf(c);
      s.conn.close();
      assert.equal(await client, 'transport close');
      assert.equal(await server, 'forced close');
    });
  }

  test('a v3 client whose pings stop is timed out by the server ("ping timeout")', async () => {
    const net = await relay(srv.port);
    try {
      const { s } = await v2('/', { transports: ['websocket'] }, net.url);
      const server = disconnectOf(s, 6000);
      net.blackhole();
      assert.equal(await server, 'ping timeout');
    } finally {
      await net.close();
    }
  });

  test('one broadcast reaches v2 and v4 clients alike, WebSocket and polling', async () => {
    const clients = [];
    for (let i = 0; i < 10; i++) {
      const transports = i % 2 ? ['polling'] : ['websocket'];
      const c = i < 5 ? srv.clientV2('/', { transports }) : srv.client('/', { transports });
      current.push(c);
      clients.push(c);
    }
    await Promise.all(clients.map((c) => connected(c)));
    const messages = Array.from({ length: 10 }, (_, k) => [k, 'text é€😀 ' + 'y'.repeat(k * 50), { k }]);
    const all = Promise.all(
      clients.map(
        (c) =>
          new Promise((resolve, reject) => {
            const got = [];
            const timer = setTimeout(() => reject(new Error(`${got.length}/10`)), 5000);
            c.on('cast', (...a) => {
              got.push(a);
              if (got.length === messages.length) {
                clearTimeout(timer);
                resolve(got);
              }
            });
          }),
      ),
    );
    for (const m of messages) srv.io.emit('cast', ...m);
    for (const got of await all) assert.deepEqual(got, messages);
  });
});

describe('allowEIO3: false', () => {
  // (explicit: the official engine refuses v3 by default, ours accepts it unless told not to)
  test('a v2 client is refused and never connects', async () => {
    const srv = await startIo({ allowEIO3: false, pingInterval: 300, pingTimeout: 200 });
    try {
      let connections = 0;
      srv.io.on('connection', () => connections++);
      const c = srv.clientV2('/', { transports: ['polling'] });
      await waitFor(c, 'connect_error');
      assert.equal(c.connected, false);
      assert.equal(connections, 0);
      assert.equal(srv.engine.clientsCount, 0);
    } finally {
      await srv.close();
    }
  });
});
