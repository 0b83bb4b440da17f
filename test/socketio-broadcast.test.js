'use strict';
// Rooms and broadcasts of the official socket.io@4 server bound to our engine, with 500
// official socket.io-client@4 clients; and the broadcast path where socket.io hands the
// engine one pre-built WebSocket frame (`wsPreEncodedFrame`) shared by all recipients.
const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { connected, collect } = require('./support/socketio');
const { startIo } = require('./support/servers');
const { waitFor } = require('./support/index');

/** Connects `n` clients, `batch` at a time, each with query `i`; returns them in order. */
async function connectMany(srv, n, opts, batch = 50) {
  const out = [];
  for (let start = 0; start < n; start += batch) {
    const group = [];
    for (let i = start; i < Math.min(n, start + batch); i++) {
      group.push(srv.client('/', { ...opts, query: { i: String(i) } }));
    }
    await Promise.all(group.map((c) => connected(c, 10000)));
    out.push(...group);
  }
  return out;
}

/** Waits until every client received `count` events named `event`; returns the arguments per client. */
function allReceive(clients, event, count, ms = 10000) {
  return Promise.all(
    clients.map((c) => collect(c, event, count, ms, { allArgs: true, label: `client ${c.io.opts.query.i}` })),
  );
}

describe('rooms and broadcast to 500 clients', () => {
  const N = 500;
  let srv;
  let clients;
  const serverSockets = new Map(); // i → server-side socket

  before(async () => {
    srv = await startIo({ pingInterval: 5000, pingTimeout: 5000 });
    srv.io.on('connection', (socket) => {
      const i = Number(socket.handshake.query.i);
      serverSockets.set(i, socket);
      socket.join(i % 2 === 0 ? 'even' : 'odd');
      if (i % 10 === 0) socket.join('tens');
      socket.on('shout', (msg) => socket.broadcast.emit('heard', i, msg));
      socket.on('to-room', (room, msg) => socket.to(room).emit('room-msg', i, msg));
    });
    clients = await connectMany(srv, N, { transports: ['websocket'] });
  });
  after(() => srv.close());

  test('all 500 are connected and known to the server', async () => {
    assert.equal(srv.io.of('/').sockets.size, N);
    assert.equal(srv.engine.clientsCount, N);
    const sockets = await srv.io.fetchSockets();
    assert.equal(sockets.length, N);
    assert.equal(srv.io.of('/').adapter.rooms.get('even').size, N / 2);
  });

  test('io.emit reaches every client, in order, with the exact payload', async () => {
    const text = 'broadcast ✓ é€😀 ' + 'z'.repeat(300);
    const received = allReceive(clients, 'all', 5);
    for (let k = 0; k < 5; k++) srv.io.emit('all', k, text, { k, nested: [k, { text }] });
    const perClient = await received;
    for (const got of perClient) {
      assert.deepEqual(
        got,
        [0, 1, 2, 3, 4].map((k) => [k, text, { k, nested: [k, { text }] }]),
      );
    }
  });

  test('io.to(room) reaches only that room; io.except(room) only the others', async () => {
    const evens = clients.filter((_, i) => i % 2 === 0);
    const odds = clients.filter((_, i) => i % 2 === 1);
    const stray = [];
    for (const c of odds) c.on('only-even', () => stray.push(c.io.opts.query.i));
    const evenGot = allReceive(evens, 'only-even', 1);
    srv.io.to('even').emit('only-even', 'e');
    for (const got of await evenGot) assert.deepEqual(got, [['e']]);

    // a later message to everybody is a barrier: per-connection order means a stray
    // 'only-even' would have reached an odd client before it.
    const barrier = allReceive(clients, 'barrier', 1);
    srv.io.emit('barrier');
    await barrier;
    assert.deepEqual(stray, []);
    for (const c of odds) c.off('only-even');

    const oddGot = allReceive(odds, 'not-even', 1);
    const strayEven = [];
    for (const c of evens) c.on('not-even', () => strayEven.push(c));
    srv.io.except('even').emit('not-even', 'o');
    for (const got of await oddGot) assert.deepEqual(got, [['o']]);
    const barrier2 = allReceive(clients, 'barrier', 1);
    srv.io.emit('barrier');
    await barrier2;
    assert.equal(strayEven.length, 0);
    for (const c of evens) c.off('not-even');

    // two rooms at once: a member of both gets the message once
    const union = clients.filter((_, i) => i % 2 === 1 || i % 10 === 0);
    const unionGot = allReceive(union, 'union', 1);
    srv.io.to('odd').to('tens').emit('union', 'u');
    for (const got of await unionGot) assert.deepEqual(got, [['u']]);
    const barrier3 = allReceive(clients, 'barrier', 1);
    srv.io.emit('barrier');
    await barrier3;
  });

  test('socket.broadcast and socket.to(room) skip the sender', async () => {
    const sender = clients[7];
    const others = clients.filter((c) => c !== sender);
    let echoedToSender = 0;
    sender.on('heard', () => echoedToSender++);
    const heard = allReceive(others, 'heard', 1);
    sender.emit('shout', 'hi all');
    for (const got of await heard) assert.deepEqual(got, [[7, 'hi all']]);

    const tensSender = clients[20];
    const tens = clients.filter((_, i) => i % 10 === 0 && i !== 20);
    const roomGot = allReceive(tens, 'room-msg', 1);
    tensSender.emit('to-room', 'tens', 'ten!');
    for (const got of await roomGot) assert.deepEqual(got, [[20, 'ten!']]);
    const barrier = allReceive(clients, 'barrier', 1);
    srv.io.emit('barrier');
    await barrier;
    assert.equal(echoedToSender, 0);
    sender.off('heard');
  });

  test('broadcast with binary reaches every client', async () => {
    const received = allReceive(clients, 'bin', 1);
    srv.io.emit('bin', { blob: Buffer.from([1, 2, 3, 254, 255]), label: 'b' });
    for (const [[msg]] of await received) {
      assert.deepEqual([...Buffer.from(msg.blob)], [1, 2, 3, 254, 255]);
      assert.equal(msg.label, 'b');
    }
  });

  test('broadcast with acknowledgements collects one answer per client', async () => {
    for (const c of clients) c.once('ask', (ack) => ack(Number(c.io.opts.query.i)));
    const answers = await srv.io.timeout(10000).emitWithAck('ask');
    assert.equal(answers.length, N);
    assert.deepEqual(
      [...answers].sort((a, b) => a - b),
      Array.from({ length: N }, (_, i) => i),
    );
  });

  test('server-side room membership changes take effect (join/leave, socketsJoin)', async () => {
    srv.io.in('tens').socketsJoin('late');
    serverSockets.get(0).leave('late');
    const members = clients.filter((_, i) => i % 10 === 0 && i !== 0);
    const got = allReceive(members, 'late', 1);
    srv.io.to('late').emit('late', 'L');
    for (const g of await got) assert.deepEqual(g, [['L']]);
    assert.equal(srv.io.of('/').adapter.rooms.get('late').size, N / 10 - 1);
  });
});

describe('broadcast through the pre-encoded WebSocket frame', () => {
  for (const perMessageDeflate of [false, { threshold: 0 }]) {
    const label = perMessageDeflate ? 'perMessageDeflate on' : 'perMessageDeflate off';
    describe(label, () => {
      let srv;
      let wsClients;
      let pollClients;
      before(async () => {
        srv = await startIo({ pingInterval: 5000, pingTimeout: 5000, perMessageDeflate });
        wsClients = await connectMany(srv, 60, { transports: ['websocket'] });
        pollClients = await connectMany(srv, 15, { transports: ['polling'] });
      });
      after(() => srv.close());

      test('every client gets every broadcast intact and in order, WebSocket and polling alike', async () => {
        const all = [...wsClients, ...pollClients];
        assert.ok(wsClients.every((c) => c.io.engine.transport.name === 'websocket'));
        assert.ok(pollClients.every((c) => c.io.engine.transport.name === 'polling'));
        const messages = [];
        for (let k = 0; k < 30; k++) {
          // text only, one socket.io packet each: the frames socket.io pre-builds for the engine
          messages.push([k, 'm'.repeat(k * 37) + '€', { k, list: [k, String(k)] }]);
        }
        // one large message crosses the 16-bit and 64-bit frame length boundaries
        messages.push([30, 'L'.repeat(70_000), { k: 30, list: [] }]);
        const received = allReceive(all, 'pre', messages.length, 15000);
        for (const m of messages) srv.io.emit('pre', ...m);
        for (const got of await received) assert.deepEqual(got, messages);
      });

      test('pre-encoded broadcasts interleave correctly with per-socket emits', async () => {
        const order = allReceive(wsClients, 'seq', 20, 10000);
        const sockets = [...srv.io.of('/').sockets.values()].filter((s) => s.conn.transport.name === 'websocket');
        for (let k = 0; k < 20; k++) {
          if (k % 2 === 0) srv.io.emit('seq', k, 'broadcast');
          else for (const s of sockets) s.emit('seq', k, 'direct');
        }
        for (const got of await order) {
          assert.deepEqual(
            got,
            Array.from({ length: 20 }, (_, k) => [k, k % 2 === 0 ? 'broadcast' : 'direct']),
          );
        }
      });
    });
  }
});

describe('a broadcast to a client that upgrades mid-stream', () => {
  test('broadcasts sent around the upgrade all arrive in order', async () => {
    const srv = await startIo({ pingInterval: 5000, pingTimeout: 5000 });
    try {
      const c = srv.client('/');
      await connected(c);
      const received = collect(c, 'tick', 100, 10000);
      const upgraded = c.io.engine.transport.name === 'websocket' ? Promise.resolve() : waitFor(c.io.engine, 'upgrade');
      let k = 0;
      const timer = setInterval(() => {
        for (let j = 0; j < 10 && k < 100; j++) srv.io.emit('tick', k++);
        if (k >= 100) clearInterval(timer);
      }, 5);
      await upgraded;
      assert.deepEqual(await received, Array.from({ length: 100 }, (_, i) => i));
      assert.equal(c.io.engine.transport.name, 'websocket');
    } finally {
      await srv.close();
    }
  });
});
