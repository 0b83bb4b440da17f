'use strict';
// The client when things go wrong: a server that goes silent (ping timeout, both protocol
// revisions), a server that is not there (error, then close), a probe that fails.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const eio = require('engine.io-ts/client');
const { ENGINES, deadPort, next } = require('./support/client');
const { startServer, silentServer } = require('./support/servers');

for (const protocol of [4, 3]) {
  test(`v${protocol}: a server that stops answering the heartbeat → close "ping timeout"`, async () => {
    const server = await silentServer(protocol, { pingInterval: 100, pingTimeout: 100 });
    try {
      const socket = eio(server.url, { protocol, transports: ['polling'] });
      const events = [];
      socket.on('open', () => events.push('open'));
      socket.on('error', () => events.push('error'));
      const [reason] = await next(socket, 'close');
      assert.deepEqual(events, ['open']);
      assert.equal(reason, 'ping timeout');
      assert.equal(socket.readyState, 'closed');
    } finally {
      await server.close();
    }
  });

  for (const transports of [['polling'], ['websocket']]) {
    test(`v${protocol} ${transports}: nobody listening → 'error', then close "transport error"`, async () => {
      const port = await deadPort();
      const socket = eio(`http://127.0.0.1:${port}`, { protocol, transports });
      const order = [];
      socket.on('open', () => order.push('open'));
      socket.on('error', (err) => order.push(err));
      const [reason, details] = await next(socket, 'close');
      assert.equal(order.length, 1, 'one error, no open');
      const err = order[0];
      assert.ok(err instanceof Error);
      assert.equal(err.type, 'TransportError');
      assert.equal(err.message, transports[0] === 'polling' ? 'xhr poll error' : 'websocket error');
      assert.equal(reason, 'transport error');
      assert.equal(details, err);
      assert.equal(socket.readyState, 'closed');
    });
  }
}

test('requestTimeout: a poll the server never answers fails as "xhr poll error", then close', async () => {
  const server = await silentServer(4, { pingInterval: 5000, pingTimeout: 5000 });
  try {
    const socket = eio(server.url, { transports: ['polling'], requestTimeout: 150 });
    await next(socket, 'open');
    const [[err], [reason]] = await Promise.all([next(socket, 'error'), next(socket, 'close')]);
    assert.equal(err.message, 'xhr poll error');
    assert.match(String(err.description), /timeout/);
    assert.equal(reason, 'transport error');
  } finally {
    await server.close();
  }
});

for (const kind of ENGINES) {
  test(`${kind} server: the server's own ping timeout closes the session when the client stops answering`, async () => {
    // The other direction: our client must answer pings, or the server drops it. Here the client's
    // transport is silenced from the outside (as a frozen tab would be): the server must notice.
    const server = await startServer({ allowEIO3: true, pingInterval: 50, pingTimeout: 50 }, undefined, { eio: kind });
    try {
      const connection = next(server.engine, 'connection');
      const socket = eio(server.url, { transports: ['websocket'] });
      const [remote] = await connection;
      await next(socket, 'open');
      socket.transport.send = () => {};
      const [reason] = await next(remote, 'close');
      assert.equal(reason, 'ping timeout');
      socket.close();
    } finally {
      await server.close();
    }
  });

  test(`${kind} server: a server that refuses the session → 'error' then close`, async () => {
    // allowRequest saying no: the handshake GET fails with HTTP 403.
    const server = await startServer({ allowEIO3: true, allowRequest: (req, cb) => cb(4, false) }, undefined, { eio: kind });
    try {
      const socket = eio(server.url, { transports: ['polling'] });
      const [[err], [reason]] = await Promise.all([next(socket, 'error'), next(socket, 'close')]);
      assert.equal(err.message, 'xhr poll error');
      assert.equal(err.description, 403);
      assert.equal(reason, 'transport error');
    } finally {
      await server.close();
    }
  });

  test(`${kind} server: a failing probe emits upgradeError and the session stays on polling`, async () => {
    const server = await startServer({ allowEIO3: true, pingInterval: 300, pingTimeout: 1000 }, undefined, { eio: kind });
    // Refuse WebSocket upgrades at the HTTP level, before the engine sees them.
    const listeners = server.httpServer.listeners('upgrade');
    server.httpServer.removeAllListeners('upgrade');
    server.httpServer.on('upgrade', (req, socket) => socket.destroy());
    try {
      const connection = next(server.engine, 'connection');
      const socket = eio(server.url);
      const [remote] = await connection;
      const [err] = await next(socket, 'upgradeError');
      assert.match(err.message, /^probe error/);
      assert.equal(err.transport, 'websocket');
      assert.equal(socket.transport.name, 'polling');
      assert.equal(socket.readyState, 'open');
      const [msg] = await Promise.all([next(remote, 'message'), socket.send('still here')]);
      assert.deepEqual(msg, ['still here']);
      socket.close();
    } finally {
      for (const l of listeners) server.httpServer.on('upgrade', l);
      await server.close();
    }
  });
}
