'use strict';
// One server, both protocol revisions at once: an official engine.io-client@3 (v3) and an official
// engine.io-client@6 (v4) connected at the same time, talking to each other through the server.
const test = require('node:test');
const assert = require('node:assert/strict');
const { waitFor } = require('./support');
const { startServer } = require('./support/servers');
const { V3Socket, abortPending } = require('./support/v3client');
const { v3opts, collect, asBuffer, opened } = require('./support/v3util');
const { Socket: V4Socket } = require('engine.io-client');

/** A relay: whatever one socket sends goes to every other socket. */
async function relayServer() {
  // Short pingInterval so heartbeats happen during the test; long pingTimeout so a loaded machine
  // does not turn a slow round trip into a dropped session.
  const srv = await startServer(v3opts({ pingInterval: 100, pingTimeout: 2000 }));
  const sockets = new Set();
  srv.server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('message', (data) => {
      for (const other of sockets) if (other !== socket) other.send(data);
    });
  });
  return srv;
}

async function connectBoth(srv, v3Transports, v4Transports) {
  const conns = collect(srv.server, 'connection', 2);
  const v3 = new V3Socket(srv.url, { transports: v3Transports });
  const v4 = new V4Socket(srv.url, { transports: v4Transports });
  await Promise.all([opened(v3), opened(v4)]);
  const sockets = await conns;
  return { v3, v4, sockets };
}

async function exchange(v3, v4) {
  const toV4 = ['from v3', 'v3 €𝄞\nnewline', Buffer.from([3, 0, 255, 1])];
  const toV3 = ['from v4', 'v4 €𝄞\nnewline', Buffer.from([4, 0, 255, 2])];
  const gotByV4 = collect(v4, 'message', toV4.length);
  const gotByV3 = collect(v3, 'message', toV3.length);
  for (const m of toV4) v3.send(m);
  for (const m of toV3) v4.send(m);
  const [a, b] = await Promise.all([gotByV4, gotByV3]);
  const check = (got, sent, who) => {
    for (let i = 0; i < sent.length; i++) {
      if (typeof sent[i] === 'string') assert.equal(got[i], sent[i], `${who} message ${i}`);
      else assert.deepEqual(asBuffer(got[i]), sent[i], `${who} binary message ${i}`);
    }
  };
  check(a, toV4, 'v4 client');
  check(b, toV3, 'v3 client');
}

async function teardown(srv, ...clients) {
  for (const c of clients) if (c && c.readyState !== 'closed') c.close();
  abortPending();
  await srv.close();
}

test('v3 over WebSocket and v4 over polling, at the same time: text and binary both ways', async () => {
  const srv = await relayServer();
  const { v3, v4, sockets } = await connectBoth(srv, ['websocket'], ['polling']);
  try {
    assert.deepEqual(sockets.map((s) => s.protocol).sort(), [3, 4]);
    const byProtocol = Object.fromEntries(sockets.map((s) => [s.protocol, s.transport.name]));
    assert.deepEqual(byProtocol, { 3: 'websocket', 4: 'polling' });
    await exchange(v3, v4);
  } finally {
    await teardown(srv, v3, v4);
  }
});

test('v3 over polling (XHR2 binary) and v4 over WebSocket, at the same time: text and binary both ways', async () => {
  const srv = await relayServer();
  const { v3, v4, sockets } = await connectBoth(srv, ['polling'], ['websocket']);
  try {
    const byProtocol = Object.fromEntries(sockets.map((s) => [s.protocol, s.transport.name]));
    assert.deepEqual(byProtocol, { 3: 'polling', 4: 'websocket' });
    await exchange(v3, v4);
  } finally {
    await teardown(srv, v3, v4);
  }
});

test('both upgrade to WebSocket, keep exchanging, and each keeps its own heartbeat across several pingIntervals', async () => {
  const srv = await relayServer();
  const { v3, v4, sockets } = await connectBoth(srv, ['polling', 'websocket'], ['polling', 'websocket']);
  try {
    await Promise.all(sockets.map((s) => (s.upgraded ? null : waitFor(s, 'upgrade'))));
    for (const s of sockets) assert.equal(s.transport.name, 'websocket');
    let closes = 0;
    for (const s of sockets) s.on('close', () => closes++);
    // v3: the client pings and gets pongs; v4: the server pings and the client answers.
    const v3Pongs = collect(v3, 'pong', 4, 10000);
    const v4Pings = collect(v4, 'ping', 4, 10000);
    await Promise.all([v3Pongs, v4Pings]);
    assert.equal(closes, 0, 'nobody timed out');
    await exchange(v3, v4);
  } finally {
    await teardown(srv, v3, v4);
  }
});

test('many v3 and v4 clients at once: every message reaches every other client', async () => {
  const srv = await relayServer();
  const clients = [];
  const conns = collect(srv.server, 'connection', 6);
  clients.push(new V3Socket(srv.url, { transports: ['polling'] }));
  clients.push(new V3Socket(srv.url, { transports: ['websocket'] }));
  clients.push(new V3Socket(srv.url, { transports: ['polling'], forceBase64: true }));
  clients.push(new V4Socket(srv.url, { transports: ['polling'] }));
  clients.push(new V4Socket(srv.url, { transports: ['websocket'] }));
  clients.push(new V4Socket(srv.url, { transports: ['polling'], forceBase64: true }));
  try {
    await Promise.all(clients.map((c) => opened(c)));
    const sockets = await conns;
    assert.deepEqual(sockets.map((s) => s.protocol).sort(), [3, 3, 3, 4, 4, 4]);
    const inboxes = clients.map((c) => collect(c, 'message', 2 * (clients.length - 1)));
    clients.forEach((c, i) => {
      c.send(`text from ${i}`);
      c.send(Buffer.from([i, 255 - i]));
    });
    const got = await Promise.all(inboxes);
    got.forEach((msgs, i) => {
      const texts = msgs.filter((m) => typeof m === 'string').sort();
      const bins = msgs.map(asBuffer).filter(Boolean).map((b) => b.toString('hex')).sort();
      const others = clients.map((_, j) => j).filter((j) => j !== i);
      assert.deepEqual(texts, others.map((j) => `text from ${j}`).sort(), `client ${i} texts`);
      assert.deepEqual(bins, others.map((j) => Buffer.from([j, 255 - j]).toString('hex')).sort(), `client ${i} binaries`);
    });
  } finally {
    await teardown(srv, ...clients);
  }
});
