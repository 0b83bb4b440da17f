'use strict';
// What socket.io's documentation tells its users to do with the engine (`io.engine`), done
// on our engine bound with io.bind(): custom ids, connection_error, extra headers,
// allowRequest, CORS, maxHttpBufferSize; and socket.io's connection state recovery, which
// rests on the engine's close reasons.
const { test, describe, before, after } = require('node:test');
const http = require('node:http');
const { Server: SocketIOServer } = require('socket.io');
const assert = require('node:assert/strict');
const { once } = require('node:events');
const { connected, relay } = require('./support/socketio');
const { startIo } = require('./support/servers');
const { request, waitFor, sleep } = require('./support/index');

describe('engine hooks and options under socket.io', () => {
  let srv;
  const connectionErrors = [];
  let nextId = 0;
  before(async () => {
    srv = await startIo({
      pingInterval: 300,
      pingTimeout: 1000,
      maxHttpBufferSize: 1000,
      cors: { origin: 'http://example.com', credentials: true },
      allowRequest: (req, cb) => (req.headers['x-deny'] ? cb('denied!', false) : cb(null, true)),
    });
    // socket.io reads the engine id through io.engine; users swap the generator there
    srv.io.engine.generateId = () => `custom-${++nextId}`;
    srv.io.engine.on('connection_error', (err) => connectionErrors.push(err));
    srv.io.engine.on('initial_headers', (headers) => {
      headers['x-initial'] = 'yes';
    });
    srv.io.engine.on('headers', (headers) => {
      headers['x-every'] = 'yes';
    });
    srv.io.on('connection', (socket) => {
      socket.on('echo', (v, ack) => ack(v));
    });
  });
  after(() => srv.close());

  test('io.engine is the bound engine', () => {
    assert.equal(srv.io.engine, srv.engine);
  });

  for (const transports of [['polling'], ['websocket']]) {
    test(`${transports[0]}: engine.generateId gives the connection its id`, async () => {
      const { c, socket } = await srv.connectPair({ transports });
      assert.match(socket.conn.id, /^custom-\d+$/);
      assert.equal(c.io.engine.id, socket.conn.id);
      assert.equal(srv.engine.clients[socket.conn.id], socket.conn);
      c.close();
    });

    test(`${transports[0]}: allowRequest refusing → client connect_error, engine connection_error code 4`, async () => {
      connectionErrors.length = 0;
      let connections = 0;
      const onConn = () => connections++;
      srv.io.on('connection', onConn);
      const c = srv.client('/', { transports, extraHeaders: { 'x-deny': '1' } });
      await waitFor(c, 'connect_error');
      srv.io.off('connection', onConn);
      c.close();
      assert.equal(connections, 0);
      assert.equal(connectionErrors.length, 1);
      const [err] = connectionErrors;
      assert.equal(err.code, 4);
      assert.equal(err.message, 'Forbidden');
      assert.deepEqual(err.context, { message: 'denied!' });
      assert.ok(err.req && err.req.headers['x-deny'] === '1');
    });
  }

  test('connection_error for an unknown session id (code 1)', async () => {
    connectionErrors.length = 0;
    const res = await request(srv.port, { path: '/socket.io/?EIO=4&transport=polling&sid=nope' });
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.text), { code: 1, message: 'Session ID unknown' });
    assert.equal(connectionErrors.length, 1);
    assert.equal(connectionErrors[0].code, 1);
    assert.deepEqual(connectionErrors[0].context, { sid: 'nope' });
  });

  test('initial_headers on the handshake only, headers on every response; CORS from the engine options', async () => {
    const origin = 'http://example.com';
    const hs = await request(srv.port, { path: '/socket.io/?EIO=4&transport=polling', headers: { origin } });
    assert.equal(hs.status, 200);
    assert.equal(hs.headers['x-initial'], 'yes');
    assert.equal(hs.headers['x-every'], 'yes');
    assert.equal(hs.headers['access-control-allow-origin'], origin);
    assert.equal(hs.headers['access-control-allow-credentials'], 'true');
    const { sid } = JSON.parse(hs.text.slice(1));
    // join the socket.io main namespace with a POST, then poll for socket.io's answer
    const post = await request(srv.port, {
      method: 'POST',
      path: `/socket.io/?EIO=4&transport=polling&sid=${sid}`,
      headers: { origin, 'content-type': 'text/plain;charset=UTF-8' },
      body: '40',
    });
    assert.equal(post.status, 200);
    assert.equal(post.headers['x-initial'], undefined);
    assert.equal(post.headers['x-every'], 'yes');
    const poll = await request(srv.port, { path: `/socket.io/?EIO=4&transport=polling&sid=${sid}`, headers: { origin } });
    assert.equal(poll.status, 200);
    assert.equal(poll.headers['access-control-allow-origin'], origin);
    assert.match(poll.text, /^40\{"sid":"[^"]+"\}/);
    const preflight = await request(srv.port, {
      method: 'OPTIONS',
      path: '/socket.io/?EIO=4&transport=polling',
      headers: { origin, 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], origin);
    // end the raw session
    await request(srv.port, { method: 'POST', path: `/socket.io/?EIO=4&transport=polling&sid=${sid}`, body: '1' });
  });

  /**
   * Connects a client on `transport` alone and emits an event 5000 bytes long; resolves the
   * disconnect reasons of both sides and whether the server's handler ever ran.
   */
  async function emitOverLimit(transport) {
    const { c, socket } = await srv.connectPair({ transports: [transport] });
    let handled = false;
    socket.on('big', () => (handled = true));
    const server = waitFor(socket, 'disconnect');
    const client = waitFor(c, 'disconnect');
    c.emit('big', 'x'.repeat(5000));
    const [serverReason] = await server;
    const [clientReason] = await client;
    c.close();
    return { serverReason, clientReason, handled };
  }

  test('websocket: a message over maxHttpBufferSize ends the connection, never reaching the handler', async () => {
    const { serverReason, clientReason, handled } = await emitOverLimit('websocket');
    assert.equal(serverReason, 'transport error');
    assert.equal(clientReason, 'transport close');
    assert.equal(handled, false);
  });

  test('polling: a POST over maxHttpBufferSize ends the session, never reaching the handler', async () => {
    const { serverReason, clientReason, handled } = await emitOverLimit('polling');
    // the official engine answers 413 and lets the client give up (server "transport close",
    // client "transport error"); ours also ends the session itself (server "transport
    // error", client "transport close"): either way both sides see the end
    assert.ok(['transport close', 'transport error'].includes(serverReason), serverReason);
    assert.ok(['transport close', 'transport error'].includes(clientReason), clientReason);
    assert.equal(handled, false);
  });
});

describe('connection state recovery (socket.io feature) across a lost transport', () => {
  test('a client reconnecting after "transport close" gets its id, rooms and missed events back', async () => {
    const srv = await startIo({ pingInterval: 300, pingTimeout: 1000 }, undefined, {
      io: { connectionStateRecovery: { maxDisconnectionDuration: 10_000 } },
    });
    const net = await relay(srv.port);
    try {
      srv.io.on('connection', (socket) => {
        if (!socket.recovered) socket.join('club');
        socket.on('echo', (v, ack) => ack(v));
      });
      const conn = once(srv.io, 'connection');
      const c = srv.client('/', { transports: ['websocket'], reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 50 }, net.url);
      await connected(c);
      const [first] = await conn;
      const got = [];
      c.on('news', (n) => got.push(n));
      srv.io.to('club').emit('news', 1);
      await sleep(50);
      const disconnected = waitFor(c, 'disconnect');
      const serverGone = waitFor(first, 'disconnect');
      const reconnection = once(srv.io, 'connection');
      const clientBack = waitFor(c, 'connect');
      net.kill();
      assert.equal((await disconnected)[0], 'transport close');
      assert.equal((await serverGone)[0], 'transport close');
      // missed while the client is away
      srv.io.to('club').emit('news', 2);
      srv.io.to('club').emit('news', 3);
      const [second] = await reconnection;
      assert.equal(second.recovered, true);
      assert.equal(second.id, first.id);
      assert.ok(second.rooms.has('club'));
      await clientBack;
      assert.equal(c.recovered, true);
      srv.io.to('club').emit('news', 4);
      await sleep(100);
      assert.deepEqual(got, [1, 2, 3, 4]);
      c.close();
    } finally {
      await net.close();
      await srv.close();
    }
  });
});

describe('the engine options socket.io gives its own engine', () => {
  // What the README's "Using with Socket.IO" section recommends passing to our engine for the behaviour of
  // `new Server(httpServer)` (socket.io on engine.io@6 with its defaults).
  const SOCKETIO_ENGINE_DEFAULTS = {
    pingInterval: 25000,
    pingTimeout: 20000,
    maxHttpBufferSize: 1e6,
    perMessageDeflate: false,
    cookie: false,
    allowEIO3: false,
  };

  async function handshakeOf(port) {
    const res = await request(port, { path: '/socket.io/?EIO=4&transport=polling' });
    assert.equal(res.status, 200);
    const open = JSON.parse(res.text.slice(1));
    const v3 = await request(port, { path: '/socket.io/?EIO=3&transport=polling' });
    return {
      type: res.text[0],
      keys: Object.keys(open).sort(),
      upgrades: open.upgrades,
      pingInterval: open.pingInterval,
      pingTimeout: open.pingTimeout,
      maxPayload: open.maxPayload,
      cookie: res.headers['set-cookie'] ?? null,
      v3Status: v3.status,
      v3Body: v3.text,
    };
  }

  test('give the same handshake as socket.io attached to its own engine', async () => {
    const ours = await startIo(SOCKETIO_ENGINE_DEFAULTS);
    const reference = http.createServer();
    const io = new SocketIOServer(reference, { serveClient: false }); // engine.io@6 with socket.io's defaults
    reference.listen(0, '127.0.0.1');
    await once(reference, 'listening');
    try {
      const expected = await handshakeOf(reference.address().port);
      const actual = await handshakeOf(ours.port);
      assert.deepEqual(actual, expected);
    } finally {
      await io.close();
      await ours.close();
    }
  });
});
