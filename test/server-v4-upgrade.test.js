'use strict';
// The polling → WebSocket upgrade: step by step on the wire, then 50 official clients upgrading
// while both sides send sequence-numbered messages without pause.
const { testWithTimeout: test } = require('./support/v4');
const assert = require('node:assert/strict');
const { waitFor } = require('./support');
const {
  RS,
  poll,
  post,
  wsConnect,
  collect,
  until,
  errorBody,
  pollingSession,
  probe,
  completeUpgrade,
} = require('./support/v4');
const { withServer } = require('./support/servers');

test('the upgrade on the wire: 2probe/3probe, the pending GET released with 6, 5, then the buffer flushed in order', async () => {
  await withServer({}, async (srv) => {
    const { sid, socket } = await pollingSession(srv);
    const events = [];
    socket.on('upgrading', (t) => events.push(['upgrading', t.name]));
    socket.on('upgrade', (t) => events.push(['upgrade', t.name]));
    const received = [];
    socket.on('message', (m) => received.push(m));

    socket.send('before');
    assert.equal((await poll(srv.port, sid)).text, '4before');

    // a GET waits on the server, as a polling client always has one out
    const pending = poll(srv.port, sid);
    await until(() => socket.transport.writable, 2000, 'the poll to be pending');

    const peer = await wsConnect(srv.port, { sid });
    assert.equal(socket.transport.name, 'polling', 'a WebSocket alone does not switch the session');
    await probe(peer);
    const released = await pending;
    assert.equal(released.status, 200);
    assert.equal(released.text, '6', 'the pending GET is released with a noop');
    assert.deepEqual(events, [['upgrading', 'websocket']]);
    assert.equal(socket.upgraded, false);

    // while the client decides: the server's messages wait, the client's polling POSTs still count
    socket.send('m1');
    socket.send(Buffer.from([1, 2]));
    socket.send('m2');
    assert.equal((await post(srv.port, sid, '4p1')).text, 'ok');

    await completeUpgrade(peer, socket);
    assert.deepEqual(events, [
      ['upgrading', 'websocket'],
      ['upgrade', 'websocket'],
    ]);
    assert.equal(socket.transport.name, 'websocket');
    assert.equal(socket.upgraded, true);
    assert.equal(await peer.next(), '4m1');
    const bin = await peer.next();
    assert.ok(Buffer.isBuffer(bin));
    assert.deepEqual([...bin], [1, 2]);
    assert.equal(await peer.next(), '4m2');

    peer.send('4w1');
    await until(() => received.length === 2, 2000, 'the message over the WebSocket');
    assert.deepEqual(received, ['p1', 'w1']);

    // the polling side is finished
    const stale = await poll(srv.port, sid);
    assert.equal(stale.status, 400);
    assert.equal(errorBody(stale).code, 3);
    await peer.close();
  });
});

test('a GET that arrives after the probe is released with a noop too', async () => {
  await withServer({}, async (srv) => {
    const { sid, socket } = await pollingSession(srv);
    const peer = await wsConnect(srv.port, { sid });
    await probe(peer);
    const res = await poll(srv.port, sid);
    assert.equal(res.text, '6');
    await completeUpgrade(peer, socket);
    socket.send('on ws');
    assert.equal(await peer.next(), '4on ws');
    await peer.close();
  });
});

test('messages written during the upgrade are sent once, on one transport, in order', async () => {
  await withServer({}, async (srv) => {
    const { sid, socket } = await pollingSession(srv);
    const pending = poll(srv.port, sid);
    await until(() => socket.transport.writable, 2000, 'the poll to be pending');
    const peer = await wsConnect(srv.port, { sid });
    await probe(peer);
    // whatever the GET carries and whatever the WebSocket carries: together, each once, in order
    for (let i = 0; i < 20; i++) socket.send(`n${i}`);
    const viaPoll = (await pending).text.split(RS).filter((p) => p !== '6');
    await completeUpgrade(peer, socket);
    for (let i = 20; i < 30; i++) socket.send(`n${i}`);
    const viaWs = [];
    while (viaPoll.length + viaWs.length < 30) viaWs.push(await peer.next());
    assert.deepEqual([...viaPoll, ...viaWs], Array.from({ length: 30 }, (_, i) => `4n${i}`));
    await peer.close();
  });
});

test('50 clients upgrading while both sides send continuously: every message exactly once and in order', async () => {
  const { Socket } = require('engine.io-client');
  const N = 50;
  const AFTER = 30; // messages each side keeps sending once its side has upgraded
  await withServer({}, async (srv) => {
    const serverSide = new Map(); // sid -> { socket, sent, upgradedAt, recv, done }
    srv.server.on('connection', (socket) => {
      const st = { socket, sent: 0, upgradedAt: -1, recv: [], clientTotal: -1, finished: false };
      serverSide.set(socket.id, st);
      socket.on('upgrade', () => (st.upgradedAt = st.sent));
      socket.on('message', (m) => {
        if (m.startsWith('c:')) st.recv.push(Number(m.slice(2)));
        else if (m.startsWith('cdone:')) st.clientTotal = Number(m.slice(6));
      });
    });
    const clients = [];
    const tick = setInterval(() => {
      for (const st of serverSide.values()) {
        if (st.finished || st.socket.readyState !== 'open') continue;
        st.socket.send(`s:${st.sent++}`);
        if (st.upgradedAt >= 0 && st.sent >= st.upgradedAt + AFTER) {
          st.finished = true;
          st.socket.send(`sdone:${st.sent}`);
        }
      }
      for (const c of clients) {
        if (!c.st.open || c.st.finished) continue;
        c.send(`c:${c.st.sent++}`);
        if (c.st.upgradedAt >= 0 && c.st.sent >= c.st.upgradedAt + AFTER) {
          c.st.finished = true;
          c.send(`cdone:${c.st.sent}`);
        }
      }
    }, 4);
    try {
      for (let i = 0; i < N; i++) {
        const c = new Socket(srv.url, {});
        c.st = { open: false, sent: 0, upgradedAt: -1, recv: [], serverTotal: -1, finished: false };
        c.on('open', () => (c.st.open = true));
        c.on('upgrade', () => (c.st.upgradedAt = c.st.sent));
        c.on('message', (m) => {
          if (m.startsWith('s:')) c.st.recv.push(Number(m.slice(2)));
          else if (m.startsWith('sdone:')) c.st.serverTotal = Number(m.slice(6));
        });
        c.on('close', (reason) => (c.st.closedWith = reason));
        clients.push(c);
      }
      await until(
        () =>
          serverSide.size === N &&
          clients.every((c) => c.st.serverTotal >= 0) &&
          [...serverSide.values()].every((st) => st.clientTotal >= 0),
        20000,
        'every side to finish',
      );
      for (const c of clients) {
        assert.equal(c.st.closedWith, undefined, `client ${c.id} closed: ${c.st.closedWith}`);
        assert.equal(c.transport.name, 'websocket');
        const st = serverSide.get(c.id);
        assert.ok(st, 'the server knows the client');
        assert.equal(st.socket.upgraded, true);
        assert.ok(st.upgradedAt > 0 && c.st.upgradedAt > 0, 'traffic flowed before the upgrade, on both sides');
        // server → client: exactly 0..n-1
        assert.equal(c.st.recv.length, c.st.serverTotal, `client ${c.id}: count`);
        for (let k = 0; k < c.st.recv.length; k++) assert.equal(c.st.recv[k], k, `client ${c.id}: message ${k}`);
        // client → server
        assert.equal(st.recv.length, st.clientTotal, `server ${c.id}: count`);
        for (let k = 0; k < st.recv.length; k++) assert.equal(st.recv[k], k, `server ${c.id}: message ${k}`);
      }
    } finally {
      clearInterval(tick);
      for (const c of clients) c.close();
    }
  });
});

test('a packet other than a probe on the new WebSocket cancels the upgrade; the session stays on polling', async () => {
  await withServer({}, async (srv) => {
    const { sid, socket } = await pollingSession(srv);
    let messages = 0;
    socket.on('message', () => messages++);
    const peer = await wsConnect(srv.port, { sid });
    peer.send('4not a probe');
    await peer.closed;
    assert.equal(messages, 0, 'nothing from a WebSocket that is not part of the session');
    assert.equal(socket.readyState, 'open');
    assert.equal(socket.transport.name, 'polling');
    socket.send('still here');
    assert.equal((await poll(srv.port, sid)).text, '4still here');
  });
});

test('a WebSocket that drops after the probe leaves the session on polling, and a new upgrade succeeds', async () => {
  await withServer({}, async (srv) => {
    const { sid, socket } = await pollingSession(srv);
    const first = await wsConnect(srv.port, { sid });
    await probe(first);
    await first.close();
    await until(() => !socket.upgrading, 2000, 'the failed upgrade to be forgotten');
    assert.equal(socket.readyState, 'open');
    assert.equal(socket.transport.name, 'polling');
    socket.send('between');
    const res = await poll(srv.port, sid);
    assert.ok(res.text.split(RS).includes('4between'), res.text);

    const second = await wsConnect(srv.port, { sid });
    await probe(second);
    await completeUpgrade(second, socket);
    socket.send('on the second');
    assert.equal(await second.next(), '4on the second');
    await second.close();
  });
});

test('socket.close() during an upgrade closes the session and the probing WebSocket', async () => {
  await withServer({}, async (srv) => {
    const { sid, socket } = await pollingSession(srv);
    const peer = await wsConnect(srv.port, { sid });
    await probe(peer);
    const pending = poll(srv.port, sid); // the client keeps a poll out until it sends 5
    const closed = waitFor(socket, 'close');
    socket.close();
    assert.equal((await closed)[0], 'forced close');
    await peer.closed;
    const res = await pending;
    assert.equal(res.status, 200);
    assert.equal(srv.server.clientsCount, 0);
  });
});

test('an upgrade offered to a client that never probes leaves the polling session intact', async () => {
  await withServer({ upgradeTimeout: 80 }, async (srv) => {
    const { sid, socket } = await pollingSession(srv);
    const peer = await wsConnect(srv.port, { sid });
    await peer.closed; // never probed: dropped after upgradeTimeout
    assert.equal(socket.readyState, 'open');
    assert.equal(socket.transport.name, 'polling');
    const got = collect(socket, 'message', 1);
    await post(srv.port, sid, '4fine');
    assert.deepEqual(await got, ['fine']);
  });
});
