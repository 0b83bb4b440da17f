'use strict';
// The official engine.io-client@6 (protocol v4) against the server: polling only, WebSocket only,
// polling then upgrade; text and every binary kind both ways; send callbacks; heartbeats on an
// idle connection; closes from either side; 200 clients at once.
const { testWithTimeout: test } = require('./support/v4');
const assert = require('node:assert/strict');
const { waitFor } = require('./support');
const { collect, until, asBuffer, openClient } = require('./support/v4');
const { withServer } = require('./support/servers');

const MODES = {
  polling: { transports: ['polling'] },
  websocket: { transports: ['websocket'] },
  upgrade: {}, // polling first, then the upgrade the handshake offers
};

/** Opens a client in `mode` and resolves { client, socket } (socket: the server side). */
async function connect(srv, clients, mode, extra = {}) {
  const conn = waitFor(srv.server, 'connection');
  const client = await openClient(srv.url, { ...MODES[mode], ...extra });
  clients.push(client);
  const [socket] = await conn;
  assert.equal(socket.id, client.id);
  if (mode === 'upgrade' && client.transport.name !== 'websocket') await waitFor(client, 'upgrade');
  if (mode === 'upgrade' && socket.transport.name !== 'websocket') await waitFor(socket, 'upgrade');
  return { client, socket };
}

for (const mode of Object.keys(MODES)) {
  test(`${mode}: transports as expected on both sides, messages both ways`, async () => {
    await withServer({}, async (srv, clients) => {
      const { client, socket } = await connect(srv, clients, mode);
      const expected = mode === 'polling' ? 'polling' : 'websocket';
      assert.equal(client.transport.name, expected);
      assert.equal(socket.transport.name, expected);
      assert.equal(socket.upgraded, mode === 'upgrade');
      assert.equal(socket.protocol, 4);
      const got = collect(socket, 'message', 2);
      client.send('hello server');
      client.send('second');
      assert.deepEqual(await got, ['hello server', 'second']);
      const back = collect(client, 'message', 2);
      socket.send('hello client');
      socket.send('again');
      assert.deepEqual(await back, ['hello client', 'again']);
    });
  });

  test(`${mode}: strings, Buffers, ArrayBuffers and typed-array views from client to server`, async () => {
    await withServer({}, async (srv, clients) => {
      const { client, socket } = await connect(srv, clients, mode);
      const got = collect(socket, 'message', 6);
      const backing = new Uint8Array([9, 1, 2, 3, 9]);
      client.send('text é€𝄞');
      client.send(Buffer.from([0, 1, 2, 255]));
      client.send(new Uint8Array([4, 5, 6]).buffer);
      client.send(backing.subarray(1, 4));
      client.send(new Uint16Array([0x0102, 0x0304]));
      client.send('');
      const [text, buf, ab, view, u16, empty] = await got;
      assert.equal(text, 'text é€𝄞');
      for (const b of [buf, ab, view, u16]) assert.ok(Buffer.isBuffer(b), 'binary arrives as a Buffer');
      assert.deepEqual([...buf], [0, 1, 2, 255]);
      assert.deepEqual([...ab], [4, 5, 6]);
      assert.deepEqual([...view], [1, 2, 3]);
      assert.deepEqual([...u16], [...new Uint8Array(new Uint16Array([0x0102, 0x0304]).buffer)]);
      assert.ok(empty === '' || empty === undefined, JSON.stringify(empty));
    });
  });

  test(`${mode}: strings, Buffers, ArrayBuffers and typed-array views from server to client`, async () => {
    await withServer({}, async (srv, clients) => {
      const { client, socket } = await connect(srv, clients, mode);
      const backing = new Uint8Array([9, 1, 2, 3, 9]);
      const sendAll = () => {
        socket.send('text é€𝄞');
        socket.send(Buffer.from([0, 1, 2, 255]));
        socket.send(new Uint8Array([4, 5, 6]).buffer);
        socket.send(backing.subarray(1, 4));
        socket.send(new DataView(backing.buffer, 2, 2));
      };
      // the client's default binaryType in Node: Buffer
      let got = collect(client, 'message', 5);
      sendAll();
      let [text, ...bins] = await got;
      assert.equal(text, 'text é€𝄞');
      for (const b of bins) assert.ok(Buffer.isBuffer(b), 'a Buffer');
      assert.deepEqual(bins.map((b) => [...b]), [[0, 1, 2, 255], [4, 5, 6], [1, 2, 3], [2, 3]]);
      // and as ArrayBuffers
      client.binaryType = 'arraybuffer';
      got = collect(client, 'message', 5);
      sendAll();
      [text, ...bins] = await got;
      assert.equal(text, 'text é€𝄞');
      for (const b of bins) assert.ok(b instanceof ArrayBuffer, 'an ArrayBuffer');
      assert.deepEqual(bins.map((b) => [...asBuffer(b)]), [[0, 1, 2, 255], [4, 5, 6], [1, 2, 3], [2, 3]]);
    });
  });

  test(`${mode}: large messages (300 kB text and binary) both ways`, async () => {
    await withServer({}, async (srv, clients) => {
      const { client, socket } = await connect(srv, clients, mode);
      const text = 'é'.repeat(150000); // 300 kB of UTF-8
      const bin = Buffer.alloc(300000, 7);
      bin[0] = 1;
      bin[bin.length - 1] = 2;
      const up = collect(socket, 'message', 2);
      client.send(text);
      client.send(bin);
      const [t1, b1] = await up;
      assert.equal(t1, text);
      assert.ok(Buffer.isBuffer(b1) && b1.equals(bin));
      const down = collect(client, 'message', 2);
      socket.send(text);
      socket.send(bin);
      const [t2, b2] = await down;
      assert.equal(t2, text);
      assert.ok(Buffer.from(b2).equals(bin));
    });
  });

  test(`${mode}: send callbacks fire on both sides, in order`, async () => {
    await withServer({}, async (srv, clients) => {
      const { client, socket } = await connect(srv, clients, mode);
      const serverDone = [];
      const arrived = collect(client, 'message', 3);
      socket.send('a', () => serverDone.push('a'));
      socket.send(Buffer.from([1]), {}, () => serverDone.push('b'));
      socket.write('c', { compress: false }, () => serverDone.push('c'));
      await arrived;
      await until(() => serverDone.length === 3, 3000, 'server send callbacks');
      assert.deepEqual(serverDone, ['a', 'b', 'c']);
      const clientDone = [];
      const delivered = collect(socket, 'message', 2);
      client.send('x', () => clientDone.push('x'));
      client.send('y', () => clientDone.push('y'));
      assert.deepEqual(await delivered, ['x', 'y']);
      await until(() => clientDone.length === 2, 3000, 'client send callbacks');
      assert.deepEqual(clientDone, ['x', 'y']);
    });
  });

  test(`${mode}: an idle connection stays open through several heartbeats`, async () => {
    await withServer({ pingInterval: 50, pingTimeout: 200 }, async (srv, clients) => {
      const { client, socket } = await connect(srv, clients, mode);
      let closed = false;
      socket.on('close', () => (closed = true));
      client.on('close', () => (closed = true));
      let beats = 0;
      let pings = 0;
      socket.on('heartbeat', () => beats++);
      client.on('ping', () => pings++);
      await until(() => beats >= 5, 3000, '5 heartbeats');
      assert.equal(closed, false);
      assert.ok(pings >= 5, `the client saw ${pings} pings`);
      assert.equal(socket.readyState, 'open');
      assert.equal(client.readyState, 'open');
      // and it still carries messages
      const got = waitFor(socket, 'message');
      client.send('after the heartbeats');
      assert.deepEqual(await got, ['after the heartbeats']);
    });
  });

  test(`${mode}: socket.close() on the server: server "forced close", client "transport close"`, async () => {
    await withServer({}, async (srv, clients) => {
      const { client, socket } = await connect(srv, clients, mode);
      const serverClosed = waitFor(socket, 'close');
      const clientClosed = waitFor(client, 'close');
      const last = waitFor(client, 'message');
      socket.send('goodbye');
      socket.close();
      assert.deepEqual(await last, ['goodbye'], 'what was sent before close() arrives');
      assert.equal((await serverClosed)[0], 'forced close');
      assert.equal((await clientClosed)[0], 'transport close');
      assert.equal(srv.server.clientsCount, 0);
    });
  });

  test(`${mode}: client.close(): server "transport close", client "forced close"`, async () => {
    await withServer({}, async (srv, clients) => {
      const { client, socket } = await connect(srv, clients, mode);
      const serverClosed = waitFor(socket, 'close');
      const clientClosed = waitFor(client, 'close');
      const got = waitFor(socket, 'message');
      client.send('last one');
      client.close();
      assert.deepEqual(await got, ['last one'], 'what was sent before close() arrives');
      assert.equal((await serverClosed)[0], 'transport close');
      assert.equal((await clientClosed)[0], 'forced close');
      await until(() => srv.server.clientsCount === 0, 2000, 'the session removed');
    });
  });

  test(`${mode}: a client that stops answering pings: server "ping timeout", the client is closed`, async () => {
    await withServer({ pingInterval: 40, pingTimeout: 80 }, async (srv, clients) => {
      const { client, socket } = await connect(srv, clients, mode);
      // the client's own packet sender (its internals, not ours): drop its pongs
      const sendPacket = client._sendPacket;
      client._sendPacket = function (type, ...rest) {
        if (type === 'pong') return;
        return sendPacket.call(this, type, ...rest);
      };
      const clientClosed = waitFor(client, 'close');
      const [reason] = await waitFor(socket, 'close');
      assert.equal(reason, 'ping timeout');
      const [clientReason] = await clientClosed;
      // a WebSocket or a pending poll carries the close; a client between polls hears it as a refused poll
      assert.ok(['transport close', 'transport error'].includes(clientReason), clientReason);
      assert.equal(srv.server.clientsCount, 0);
    });
  });

  test(`${mode}: server.close(): the client gets "transport close"`, async () => {
    await withServer({}, async (srv, clients) => {
      const { client, socket } = await connect(srv, clients, mode);
      // a polling client between two polls would only learn of the close from a refused poll
      await until(() => socket.transport.writable, 2000, 'the client to be listening');
      const serverClosed = waitFor(socket, 'close');
      const clientClosed = waitFor(client, 'close');
      srv.server.close();
      const [reason] = await serverClosed;
      assert.ok(['server shutting down', 'forced close'].includes(reason), reason);
      assert.equal((await clientClosed)[0], 'transport close');
      assert.equal(srv.server.clientsCount, 0);
    });
  });
}

// Most on WebSocket, a quarter through polling and the upgrade: many concurrent upgrades are
// slow for the official client (it waits for a noop cycle per upgrade), and the load must stay
// bounded on a shared machine.
test('200 clients at once: every one opens, echoes and closes', async () => {
  await withServer({}, async (srv, clients) => {
    srv.server.on('connection', (socket) => socket.on('message', (m) => socket.send(`echo:${m}`)));
    const { Socket } = require('engine.io-client');
    const N = 200;
    const echoes = await Promise.all(
      Array.from({ length: N }, (_, i) => {
        const client = new Socket(srv.url, i % 4 === 0 ? {} : { transports: ['websocket'] });
        clients.push(client);
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`client ${i} got no echo`)), 15000);
          client.on('error', (e) => reject(e instanceof Error ? e : new Error(String(e))));
          client.on('open', () => client.send(`c${i}`));
          client.on('message', (m) => {
            clearTimeout(timer);
            resolve(m);
          });
        });
      }),
    );
    assert.deepEqual(echoes, Array.from({ length: N }, (_, i) => `echo:c${i}`));
    assert.equal(srv.server.clientsCount, N);
    const ids = new Set(clients.map((c) => c.id));
    assert.equal(ids.size, N);
    for (const id of ids) assert.ok(srv.server.clients[id]);
    for (const c of clients) c.close();
    await until(() => srv.server.clientsCount === 0, 10000, 'all sessions closed');
  });
});
