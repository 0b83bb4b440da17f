'use strict';
// Namespaces and middleware of the official socket.io@4 server bound to our engine, with the
// official socket.io-client@4.
const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { once } = require('node:events');
const { connected } = require('./support/socketio');
const { startIo } = require('./support/servers');
const { waitFor } = require('./support/index');
const ioc = require('socket.io-client');

describe('namespaces', () => {
  let srv;
  before(async () => {
    srv = await startIo({ pingInterval: 2000, pingTimeout: 2000 });
    for (const name of ['/', '/admin', '/chat']) {
      srv.io.of(name).on('connection', (socket) => {
        socket.on('where', (ack) => ack(socket.nsp.name));
      });
    }
    srv.io.of(/^\/dyn-\d+$/).on('connection', (socket) => {
      socket.on('where', (ack) => ack(socket.nsp.name));
    });
  });
  after(() => srv.close());

  for (const transports of [['websocket'], ['polling']]) {
    test(`${transports[0]}: a client in a namespace talks to that namespace`, async () => {
      const conn = once(srv.io.of('/admin'), 'connection');
      const c = await srv.connect('/admin', { transports });
      const [s] = await conn;
      assert.equal(s.nsp.name, '/admin');
      assert.equal(await c.emitWithAck('where'), '/admin');
      c.close();
    });
  }

  test('several namespaces multiplexed over one engine connection', async () => {
    const manager = new ioc.Manager(srv.url, { reconnection: false, transports: ['websocket'] });
    try {
      const root = manager.socket('/');
      const admin = manager.socket('/admin');
      const chat = manager.socket('/chat');
      await Promise.all([connected(root), connected(admin), connected(chat)]);
      assert.equal(await root.emitWithAck('where'), '/');
      assert.equal(await admin.emitWithAck('where'), '/admin');
      assert.equal(await chat.emitWithAck('where'), '/chat');
      // all three sockets share one engine connection on the server
      const serverSide = (nsp, c) => srv.io.of(nsp).sockets.get(c.id);
      const sids = new Set([serverSide('/', root), serverSide('/admin', admin), serverSide('/chat', chat)].map((s) => s.conn.id));
      assert.equal(sids.size, 1);
      assert.equal([...sids][0], manager.engine.id);

      // a namespace broadcast stays in its namespace
      let leaked = 0;
      root.on('news', () => leaked++);
      chat.on('news', () => leaked++);
      const got = waitFor(admin, 'news');
      srv.io.of('/admin').emit('news', 'for admins');
      assert.deepEqual(await got, ['for admins']);
      const barrier = Promise.all([waitFor(root, 'barrier'), waitFor(chat, 'barrier')]);
      srv.io.of('/').emit('barrier');
      srv.io.of('/chat').emit('barrier');
      await barrier;
      assert.equal(leaked, 0);

      // leaving one namespace keeps the others (and the engine connection) alive
      const disc = once(serverSide('/chat', chat), 'disconnect');
      chat.disconnect();
      assert.equal((await disc)[0], 'client namespace disconnect');
      assert.equal(await admin.emitWithAck('where'), '/admin');
      assert.equal(manager.engine.readyState, 'open');
    } finally {
      manager.engine?.close();
    }
  });

  test('dynamic namespaces created from a regular expression', async () => {
    const c = await srv.connect('/dyn-42', { transports: ['websocket'] });
    assert.equal(await c.emitWithAck('where'), '/dyn-42');
    c.close();
  });

  test('an unknown namespace is refused with connect_error "Invalid namespace"', async () => {
    const c = srv.client('/nope', { transports: ['websocket'] });
    const [err] = await waitFor(c, 'connect_error');
    assert.equal(err.message, 'Invalid namespace');
    assert.equal(c.connected, false);
    c.close();
  });
});

describe('middleware', () => {
  let srv;
  const seen = [];
  before(async () => {
    srv = await startIo({ pingInterval: 2000, pingTimeout: 2000 });
    srv.io.use((socket, next) => {
      seen.push(['root-mw', socket.handshake.auth.user]);
      if (socket.handshake.auth.user === 'banned') {
        const err = new Error('not authorized');
        err.data = { reason: 'banned', code: 403 };
        return next(err);
      }
      socket.data.user = socket.handshake.auth.user;
      next();
    });
    srv.io.on('connection', (socket) => {
      socket.use(([event, ...args], next) => {
        if (event === 'forbidden') return next(new Error('event refused'));
        next();
      });
      socket.on('error', (err) => socket.emit('server-error', err.message));
      socket.on('whoami', (ack) => ack(socket.data.user));
      socket.on('forbidden', () => socket.emit('should-not-run'));
    });
    const secure = srv.io.of('/secure');
    secure.use((socket, next) => {
      if (socket.handshake.query.key !== 'sesame') return next(new Error('bad key'));
      next();
    });
    secure.use(async (socket, next) => {
      // an asynchronous step before accepting
      await new Promise((r) => setTimeout(r, 5));
      socket.data.checked = true;
      next();
    });
    secure.on('connection', (socket) => socket.on('checked', (ack) => ack(socket.data.checked)));
  });
  after(() => srv.close());

  for (const transports of [['websocket'], ['polling']]) {
    test(`${transports[0]}: io.use accepts and passes data to the connection`, async () => {
      const c = await srv.connect('/', { transports, auth: { user: 'ann' } });
      assert.equal(await c.emitWithAck('whoami'), 'ann');
      c.close();
    });

    test(`${transports[0]}: io.use refusing → the client gets connect_error with message and data`, async () => {
      const c = srv.client('/', { transports, auth: { user: 'banned' } });
      const [err] = await waitFor(c, 'connect_error');
      assert.equal(err.message, 'not authorized');
      assert.deepEqual(err.data, { reason: 'banned', code: 403 });
      assert.equal(c.connected, false);
      c.close();
    });
  }

  test('namespace middleware: refused without the key, accepted with it, async steps run', async () => {
    const bad = srv.client('/secure', { transports: ['websocket'], auth: { user: 'x' }, query: { key: 'wrong' } });
    const [err] = await waitFor(bad, 'connect_error');
    assert.equal(err.message, 'bad key');
    bad.close();
    const good = await srv.connect('/secure', { transports: ['websocket'], auth: { user: 'x' }, query: { key: 'sesame' } });
    assert.equal(await good.emitWithAck('checked'), true);
    good.close();
  });

  test('per-socket middleware refusing an event', async () => {
    const c = await srv.connect('/', { transports: ['websocket'], auth: { user: 'bob' } });
    let ran = false;
    c.on('should-not-run', () => (ran = true));
    const err = waitFor(c, 'server-error');
    c.emit('forbidden');
    assert.deepEqual(await err, ['event refused']);
    assert.equal(await c.emitWithAck('whoami'), 'bob');
    assert.equal(ran, false);
    c.close();
  });
});
