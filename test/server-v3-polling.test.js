'use strict';
// Protocol v3 polling on the wire, byte for byte: the default revision (a request without EIO),
// the string payload (<len>:<packet>, UTF-16 lengths, both ways), b64=1 (b4<base64>), and the XHR2
// binary payload (application/octet-stream, both ways).
const test = require('node:test');
const assert = require('node:assert/strict');
const { request, waitFor } = require('./support');
const { withV3Server } = require('./support/servers');
const { collect, v3BinaryPayload } = require('./support/v3util');
const { handshake, poll, post, parseStringPayload, PATH, holdPoll } = require('./support/v3wire');

const HEARTBEATS = { pingInterval: 5000, pingTimeout: 5000 };

/** Runs `fn(srv)` with a server(opts), then closes it with closeWithPolls whether `fn` passed or threw. */
function withServer(opts, fn) {
  return withV3Server({ ...HEARTBEATS, ...opts }, fn);
}

test('a request without EIO is protocol v3: length-prefixed open packet, socket.protocol 3', async () => {
  await withServer({}, async (srv) => {
    const conn = waitFor(srv.server, 'connection');
    const res = await request(srv.port, { path: `${PATH}?transport=polling` });
    assert.equal(res.status, 200);
    assert.match(res.text, /^\d+:0\{/, res.text);
    const packets = parseStringPayload(res.text);
    const open = JSON.parse(packets[0].slice(1));
    assert.equal(typeof open.sid, 'string');
    assert.deepEqual(open.upgrades, ['websocket']);
    assert.equal(open.pingInterval, 5000);
    assert.equal(open.pingTimeout, 5000);
    const [socket] = await conn;
    assert.equal(socket.protocol, 3);
    assert.equal(socket.id, open.sid);
  });
});

test('EIO=4 on the same server is v4: no length prefix', async () => {
  await withServer({}, async (srv) => {
    const res = await request(srv.port, { path: `${PATH}?EIO=4&transport=polling` });
    assert.equal(res.status, 200);
    assert.match(res.text, /^0\{/);
    assert.equal(srv.server.clients[JSON.parse(res.text.slice(1)).sid].protocol, 4);
  });
});

test('string payload: <len>:<packet> with lengths in UTF-16 code units, server to client', async () => {
  await withServer({}, async (srv) => {
    const { sid } = await handshake(srv.port);
    const socket = srv.server.clients[sid];
    socket.send('€');
    socket.send('héllo');
    socket.send('𝄞'); // a surrogate pair: two UTF-16 units, four UTF-8 bytes
    socket.send('');
    const res = await poll(srv.port, { EIO: '3', transport: 'polling', sid });
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^text\/plain/);
    assert.equal(res.text, '2:4€6:4héllo3:4𝄞1:4');
  });
});

test('string payload: <len>:<packet> with UTF-16 lengths, client to server', async () => {
  await withServer({}, async (srv) => {
    const { sid } = await handshake(srv.port);
    const socket = srv.server.clients[sid];
    const got = collect(socket, 'message', 5);
    // Colons and digits inside messages must not confuse the framing.
    const res = await post(srv.port, { EIO: '3', transport: 'polling', sid }, '2:4€6:4héllo3:4𝄞6:412:344:41:2');
    assert.equal(res.status, 200);
    assert.equal(res.text, 'ok');
    assert.deepEqual(await got, ['€', 'héllo', '𝄞', '12:34', '1:2']);
  });
});

test('a v3 payload with a wrong length closes the session with "parse error"', async () => {
  await withServer({}, async (srv) => {
    const { sid } = await handshake(srv.port);
    const socket = srv.server.clients[sid];
    const closed = waitFor(socket, 'close');
    let messages = 0;
    socket.on('message', () => messages++);
    // As a real client would, keep a GET pending: the server can then close at once.
    const { pending } = await holdPoll(srv, sid);
    await post(srv.port, { EIO: '3', transport: 'polling', sid }, '9:4ab');
    const [reason] = await closed;
    await pending;
    assert.equal(reason, 'parse error');
    assert.equal(messages, 0);
  });
});

test('b64=1 on the handshake: binary goes down as b4<base64> inside the string payload for the whole session', async () => {
  await withServer({}, async (srv) => {
    const { sid } = await handshake(srv.port, { EIO: '3', transport: 'polling', b64: '1' });
    const socket = srv.server.clients[sid];
    socket.send(Buffer.from([1, 2, 3, 4]));
    socket.send('txt');
    // As the official v3 client does, b64=1 is sent on the handshake only: the session remembers it.
    const res = await poll(srv.port, { EIO: '3', transport: 'polling', sid });
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^text\/plain/);
    assert.equal(res.text, '10:b4AQIDBA==4:4txt');
  });
});

test('b4<base64> in a posted string payload arrives as binary (with or without b64=1)', async () => {
  await withServer({}, async (srv) => {
    for (const b64 of [{ b64: '1' }, {}]) {
      const { sid } = await handshake(srv.port, { EIO: '3', transport: 'polling', ...b64 });
      const socket = srv.server.clients[sid];
      const got = collect(socket, 'message', 2);
      const res = await post(srv.port, { EIO: '3', transport: 'polling', sid, ...b64 }, '10:b4AQIDBA==3:4hi');
      assert.equal(res.status, 200);
      const [bin, text] = await got;
      assert.ok(Buffer.isBuffer(bin) || bin instanceof ArrayBuffer, `got ${typeof bin}`);
      assert.deepEqual(Buffer.from(bin), Buffer.from([1, 2, 3, 4]));
      assert.equal(text, 'hi');
    }
  });
});

test('XHR2 client (no b64): a payload with binary goes down as application/octet-stream, exact bytes', async () => {
  await withServer({}, async (srv) => {
    const { sid } = await handshake(srv.port);
    const socket = srv.server.clients[sid];
    socket.send('hello');
    socket.send(Buffer.from([1, 2, 3, 4]));
    socket.send('h€');
    const big = Buffer.alloc(300, 0xab);
    socket.send(big);
    const res = await poll(srv.port, { EIO: '3', transport: 'polling', sid });
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^application\/octet-stream/);
    // Text packets: 0, length in UTF-8 bytes as digits, 255, bytes. Binary: 1, ..., 255, type byte, bytes.
    assert.deepEqual(
      [...res.body],
      [
        ...[0, 6, 255, 52, 104, 101, 108, 108, 111],
        ...[1, 5, 255, 4, 1, 2, 3, 4],
        ...[0, 5, 255, 52, 104, 0xe2, 0x82, 0xac],
        ...[1, 3, 0, 1, 255, 4, ...big],
      ],
    );
  });
});

test('XHR2 client (no b64): a payload of text only stays a string payload', async () => {
  await withServer({}, async (srv) => {
    const { sid } = await handshake(srv.port);
    srv.server.clients[sid].send('only text');
    const res = await poll(srv.port, { EIO: '3', transport: 'polling', sid });
    assert.match(res.headers['content-type'], /^text\/plain/);
    assert.equal(res.text, '10:4only text');
  });
});

test('an XHR2 binary payload POSTed as application/octet-stream is decoded (text and binary)', async () => {
  await withServer({}, async (srv) => {
    const { sid } = await handshake(srv.port);
    const socket = srv.server.clients[sid];
    const got = collect(socket, 'message', 3);
    const body = v3BinaryPayload(['4hello', Buffer.from([4, 9, 8, 7]), '4h€']);
    const res = await request(srv.port, {
      method: 'POST',
      path: `${PATH}?EIO=3&transport=polling&sid=${encodeURIComponent(sid)}`,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length },
      body,
    });
    assert.equal(res.status, 200);
    const [a, b, c] = await got;
    assert.equal(a, 'hello');
    assert.deepEqual(Buffer.from(b), Buffer.from([9, 8, 7]));
    assert.equal(c, 'h€');
  });
});
