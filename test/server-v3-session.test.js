'use strict';
// A protocol v3 session on the wire, byte for byte: WebSocket frames (binary with the type byte),
// the v3 heartbeat (the client pings, the server answers), the upgrade (2probe/3probe, noop, 5),
// the polling ping timeout, and a server-side close.
const test = require('node:test');
const assert = require('node:assert/strict');
const { WebSocket } = require('ws');
const { waitFor, sleep } = require('./support');
const { startServer, closeWithPolls, withV3Server } = require('./support/servers');
const { v3opts, collect } = require('./support/v3util');
const { handshake, poll, post, parseStringPayload, PATH, holdPoll } = require('./support/v3wire');

const HEARTBEATS = { pingInterval: 5000, pingTimeout: 5000 };

async function server(opts = {}) {
  return startServer(v3opts({ ...HEARTBEATS, ...opts }));
}

/** Runs `fn(srv)` with a server(opts), then closes it with closeWithPolls whether `fn` passed or threw. */
function withServer(opts, fn) {
  return withV3Server({ ...HEARTBEATS, ...opts }, fn);
}

async function wsOpen(url) {
  const ws = new WebSocket(url);
  const frames = [];
  const waiters = [];
  ws.on('message', (data, isBinary) => {
    const f = { data, isBinary };
    if (waiters.length) waiters.shift()(f);
    else frames.push(f);
  });
  ws.nextFrame = (ms = 3000) =>
    frames.length
      ? Promise.resolve(frames.shift())
      : new Promise((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('timed out waiting for a frame')), ms);
          waiters.push((f) => {
            clearTimeout(t);
            resolve(f);
          });
        });
  ws.pending = frames;
  await waitFor(ws, 'open');
  return ws;
}

for (const [label, query] of [
  ['EIO=3', 'EIO=3&transport=websocket'],
  ['no EIO', 'transport=websocket'],
]) {
  test(`WebSocket (${label}): binary frames carry the type byte, text frames the type digit`, async () => {
    const srv = await server();
    const ws = await wsOpen(`ws://127.0.0.1:${srv.port}${PATH}?${query}`);
    try {
      const open = await ws.nextFrame();
      assert.equal(open.isBinary, false);
      assert.match(open.data.toString(), /^0\{/);
      const { sid, upgrades } = JSON.parse(open.data.toString().slice(1));
      assert.deepEqual(upgrades, []);
      const socket = srv.server.clients[sid];
      assert.equal(socket.protocol, 3);

      socket.send(Buffer.from([1, 2, 3]));
      socket.send('text €');
      const bin = await ws.nextFrame();
      assert.equal(bin.isBinary, true);
      assert.deepEqual([...bin.data], [4, 1, 2, 3]);
      const text = await ws.nextFrame();
      assert.equal(text.isBinary, false);
      assert.equal(text.data.toString(), '4text €');

      const got = collect(socket, 'message', 2);
      ws.send(Buffer.from([4, 9, 8]));
      ws.send('4hi €');
      const [b, t] = await got;
      assert.deepEqual(Buffer.from(b), Buffer.from([9, 8]));
      assert.equal(t, 'hi €');
    } finally {
      ws.terminate();
      await closeWithPolls(srv);
    }
  });
}

test('v3 heartbeat on the wire: the server never pings, it answers the client ping with pong', async () => {
  const srv = await server({ pingInterval: 40, pingTimeout: 2000 });
  const ws = await wsOpen(`ws://127.0.0.1:${srv.port}${PATH}?EIO=3&transport=websocket`);
  try {
    await ws.nextFrame(); // open
    // Five v4 ping periods: a v4-style server would have pinged by now.
    await sleep(200);
    assert.deepEqual(ws.pending.map((f) => f.data.toString()), []);
    ws.send('2');
    const pong = await ws.nextFrame();
    assert.equal(pong.data.toString(), '3');
  } finally {
    ws.terminate();
    await closeWithPolls(srv);
  }
});

test('v3 heartbeat over polling: a posted ping gets a pong in the next poll', async () => {
  await withServer({}, async (srv) => {
    const { sid } = await handshake(srv.port);
    await post(srv.port, { EIO: '3', transport: 'polling', sid }, '1:2');
    const res = await poll(srv.port, { EIO: '3', transport: 'polling', sid });
    assert.equal(res.text, '1:3');
  });
});


test('v3 upgrade on the wire: 2probe/3probe, the pending poll released with noop, then 5; buffered binary flushed with its type byte', async () => {
  const srv = await server();
  let ws;
  try {
    const { sid } = await handshake(srv.port);
    const socket = srv.server.clients[sid];
    const { pending } = await holdPoll(srv, sid);
    ws = await wsOpen(`ws://127.0.0.1:${srv.port}${PATH}?EIO=3&transport=websocket&sid=${encodeURIComponent(sid)}`);
    ws.send('2probe');
    const probe = await ws.nextFrame();
    assert.equal(probe.data.toString(), '3probe');
    // The pending GET is released with a noop packet in v3 framing.
    const released = await pending;
    assert.equal(released.status, 200);
    assert.equal(released.text, '1:6');
    // Sent while the upgrade is in progress: must come out on the WebSocket after the switch.
    socket.send(Buffer.from([7, 7]));
    socket.send('queued');
    const upgraded = waitFor(socket, 'upgrade');
    ws.send('5');
    await upgraded;
    assert.equal(socket.transport.name, 'websocket');
    const a = await ws.nextFrame();
    const b = await ws.nextFrame();
    assert.equal(a.isBinary, true);
    assert.deepEqual([...a.data], [4, 7, 7]);
    assert.equal(b.data.toString(), '4queued');
    // Polling for the upgraded session is now refused.
    const late = await poll(srv.port, { EIO: '3', transport: 'polling', sid });
    assert.equal(late.status, 400);
  } finally {
    ws?.terminate();
    await closeWithPolls(srv);
  }
});

test('a v3 polling session that never pings is closed with "ping timeout", no earlier than pingInterval + pingTimeout', async () => {
  const pingInterval = 300;
  const pingTimeout = 100;
  const srv = await server({ pingInterval, pingTimeout });
  try {
    const t0 = Date.now();
    const { sid } = await handshake(srv.port);
    const socket = srv.server.clients[sid];
    // A GET is pending, as with a real client (the server releases it when it closes), but no ping.
    const pending = poll(srv.port, { EIO: '3', transport: 'polling', sid });
    const [reason] = await waitFor(socket, 'close', 5000);
    const elapsed = Date.now() - t0;
    await pending;
    assert.equal(reason, 'ping timeout');
    assert.ok(elapsed >= pingInterval + pingTimeout - 30, `closed after ${elapsed} ms`);
    assert.equal(srv.server.clients[sid], undefined);
  } finally {
    await closeWithPolls(srv);
  }
});

test('server-side close of a v3 session: the pending poll answers a close packet in v3 framing; the WebSocket is closed', async () => {
  const srv = await server();
  let ws;
  try {
    const { sid } = await handshake(srv.port);
    const socket = srv.server.clients[sid];
    const { pending } = await holdPoll(srv, sid);
    const closed = waitFor(socket, 'close');
    socket.close();
    const res = await pending;
    assert.equal(res.status, 200);
    assert.deepEqual(parseStringPayload(res.text).filter((p) => p !== '6'), ['1']);
    assert.equal((await closed)[0], 'forced close');

    ws = await wsOpen(`ws://127.0.0.1:${srv.port}${PATH}?EIO=3&transport=websocket`);
    const open = JSON.parse((await ws.nextFrame()).data.toString().slice(1));
    const wsClosed = waitFor(srv.server.clients[open.sid], 'close');
    const clientSeesClose = waitFor(ws, 'close');
    srv.server.clients[open.sid].close();
    assert.equal((await wsClosed)[0], 'forced close');
    await clientSeesClose;
    // Nothing but (at most) a close packet came before the WebSocket closed.
    assert.ok(ws.pending.every((f) => f.data.toString() === '1'), JSON.stringify(ws.pending.map((f) => f.data.toString())));
  } finally {
    ws?.terminate();
    await closeWithPolls(srv);
  }
});
