'use strict';
// The module's exported surface: eio.protocol, transports, Transport, Socket, Server (with and
// without new), the callable module, the ESM entry, and the methods that return their object for
// chaining.
const assert = require('node:assert/strict');
const http = require('node:http');
const { once } = require('node:events');
const { engine, quietServer } = require('./support/servers');
const { waitFor } = require('./support');
const { testWithTimeout: test, official, handshake, wsHandshake } = require('./support/v4');

test('server.close() returns the server, for chaining', async () => {
  const srv = await quietServer();
  try {
    assert.equal(srv.server.close(), srv.server);
  } finally {
    await srv.close();
  }
});

test(
  'handleRequest(), handleUpgrade() and socket.close() return their object, for chaining',
  { skip: official && 'official engine.io@6 returns undefined from these' },
  async () => {
    const eio = engine();
    const srv = new eio.Server({ pingInterval: 10000 });
    const httpServer = http.createServer((req, res) => assert.equal(srv.handleRequest(req, res), srv));
    const returned = [];
    httpServer.on('upgrade', (req, socket, head) => returned.push(srv.handleUpgrade(req, socket, head)));
    httpServer.listen(0, '127.0.0.1');
    await once(httpServer, 'listening');
    try {
      const conn = waitFor(srv, 'connection');
      const { peer } = await wsHandshake(httpServer.address().port);
      assert.deepEqual(returned, [srv]);
      const [socket] = await conn;
      await handshake(httpServer.address().port);
      assert.equal(socket.close(), socket);
      await peer.closed;
    } finally {
      srv.close();
      httpServer.closeAllConnections();
      await new Promise((r) => httpServer.close(r));
    }
  },
);

test('module: eio.protocol, eio.transports, eio.Transport, eio.Socket, eio.Server, new eio.Server()', async () => {
  const eio = engine();
  assert.equal(eio.protocol, 4);
  assert.equal(typeof eio.transports.polling, 'function');
  assert.equal(typeof eio.transports.websocket, 'function');
  assert.equal(typeof eio.Transport, 'function');
  assert.equal(typeof eio.Socket, 'function');
  assert.equal(typeof eio.listen, 'function');
  assert.equal(typeof eio.attach, 'function');
  const srv = new eio.Server({ pingInterval: 10000 });
  const httpServer = http.createServer();
  srv.attach(httpServer);
  httpServer.listen(0, '127.0.0.1');
  await once(httpServer, 'listening');
  try {
    const conn = waitFor(srv, 'connection');
    await handshake(httpServer.address().port);
    const [socket] = await conn;
    assert.ok(socket instanceof eio.Socket);
    assert.ok(socket.transport instanceof eio.Transport);
  } finally {
    srv.close();
    httpServer.closeAllConnections();
    await new Promise((r) => httpServer.close(r));
  }
});

test(
  'module is callable: eio(httpServer, opts) attaches, eio(opts) and eio() create a Server',
  { skip: official && 'the official engine.io@6 module object is not callable' },
  async () => {
    const eio = engine();
    assert.equal(typeof eio, 'function');
    const plain = eio();
    assert.ok(plain instanceof eio.Server);
    const withOpts = eio({ pingInterval: 1234 });
    assert.ok(withOpts instanceof eio.Server);
    const httpServer = http.createServer();
    const attached = eio(httpServer, { pingInterval: 4321 });
    assert.ok(attached instanceof eio.Server);
    httpServer.listen(0, '127.0.0.1');
    await once(httpServer, 'listening');
    try {
      const { open } = await handshake(httpServer.address().port);
      assert.equal(open.pingInterval, 4321);
      // eio(opts) then attach(): the options given to the constructor apply
      const http2 = http.createServer();
      withOpts.attach(http2);
      http2.listen(0, '127.0.0.1');
      await once(http2, 'listening');
      const r2 = await handshake(http2.address().port);
      assert.equal(r2.open.pingInterval, 1234);
      withOpts.close();
      http2.closeAllConnections();
      await new Promise((r) => http2.close(r));
    } finally {
      attached.close();
      plain.close();
      httpServer.closeAllConnections();
      await new Promise((r) => httpServer.close(r));
    }
  },
);

test(
  "eio.Server() without new, as the README's attach example writes it",
  { skip: official && 'the official engine.io@6 Server is an ES class: it needs new' },
  () => {
    const eio = engine();
    const s = eio.Server({ pingInterval: 999 });
    assert.ok(s instanceof eio.Server);
    s.close();
  },
);

test('import works: the ESM entry exposes the same API', async () => {
  const name = official ? 'engine.io' : 'engine.io-ts';
  const mod = await import(name);
  const eio = mod.default;
  assert.equal(mod.protocol, 4);
  assert.equal(typeof mod.Server, 'function');
  assert.equal(typeof mod.attach, 'function');
  assert.equal(typeof mod.listen, 'function');
  assert.equal(typeof mod.Socket, 'function');
  assert.equal(typeof mod.Transport, 'function');
  if (!official) assert.equal(typeof eio, 'function', 'the default export is the callable module');
  const httpServer = http.createServer();
  const srv = mod.attach(httpServer, { pingInterval: 10000 });
  httpServer.listen(0, '127.0.0.1');
  await once(httpServer, 'listening');
  try {
    const { sid } = await handshake(httpServer.address().port);
    assert.ok(srv.clients[sid]);
  } finally {
    srv.close();
    httpServer.closeAllConnections();
    await new Promise((r) => httpServer.close(r));
  }
});
