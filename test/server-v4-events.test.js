'use strict';
// The events of Server and Socket (protocol v4, by hand): connection, flush, drain, message, data,
// packet, packetCreate, heartbeat, error; and idle sessions kept open by their heartbeats.
const assert = require('node:assert/strict');
const { withServer } = require('./support/servers');
const { waitFor } = require('./support');
const { testWithTimeout: test, official, RS, poll, post, collect, until, pollingSession, wsSession } = require('./support/v4');

test("server events: 'connection' (a Socket), 'flush' (socket, write buffer) and 'drain' (socket)", async () => {
  await withServer({}, async (srv) => {
    const eio = srv.eio;
    const { sid, socket } = await pollingSession(srv);
    assert.ok(socket instanceof eio.Socket);
    const flushes = [];
    const drains = [];
    srv.server.on('flush', (s, buf) => flushes.push([s, buf.map((p) => [p.type, p.data])]));
    srv.server.on('drain', (s) => drains.push(s));
    socket.send('a');
    socket.send('b');
    assert.equal(flushes.length, 0, 'nothing flushes without a pending poll');
    const res = await poll(srv.port, sid);
    assert.equal(res.text, `4a${RS}4b`);
    assert.equal(flushes.length, 1);
    assert.equal(flushes[0][0], socket);
    assert.deepEqual(flushes[0][1], [
      ['message', 'a'],
      ['message', 'b'],
    ]);
    assert.equal(drains.length, 1);
    assert.equal(drains[0], socket);
  });
});

test("socket events: 'message' and 'data', 'packet', 'packetCreate', 'heartbeat', 'flush', 'drain'", async () => {
  await withServer({ pingInterval: 30, pingTimeout: 500 }, async (srv) => {
    const { peer, socket } = await wsSession(srv);
    const log = [];
    socket.on('packet', (p) => log.push(['packet', p.type, p.data]));
    socket.on('packetCreate', (p) => log.push(['packetCreate', p.type, p.data]));
    socket.on('heartbeat', () => log.push(['heartbeat']));
    socket.on('flush', (buf) => log.push(['flush', buf.map((p) => p.type)]));
    socket.on('drain', () => log.push(['drain']));
    socket.on('message', (d) => log.push(['message', d]));
    socket.on('data', (d) => log.push(['data', d]));

    assert.equal(await peer.next(), '2');
    peer.send('3');
    await waitFor(socket, 'heartbeat');
    peer.send('4hi');
    peer.send(Buffer.from([7, 8]));
    await collect(socket, 'message', 2);
    socket.send('yo');
    assert.equal(await peer.nextNonPing(), '4yo');

    const has = (entry) => log.some((e) => JSON.stringify(e) === JSON.stringify(entry));
    assert.ok(has(['packetCreate', 'ping', undefined]), JSON.stringify(log));
    assert.ok(has(['packet', 'pong', undefined]), JSON.stringify(log));
    assert.ok(has(['heartbeat']));
    assert.ok(has(['packet', 'message', 'hi']));
    assert.ok(has(['message', 'hi']) && has(['data', 'hi']));
    const bin = log.filter((e) => e[0] === 'message' && Buffer.isBuffer(e[1]));
    assert.equal(bin.length, 1);
    assert.deepEqual([...bin[0][1]], [7, 8]);
    assert.equal(log.filter((e) => e[0] === 'data' && Buffer.isBuffer(e[1])).length, 1);
    assert.ok(has(['packetCreate', 'message', 'yo']));
    const flushYo = log.findIndex((e) => e[0] === 'flush' && e[1].includes('message'));
    assert.ok(flushYo >= 0);
    assert.equal(log[flushYo + 1][0], 'drain', 'drain follows the flush');
    // packet before message: the packet event reports what arrived, then it is delivered
    const pi = log.findIndex((e) => e[0] === 'packet' && e[2] === 'hi');
    const mi = log.findIndex((e) => e[0] === 'message' && e[1] === 'hi');
    assert.ok(pi < mi);
    await peer.close();
  });
});

test(
  "socket 'error': a throwing 'message' listener is reported as an error and the session carries on",
  { skip: official && "official engine.io@6 never emits 'error' on a Socket: the exception propagates" },
  async () => {
    await withServer({}, async (srv) => {
      const { peer, socket } = await wsSession(srv);
      const errors = [];
      socket.on('error', (err) => errors.push(err));
      let calls = 0;
      socket.on('message', (m) => {
        calls++;
        if (m === 'boom') throw new Error('application bug');
      });
      peer.send('4boom');
      peer.send('4after');
      await until(() => calls === 2, 2000, 'both messages');
      assert.equal(errors.length, 1);
      assert.equal(errors[0].message, 'application bug');
      assert.equal(socket.readyState, 'open');
      await peer.close();
    });
  },
);

/**
 * Runs `pingPong()` (receive one ping, answer it) `n` times; the session must count `n`
 * 'heartbeat's and still be open afterwards.
 */
async function answerPings(socket, n, pingPong) {
  let beats = 0;
  socket.on('heartbeat', () => beats++);
  for (let i = 0; i < n; i++) await pingPong();
  await until(() => beats === n, 1000, `${n} heartbeats`);
  assert.equal(socket.readyState, 'open');
}

test("an idle WebSocket session stays open through several heartbeats, one 'heartbeat' per pong", async () => {
  await withServer({ pingInterval: 30, pingTimeout: 200 }, async (srv) => {
    const { peer, socket } = await wsSession(srv);
    await answerPings(socket, 5, async () => {
      assert.equal(await peer.next(), '2');
      peer.send('3');
    });
    await peer.close();
  });
});

test('an idle polling session stays open through several heartbeats', async () => {
  await withServer({ pingInterval: 30, pingTimeout: 200 }, async (srv) => {
    const { sid, socket } = await pollingSession(srv);
    await answerPings(socket, 4, async () => {
      assert.equal((await poll(srv.port, sid)).text, '2');
      assert.equal((await post(srv.port, sid, '3')).text, 'ok');
    });
  });
});
