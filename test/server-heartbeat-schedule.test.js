'use strict';
// The heartbeat deadlines of all sessions share one schedule (src/server/deadlines.ts). Over
// real WebSockets: sessions opened at different moments each get their own pings on time, a
// silent one among them is closed for "ping timeout" without disturbing the others, v3 and v4
// sessions (deadlines of different lengths) run side by side, and two servers with different
// intervals in one process keep their own.
const test = require('node:test');
const assert = require('node:assert/strict');
const { waitFor, sleep } = require('./support');
const { startServer } = require('./support/servers');
const { wsHandshake } = require('./support/v4');
const { WebSocket } = require('ws');

/** A v4 WebSocket session that answers pings when `answer` is set; counts them. */
async function session(port, answer) {
  const { peer, open } = await wsHandshake(port);
  const s = { peer, sid: open.sid, pings: 0, answer };
  peer.ws.on('message', (data) => {
    if (String(data) === '2') {
      s.pings++;
      if (s.answer) peer.ws.send('3');
    }
  });
  return s;
}

// The pong deadlines are long on purpose: a process starved of CPU by a parallel test file runs
// its expired timers before reading the pongs that arrived meanwhile.
test('staggered sessions each get their pings; the silent one alone times out', async () => {
  const srv = await startServer({ pingInterval: 80, pingTimeout: 400 });
  const sessions = [];
  try {
    const closed = new Map();
    srv.server.on('connection', (socket) => socket.on('close', (reason) => closed.set(socket.id, reason)));
    // opened over more than one ping interval, so the shared queue of ping deadlines never
    // runs empty: each ping comes from the one timer re-armed for the next session's deadline
    for (let i = 0; i < 12; i++) {
      sessions.push(await session(srv.port, i !== 3));
      await sleep(10);
    }
    const silent = sessions[3];
    await sleep(800); // the silent session closes about 480 ms after it opened
    assert.equal(closed.get(silent.sid), 'ping timeout');
    assert.equal(silent.pings, 1, 'one unanswered ping, then the close');
    for (const s of sessions) {
      if (s === silent) continue;
      assert.equal(closed.has(s.sid), false, `session ${s.sid} stayed open`);
      // about 10 when on time
      assert.ok(s.pings >= 6, `session ${s.sid} got ${s.pings} pings in 800+ ms at an 80 ms interval`);
    }
    assert.equal(srv.server.clientsCount, 11);
  } finally {
    for (const s of sessions) s.peer.ws.terminate();
    await srv.close();
  }
});

test('v3 and v4 sessions, and two servers with their own intervals, in one process', async () => {
  const fast = await startServer({ pingInterval: 60, pingTimeout: 400, allowEIO3: true });
  const slow = await startServer({ pingInterval: 5000, pingTimeout: 5000 });
  const sockets = [];
  try {
    const a = await session(fast.port, true);
    const b = await session(slow.port, true);
    // a v3 client pings; the server's deadline for its next ping is pingInterval + pingTimeout
    const v3 = new WebSocket(`ws://127.0.0.1:${fast.port}/engine.io/?EIO=3&transport=websocket`);
    sockets.push(a.peer.ws, b.peer.ws, v3);
    const v3closed = waitFor(fast.server, 'connection').then(([socket]) => waitFor(socket, 'close', 3000));
    await waitFor(v3, 'open');
    await sleep(400);
    assert.ok(a.pings >= 3, `fast server: ${a.pings} pings in 400 ms at a 60 ms interval`);
    assert.equal(b.pings, 0, 'slow server: no ping yet');
    // the silent v3 client is closed after 60 + 400 ms, the v4 sessions are not
    const [reason] = await v3closed;
    assert.equal(reason, 'ping timeout');
    assert.equal(fast.server.clientsCount, 1);
    assert.equal(slow.server.clientsCount, 1);
  } finally {
    for (const ws of sockets) ws.terminate();
    await fast.close();
    await slow.close();
  }
});
