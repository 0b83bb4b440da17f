'use strict';
// socket.request, the request that originated the session (README): what it offers, over a
// real WebSocket and a real polling handshake; that the handshake's IncomingMessage itself is
// not kept alive by an idle session when no engine middleware ran on it (see
// src/server/session-request.ts); express-session applied to socket.request by a socket.io
// middleware (save, reload); and with engine middlewares (engine.use), the very request they saw.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const v8 = require('node:v8');
const vm = require('node:vm');
const { once } = require('node:events');
const WebSocket = require('ws');
const session = require('express-session');
const { startServer, request, waitFor } = require('./support');
const { startIo, connected } = require('./support/socketio');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

const official = process.env.ENGINE === 'official';

/** Collects garbage until `ref` is cleared (or gives up after a few rounds); resolves whether it was. */
async function collected(ref) {
  for (let i = 0; i < 10 && ref.deref() !== undefined; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  return ref.deref() === undefined;
}

function checkRequest(req, transport) {
  assert.ok(req instanceof http.IncomingMessage);
  assert.equal(req.method, 'GET');
  assert.equal(req.httpVersion, '1.1');
  assert.match(req.url, new RegExp(`transport=${transport}`));
  assert.equal(req.headers['x-marker'], 'm1');
  assert.ok(req.rawHeaders.includes('m1'));
  assert.equal(req._query.transport, transport);
  assert.equal(req._query.EIO, '4');
  assert.equal(req.socket.remoteAddress, '127.0.0.1');
  assert.equal(req.connection, req.socket);
  assert.equal(req.connection.encrypted, undefined);
  // what allowRequest put on the request is there
  assert.equal(req.user, 'u1');
}

for (const transport of ['websocket', 'polling']) {
  test(`socket.request of a ${transport} session: headers, url, query, socket, what allowRequest added; the handshake's IncomingMessage is not kept`, async () => {
    let handshakeReq = null;
    const allowRequest = (req, fn) => {
      req.user = 'u1';
      handshakeReq = new WeakRef(req);
      fn(null, true);
    };
    const srv = await startServer({ allowRequest });
    let ws = null;
    try {
      const conn = waitFor(srv.server, 'connection', 10000);
      const path = `/engine.io/?EIO=4&transport=${transport}&x=1`;
      if (transport === 'websocket') {
        ws = new WebSocket(`ws://127.0.0.1:${srv.port}${path}`, { headers: { 'X-Marker': 'm1' } });
        ws.on('error', () => {});
      } else {
        const res = await request(srv.port, { path, headers: { 'X-Marker': 'm1' } }, 10000);
        assert.equal(res.status, 200);
      }
      const [socket] = await conn;
      assert.equal(socket.request._query.x, '1');
      checkRequest(socket.request, transport);
      if (!official) {
        // the session is open and holds its request: the request the engine received is gone
        assert.ok(await collected(handshakeReq), 'the handshake IncomingMessage is still reachable');
      }
      checkRequest(socket.request, transport);
      socket.close();
    } finally {
      if (ws !== null) ws.terminate();
      await srv.close();
    }
  });
}

test('engine middlewares (engine.use): socket.request is the request they saw', async () => {
  const srv = await startServer();
  const seen = [];
  srv.server.use((req, res, next) => {
    req.fromMiddleware = 'mw';
    seen.push(req);
    next();
  });
  const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/engine.io/?EIO=4&transport=websocket`);
  ws.on('error', () => {});
  try {
    const [socket] = await waitFor(srv.server, 'connection', 10000);
    assert.equal(seen.length, 1);
    assert.equal(socket.request, seen[0]);
    assert.equal(socket.request.fromMiddleware, 'mw');
  } finally {
    ws.terminate();
    await srv.close();
  }
});

for (const transport of ['websocket', 'polling']) {
  test(`express-session over socket.io applied to socket.request (${transport}): the session is there, save() and reload() work on it`, async () => {
    const store = new session.MemoryStore();
    const sessionMiddleware = session({ secret: 'session-request', resave: false, saveUninitialized: true, store });
    const srv = await startIo();
    srv.io.use((socket, next) => sessionMiddleware(socket.request, {}, next));
    srv.io.on('connection', (socket) => {
      socket.on('views', (ack) => {
        const s = socket.request.session;
        s.views = (s.views || 0) + 1;
        s.save(() => ack(s.views));
      });
      socket.on('reload', (ack) => {
        const before = socket.request.session;
        before.views = 99; // not saved: reload must bring back what the store holds
        before.reload((err) => ack({ err: err ? String(err) : null, views: socket.request.session.views, replaced: socket.request.session !== before }));
      });
      socket.on('id', (ack) => ack(socket.request.sessionID));
    });
    try {
      const c = srv.client('/', { transports: [transport] });
      await connected(c);
      assert.equal(await c.timeout(10000).emitWithAck('views'), 1);
      assert.equal(await c.timeout(10000).emitWithAck('views'), 2);
      const reloaded = await c.timeout(10000).emitWithAck('reload');
      assert.deepEqual(reloaded, { err: null, views: 2, replaced: true });
      const id = await c.timeout(10000).emitWithAck('id');
      const stored = await new Promise((resolve, reject) => store.get(id, (err, s) => (err ? reject(err) : resolve(s))));
      assert.equal(stored.views, 2);
    } finally {
      await srv.close();
    }
  });
}
