'use strict';
// Disconnect reasons on both sides, heartbeat (ping) timeout and io.close(), for the official
// socket.io@4 server bound to our engine and the official socket.io-client@4. The expected
// reasons are the ones the official engine produces (ENGINE=official runs the same file).
const { test, describe, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { once } = require('node:events');
const { connected, relay } = require('./support/socketio');
const { startIo } = require('./support/servers');
const { sleep } = require('./support/index');

/** Resolves [reason, description] of the next 'disconnect', or rejects after `ms`. */
function disconnectOf(emitter, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for disconnect')), ms);
    emitter.once('disconnect', (reason, description) => {
      clearTimeout(timer);
      resolve([reason, description]);
    });
  });
}

/** Waits until `predicate()` holds, checking every few ms, failing after `ms`. */
async function until(predicate, ms = 5000) {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await sleep(5);
  }
}

describe('disconnect reasons', () => {
  let srv;
  let net; // a relay between clients and the server that can be cut
  let current; // the test's client
  before(async () => {
    // heartbeats short enough that a dead peer is noticed within about a second
    srv = await startIo({ pingInterval: 200, pingTimeout: 1000 });
  });
  after(async () => {
    await srv.close();
  });

  /** A connected client through a fresh relay, and its server-side socket. */
  async function pair(transports, nsp = '/') {
    net = await relay(srv.port);
    const conn = once(srv.io.of(nsp), 'connection');
    current = srv.client(nsp, { transports }, net.url);
    await connected(current);
    const [s] = await conn;
    return { c: current, s };
  }

  // whatever a test leaves behind (also on failure) is closed before the next one
  afterEach(async () => {
    current?.close();
    current = undefined;
    await net?.close();
    net = undefined;
    await until(() => srv.engine.clientsCount === 0);
  });

  for (const transports of [['websocket'], ['polling']]) {
    const t = transports[0];

    test(`${t}: client socket.disconnect() → server "client namespace disconnect", client "io client disconnect"`, async () => {
      const { c, s } = await pair(transports);
      const server = disconnectOf(s);
      const client = disconnectOf(c);
      c.disconnect();
      assert.equal((await server)[0], 'client namespace disconnect');
      assert.equal((await client)[0], 'io client disconnect');
      // the engine connection goes too: it carried only this namespace
      await until(() => srv.engine.clientsCount === 0);
    });

    test(`${t}: client closes its engine connection → server "transport close"`, async () => {
      const { c, s } = await pair(transports);
      const server = disconnectOf(s);
      const client = disconnectOf(c);
      c.io.engine.close();
      assert.equal((await server)[0], 'transport close');
      assert.equal((await client)[0], 'forced close');
    });

    test(`${t}: server socket.disconnect(true) → client "io server disconnect", server "server namespace disconnect"`, async () => {
      const { c, s } = await pair(transports);
      const server = disconnectOf(s);
      const client = disconnectOf(c);
      s.disconnect(true);
      assert.equal((await client)[0], 'io server disconnect');
      assert.equal((await server)[0], 'server namespace disconnect');
      // close=true ends the underlying engine connection as well
      await until(() => srv.engine.clientsCount === 0);
      assert.equal(c.io.engine.readyState, 'closed');
    });

    test(`${t}: server closes the engine connection → client "transport close", server "forced close"`, async () => {
      const { c, s } = await pair(transports);
      const server = disconnectOf(s);
      const client = disconnectOf(c);
      s.conn.close();
      assert.equal((await client)[0], 'transport close');
      assert.equal((await server)[0], 'forced close');
    });

    test(`${t}: the network path dies silently → server "ping timeout"`, async () => {
      const { c, s } = await pair(transports);
      // heartbeats keep a healthy connection alive across several intervals
      await sleep(700);
      assert.equal(s.connected, true);
      assert.equal(c.connected, true);
      const server = disconnectOf(s, 6000);
      const client = disconnectOf(c, 6000);
      net.blackhole();
      assert.equal((await server)[0], 'ping timeout');
      const [clientReason] = await client;
      if (t === 'websocket') {
        // nothing at all reaches the client: its own heartbeat check fires
        assert.equal(clientReason, 'ping timeout');
      } else {
        // the server ends the pending long-poll request, which the relay passes on as a reset
        assert.ok(['ping timeout', 'transport error'].includes(clientReason), clientReason);
      }
    });
  }

  test('websocket: the TCP connection is killed → "transport close" on both sides', async () => {
    const { c, s } = await pair(['websocket']);
    const server = disconnectOf(s);
    const client = disconnectOf(c);
    net.kill();
    assert.equal((await server)[0], 'transport close');
    assert.equal((await client)[0], 'transport close');
  });

  test('polling: the pending request is killed → "transport error" on both sides', async () => {
    const { c, s } = await pair(['polling']);
    // let the client settle into its long-poll GET, the request whose loss both sides see
    await sleep(50);
    const server = disconnectOf(s);
    const client = disconnectOf(c);
    net.kill();
    assert.equal((await server)[0], 'transport error');
    assert.equal((await client)[0], 'transport error');
  });

  test('an upgraded client whose pongs stop is timed out by the server', async () => {
    net = await relay(srv.port);
    const conn = once(srv.io, 'connection');
    const c = (current = srv.client('/', {}, net.url));
    await connected(c);
    const [s] = await conn;
    await until(() => s.conn.transport.name === 'websocket' && c.io.engine.transport.name === 'websocket');
    const server = disconnectOf(s, 6000);
    net.blackhole();
    assert.equal((await server)[0], 'ping timeout');
  });
});

describe('io.close()', () => {
  test('closes the engine: every client disconnected, engine.close() called, http server closes', async () => {
    const srv = await startIo({ pingInterval: 300, pingTimeout: 1000 });
    srv.io.of('/admin');
    const clients = [
      srv.client('/', { transports: ['websocket'] }),
      srv.client('/', { transports: ['polling'] }),
      srv.client('/'), // polling, then upgrade
      srv.client('/admin', { transports: ['websocket'] }),
    ];
    try {
      await Promise.all(clients.map((c) => connected(c)));
      assert.equal(srv.engine.clientsCount, 4);
      // the third client finishes its upgrade first (closing mid-upgrade is another story)
      await until(() => clients[2].io.engine.transport.name === 'websocket' && !clients[2].io.engine.upgrading);
      await until(() => Object.values(srv.engine.clients).filter((s) => s.transport.name === 'websocket').length === 3);

      const serverReasons = [];
      for (const nsp of ['/', '/admin']) {
        for (const s of srv.io.of(nsp).sockets.values()) s.on('disconnect', (r) => serverReasons.push(r));
      }
      const clientReasons = Promise.all(clients.map((c) => disconnectOf(c).then(([r]) => r)));
      // watch (without replacing) the engine's close(): socket.io must call it
      let engineCloseCalls = 0;
      const realClose = srv.engine.close;
      srv.engine.close = function (...args) {
        engineCloseCalls++;
        return realClose.apply(this, args);
      };

      await srv.io.close();
      assert.equal(engineCloseCalls, 1);
      assert.equal(srv.engine.clientsCount, 0);
      assert.deepEqual(serverReasons, Array(4).fill('server shutting down'));
      assert.deepEqual(await clientReasons, Array(4).fill('transport close'));
      for (const c of clients) assert.equal(c.io.engine.readyState, 'closed');

      // nothing the engine held keeps the http server open: it closes without being forced
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('http server did not close')), 5000);
        srv.httpServer.close((err) => {
          clearTimeout(timer);
          if (err) reject(err);
          else resolve();
        });
      });
      assert.equal(srv.httpServer.listening, false);
    } finally {
      for (const c of clients) c.close();
      srv.httpServer.closeAllConnections();
      if (srv.httpServer.listening) srv.httpServer.close();
    }
  });
});
