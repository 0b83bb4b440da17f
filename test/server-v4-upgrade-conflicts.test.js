'use strict';
// Upgrades that go wrong, by hand (protocol v4): polling after an upgrade, a second WebSocket for
// a session (after or during an upgrade), and upgradeTimeout cancelling an unfinished upgrade.
// The upgrade that succeeds is in server-v4-upgrade.test.js.
const assert = require('node:assert/strict');
const { withServer } = require('./support/servers');
const { waitFor } = require('./support');
const { testWithTimeout: test, RS, poll, post, wsConnect, pollingSession, upgradeByHand, assertError } = require('./support/v4');

test('after an upgrade: polling requests are refused; a second WebSocket with the same sid is opened, then closed', async () => {
  await withServer({}, async (srv) => {
    const { sid, socket } = await pollingSession(srv);
    const peer = await upgradeByHand(srv, sid, socket);
    assert.equal(socket.transport.name, 'websocket');
    assert.equal(socket.upgraded, true);

    assertError(await poll(srv.port, sid), 3, 'Bad request');
    assertError(await post(srv.port, sid, '4sneaky'), 3, 'Bad request');

    // a second WebSocket for the same session never becomes part of it: as engine.io 6, its
    // handshake completes and the server then closes it
    const second = await wsConnect(srv.port, { sid });
    second.send('2probe');
    second.send('5');
    second.send('4from the intruder');
    await second.closed;
    assert.equal(second.frames.includes('3probe'), false);
    // the session still runs on the first WebSocket
    assert.equal(socket.readyState, 'open');
    const got = waitFor(socket, 'message');
    peer.send('4from the real client');
    assert.deepEqual(await got, ['from the real client']);
    socket.send('back');
    assert.equal(await peer.nextNonPing(), '4back');
    await peer.close();
  });
});

test('a second WebSocket while an upgrade is in progress is opened, then closed', async () => {
  await withServer({}, async (srv) => {
    const { sid, socket } = await pollingSession(srv);
    const first = await wsConnect(srv.port, { sid });
    first.send('2probe');
    assert.equal(await first.next(), '3probe');
    const second = await wsConnect(srv.port, { sid });
    second.send('2probe');
    await second.closed;
    assert.equal(second.frames.includes('3probe'), false);
    const upgraded = waitFor(socket, 'upgrade');
    first.send('5');
    await upgraded;
    socket.send('on the first');
    assert.equal(await first.nextNonPing(), '4on the first');
    await first.close();
  });
});

test('upgradeTimeout cancels an upgrade that does not finish; the session stays on polling', async () => {
  await withServer({ upgradeTimeout: 100 }, async (srv) => {
    const { sid, socket } = await pollingSession(srv);
    let upgraded = false;
    socket.on('upgrade', () => (upgraded = true));
    const peer = await wsConnect(srv.port, { sid });
    peer.send('2probe');
    assert.equal(await peer.next(), '3probe');
    await peer.closed; // closed by the server once upgradeTimeout passes
    assert.equal(upgraded, false);
    assert.equal(socket.readyState, 'open');
    assert.equal(socket.transport.name, 'polling');
    assert.equal(socket.upgraded, false);
    socket.send('still polling');
    const res = await poll(srv.port, sid);
    assert.ok(res.text.split(RS).includes('4still polling'), res.text);
    const got = waitFor(socket, 'message');
    await post(srv.port, sid, '4me too');
    assert.deepEqual(await got, ['me too']);
  });
});
