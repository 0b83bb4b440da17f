'use strict';
// The Socket's properties and send() (protocol v4, by hand): id, server, request, protocol,
// remoteAddress, transport, upgraded, readyState; server.clients and clientsCount; send() and write()
// of every data kind over polling and WebSocket, options and callbacks.
const assert = require('node:assert/strict');
const { withServer } = require('./support/servers');
const { waitFor, sleep } = require('./support');
const { testWithTimeout: test, RS, handshake, poll, until, pollingSession, wsSession } = require('./support/v4');

test('socket properties: id, server, request, protocol, remoteAddress, transport, upgraded', async () => {
  await withServer({}, async (srv) => {
    const eio = srv.eio;
    const conn = waitFor(srv.server, 'connection');
    const { sid } = await handshake(srv.port, {}, { 'x-marker': 'm1' });
    const [socket] = await conn;
    assert.equal(socket.id, sid);
    assert.equal(socket.server, srv.server);
    assert.equal(socket.request.headers['x-marker'], 'm1');
    assert.match(socket.request.url, /transport=polling/);
    assert.equal(socket.protocol, 4);
    assert.match(socket.remoteAddress, /127\.0\.0\.1$/);
    assert.equal(socket.readyState, 'open');
    assert.equal(socket.upgraded, false);
    assert.equal(socket.transport.name, 'polling');
    assert.ok(socket.transport instanceof eio.Transport);
    assert.equal(socket.transport.writable, false, 'no poll pending');
    const pending = poll(srv.port, sid);
    await until(() => socket.transport.writable === true, 2000, 'writable with a pending poll');
    socket.send('x');
    await pending;

    const ws = await wsSession(srv);
    assert.equal(ws.socket.transport.name, 'websocket');
    assert.equal(ws.socket.transport.writable, true);
    assert.equal(ws.socket.protocol, 4);
    assert.match(ws.socket.remoteAddress, /127\.0\.0\.1$/);
    assert.match(ws.socket.request.url, /transport=websocket/);
    await ws.peer.close();
  });
});

test('readyState: open, then closing after close() while a poll is awaited, then closed', async () => {
  await withServer({}, async (srv) => {
    const { sid, socket } = await pollingSession(srv);
    assert.equal(socket.readyState, 'open');
    const closed = waitFor(socket, 'close');
    socket.close();
    assert.equal(socket.readyState, 'closing', 'the close packet waits for the next poll');
    socket.send('too late');
    const res = await poll(srv.port, sid);
    const packets = res.text.split(RS).filter((p) => p !== '6'); // noops carry nothing
    assert.deepEqual(packets, ['1'], 'nothing sent after close() goes out');
    assert.equal((await closed)[0], 'forced close');
    assert.equal(socket.readyState, 'closed');
  });
});

test('clients and clientsCount follow sessions opening and closing', async () => {
  await withServer({}, async (srv) => {
    assert.equal(srv.server.clientsCount, 0);
    const a = await pollingSession(srv);
    const b = await wsSession(srv);
    const c = await pollingSession(srv);
    assert.equal(srv.server.clientsCount, 3);
    assert.equal(srv.server.clients[a.sid], a.socket);
    assert.equal(srv.server.clients[b.socket.id], b.socket);
    assert.deepEqual(Object.keys(srv.server.clients).sort(), [a.sid, b.socket.id, c.sid].sort());
    const closed = waitFor(b.socket, 'close');
    await b.peer.close();
    await closed;
    assert.equal(srv.server.clientsCount, 2);
    assert.equal(srv.server.clients[b.socket.id], undefined);
    a.socket.close();
    await poll(srv.port, a.sid);
    await until(() => srv.server.clientsCount === 1, 2000, 'clientsCount 1');
    assert.deepEqual(Object.keys(srv.server.clients), [c.sid]);
  });
});

test('send() over polling: strings, toString objects, Buffer, ArrayBuffer and every ArrayBufferView kind', async () => {
  await withServer({}, async (srv) => {
    const { sid, socket } = await pollingSession(srv);
    const backing = new Uint8Array([9, 9, 1, 2, 3, 4, 9, 9]);
    socket.send('plain');
    socket.send({ toString: () => 'custom' });
    socket.send(42);
    socket.send(Buffer.from([1, 2]));
    socket.send(new Uint8Array([3, 4]).buffer);
    socket.send(backing.subarray(2, 6)); // a view with an offset: only its own bytes
    socket.send(new Uint16Array(backing.buffer, 2, 2));
    socket.send(new DataView(backing.buffer, 3, 2));
    socket.send(new Float32Array([1.5]));
    const res = await poll(srv.port, sid);
    const b64 = (bytes) => 'b' + Buffer.from(bytes).toString('base64');
    assert.deepEqual(res.text.split(RS), [
      '4plain',
      '4custom',
      '442',
      b64([1, 2]),
      b64([3, 4]),
      b64([1, 2, 3, 4]),
      b64([1, 2, 3, 4]),
      b64([2, 3]),
      b64(new Uint8Array(new Float32Array([1.5]).buffer)),
    ]);
  });
});

test('send() over WebSocket: text frames for strings, binary frames with exactly the view\'s bytes', async () => {
  await withServer({}, async (srv) => {
    const { peer, socket } = await wsSession(srv);
    const backing = new Uint8Array([9, 9, 1, 2, 3, 4, 9, 9]);
    socket.send('plain');
    socket.send({ toString: () => 'custom' });
    socket.send(Buffer.from([1, 2]));
    socket.send(new Uint8Array([3, 4]).buffer);
    socket.send(backing.subarray(2, 6));
    socket.send(new DataView(backing.buffer, 3, 2));
    assert.equal(await peer.nextNonPing(), '4plain');
    assert.equal(await peer.nextNonPing(), '4custom');
    for (const bytes of [[1, 2], [3, 4], [1, 2, 3, 4], [2, 3]]) {
      const f = await peer.nextNonPing();
      assert.ok(Buffer.isBuffer(f), 'a binary frame');
      assert.deepEqual([...f], bytes);
    }
    await peer.close();
  });
});

test('send()/write(): chaining, options, and the callback runs once the transport has flushed', async () => {
  await withServer({}, async (srv) => {
    const { sid, socket } = await pollingSession(srv);
    const done = [];
    assert.equal(socket.send('a', () => done.push('a')), socket);
    assert.equal(socket.write('b', { compress: false }, () => done.push('b')), socket);
    socket.send('c', {}, () => done.push('c'));
    await sleep(30);
    assert.deepEqual(done, [], 'not flushed yet: no poll pending');
    const res = await poll(srv.port, sid);
    assert.equal(res.text, ['4a', '4b', '4c'].join(RS));
    await until(() => done.length === 3, 2000, 'callbacks');
    assert.deepEqual(done, ['a', 'b', 'c']);

    const ws = await wsSession(srv);
    const wsDone = [];
    ws.socket.send('1', () => wsDone.push('one'));
    ws.socket.write(Buffer.from([1]), () => wsDone.push('two'));
    await until(() => wsDone.length === 2, 2000, 'websocket send callbacks');
    assert.deepEqual(wsDone, ['one', 'two']);
    assert.equal(await ws.peer.nextNonPing(), '41');
    await ws.peer.close();
  });
});
