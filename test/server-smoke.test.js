'use strict';
// Quick end-to-end checks of the server with the official clients (engine.io-client 6 over
// protocol v4, engine.io-client 3 over protocol v3): handshake, echo, binary, upgrade, close.
const test = require('node:test');
const assert = require('node:assert');
const { once } = require('node:events');
const { request, waitFor } = require('./support');
const { startServer } = require('./support/servers');
const ClientV4 = require('engine.io-client').Socket;
const ClientV3 = require('engine.io-client-v3');

const FAST = { pingInterval: 200, pingTimeout: 300 };

function echoServer(opts) {
  return startServer({ ...FAST, ...opts }).then((srv) => {
    srv.server.on('connection', (socket) => socket.on('message', (data) => socket.send(data)));
    return srv;
  });
}

async function echoOnce(client, payload) {
  const got = waitFor(client, 'message');
  client.send(payload);
  const [data] = await got;
  return data;
}

for (const transports of [['polling'], ['websocket'], ['polling', 'websocket']]) {
  test(`v4 client over ${transports.join('+')}: text and binary echo`, async () => {
    const srv = await echoServer();
    const client = new ClientV4(srv.url, { transports });
    try {
      await waitFor(client, 'open');
      if (transports.length === 2) await waitFor(client, 'upgrade');
      assert.strictEqual(client.transport.name, transports[transports.length - 1]);
      assert.strictEqual(await echoOnce(client, 'héllo €'), 'héllo €');
      const bin = await echoOnce(client, Uint8Array.from([1, 2, 3, 255]));
      assert.deepStrictEqual([...new Uint8Array(bin)], [1, 2, 3, 255]);
      assert.strictEqual(srv.server.clientsCount, 1);
    } finally {
      client.close();
      await srv.close();
    }
  });

  test(`v3 client over ${transports.join('+')}: text and binary echo`, async () => {
    const srv = await echoServer();
    const client = new ClientV3(srv.url, { transports });
    try {
      await waitFor(client, 'open');
      if (transports.length === 2) await waitFor(client, 'upgrade');
      assert.strictEqual(await echoOnce(client, 'héllo €'), 'héllo €');
      const bin = await echoOnce(client, Uint8Array.from([1, 2, 3, 255]).buffer);
      assert.deepStrictEqual([...new Uint8Array(bin)], [1, 2, 3, 255]);
      const [socket] = Object.values(srv.server.clients);
      assert.strictEqual(socket.protocol, 3);
    } finally {
      client.close();
      await srv.close();
    }
  });
}

test('handshake packet, heartbeats and close reasons on both sides', async () => {
  const srv = await startServer(FAST);
  const client = new ClientV4(srv.url, { transports: ['websocket'] });
  try {
    const [[socket]] = await Promise.all([waitFor(srv.server, 'connection'), waitFor(client, 'open')]);
    assert.match(socket.id, /^[A-Za-z0-9_-]{20,}$/);
    // survive a few heartbeats
    let beats = 0;
    socket.on('heartbeat', () => beats++);
    await new Promise((r) => setTimeout(r, 700));
    assert.ok(beats >= 2, `heartbeats: ${beats}`);
    assert.strictEqual(socket.readyState, 'open');
    const serverClose = waitFor(socket, 'close');
    const clientClose = waitFor(client, 'close');
    socket.close();
    assert.strictEqual((await serverClose)[0], 'forced close');
    assert.strictEqual((await clientClose)[0], 'transport close');
    assert.strictEqual(srv.server.clientsCount, 0);
  } finally {
    client.close();
    await srv.close();
  }
});

test('raw handshake and error codes', async () => {
  const srv = await startServer(FAST);
  try {
    const ok = await request(srv.port, { path: '/engine.io/?EIO=4&transport=polling' });
    assert.strictEqual(ok.status, 200);
    const open = JSON.parse(ok.text.slice(1));
    assert.deepStrictEqual(Object.keys(open).sort(), ['maxPayload', 'pingInterval', 'pingTimeout', 'sid', 'upgrades']);
    assert.deepStrictEqual(open.upgrades, ['websocket']);
    for (const [path, code] of [
      ['/engine.io/?EIO=4&transport=__proto__', 0],
      ['/engine.io/?EIO=4&transport=polling&sid=nope', 1],
      ['/engine.io/?EIO=4&transport=websocket', 3],
      ['/engine.io/?EIO=9&transport=polling', 5],
    ]) {
      const res = await request(srv.port, { path });
      assert.strictEqual(res.status, 400, path);
      assert.strictEqual(JSON.parse(res.text).code, code, path);
    }
    const post = await request(srv.port, { method: 'POST', path: '/engine.io/?EIO=4&transport=polling', body: '4x' });
    assert.strictEqual(JSON.parse(post.text).code, 2);
  } finally {
    await srv.close();
  }
});

test('server.close() closes sessions with "server shutting down"', async () => {
  const srv = await startServer(FAST);
  const client = new ClientV4(srv.url, { transports: ['polling'] });
  const [[socket]] = await Promise.all([waitFor(srv.server, 'connection'), waitFor(client, 'open')]);
  const closed = waitFor(socket, 'close');
  const clientClosed = waitFor(client, 'close');
  await srv.close();
  assert.strictEqual((await closed)[0], 'server shutting down');
  await clientClosed;
  client.close();
});
