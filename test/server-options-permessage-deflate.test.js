'use strict';
// perMessageDeflate: permessage-deflate negotiated in the WebSocket handshake and actually used
// (RSV1 set on the frames of messages above the threshold), off when disabled, and
// `send(data, { compress: false })` honoured. Frames are read raw off the TCP socket.
const test = require('node:test');
const assert = require('node:assert/strict');
const { WebSocket } = require('ws');
const { waitFor } = require('./support');
const { withServer: withQuietServer } = require('./support/servers');
const { official, collect } = require('./support/v3util');
const { rawWebSocket, nextDataFrame, frameText, handshake, poll, PATH } = require('./support/v3wire');

const THRESHOLD_SKIP =
  official &&
  'official engine.io@6.6 leaves the threshold to ws, which applies it only with no_context_takeover, so small messages get compressed';

const OFFER = 'permessage-deflate; client_max_window_bits';
const BIG = Array.from({ length: 160 }, (_, i) => `frame line ${i % 7} €`).join('\n');
assert.ok(Buffer.byteLength(BIG) > 2048);

/** withServer() from ./support/servers with v3 allowed; `fn(srv, sockets)`: every socket put in `sockets` is closed afterwards. */
function withServer(opts, fn) {
  return withQuietServer({ allowEIO3: true, pingTimeout: 10000, ...opts }, fn);
}

/** Opens a raw WebSocket session offering permessage-deflate; resolves { ws, socket (server side) }. */
async function openSession(srv, sockets, { EIO = '4', extensions = OFFER } = {}) {
  const conn = waitFor(srv.server, 'connection');
  const ws = await rawWebSocket(srv.port, `${PATH}?EIO=${EIO}&transport=websocket`, { extensions });
  assert.equal(ws.status, 101);
  sockets.push(ws);
  const [socket] = await conn;
  const open = await nextDataFrame(ws);
  assert.match(frameText(open), /^0\{/);
  return { ws, socket };
}

function negotiated(ws) {
  return /permessage-deflate/i.test(ws.headers['sec-websocket-extensions'] || '');
}

test(
  'perMessageDeflate is on by default: negotiated, and a large message goes out compressed',
  { skip: official && 'official engine.io@6 defaults perMessageDeflate to false; the README says true' },
  () =>
    withServer({}, async (srv, sockets) => {
      const { ws, socket } = await openSession(srv, sockets);
      assert.ok(negotiated(ws), `Sec-WebSocket-Extensions: ${ws.headers['sec-websocket-extensions']}`);
      socket.send(BIG);
      const f = await nextDataFrame(ws);
      assert.equal(f.rsv1, true, 'RSV1 (compressed) set');
      assert.ok(f.payload.length < Buffer.byteLength(BIG) / 2);
      assert.equal(frameText(f), `4${BIG}`);
    }),
);

for (const EIO of ['4', '3']) {
  test(`EIO=${EIO}: perMessageDeflate: true negotiates the extension and compresses large messages`, () =>
    withServer({ perMessageDeflate: true }, async (srv, sockets) => {
      const { ws, socket } = await openSession(srv, sockets, { EIO });
      assert.ok(negotiated(ws));
      socket.send(BIG);
      const f = await nextDataFrame(ws);
      assert.equal(f.rsv1, true);
      assert.ok(f.payload.length < Buffer.byteLength(BIG) / 2);
      assert.equal(frameText(f), `4${BIG}`);
    }),
  );
}

test('binary messages above the threshold are compressed too', () =>
  withServer({ perMessageDeflate: true }, async (srv, sockets) => {
    const { ws, socket } = await openSession(srv, sockets);
    const bin = Buffer.alloc(4096, 7);
    socket.send(bin);
    const f = await nextDataFrame(ws);
    assert.equal(f.opcode, 2);
    assert.equal(f.rsv1, true);
    assert.ok(f.payload.length < 1024);
  }),
);

test(
  'messages under the threshold (1024 bytes) are not compressed',
  { skip: THRESHOLD_SKIP },
  () =>
  withServer({ perMessageDeflate: true }, async (srv, sockets) => {
    const { ws, socket } = await openSession(srv, sockets);
    const small = 'y'.repeat(900);
    socket.send(small);
    const f = await nextDataFrame(ws);
    assert.equal(f.rsv1, false);
    assert.equal(frameText(f), `4${small}`);
  }),
);

test(
  'perMessageDeflate.threshold is configurable',
  { skip: THRESHOLD_SKIP },
  () =>
  withServer({ perMessageDeflate: { threshold: 64 } }, async (srv, sockets) => {
    const { ws, socket } = await openSession(srv, sockets);
    socket.send('z'.repeat(20));
    const small = await nextDataFrame(ws);
    assert.equal(small.rsv1, false);
    socket.send('z'.repeat(200));
    const f = await nextDataFrame(ws);
    assert.equal(f.rsv1, true);
    assert.equal(frameText(f), `4${'z'.repeat(200)}`);
  }),
);

test('perMessageDeflate: false: the offer is declined and nothing is compressed', () =>
  withServer({ perMessageDeflate: false }, async (srv, sockets) => {
    const { ws, socket } = await openSession(srv, sockets);
    assert.equal(ws.headers['sec-websocket-extensions'], undefined);
    socket.send(BIG);
    const f = await nextDataFrame(ws);
    assert.equal(f.rsv1, false);
    assert.equal(frameText(f), `4${BIG}`);
  }),
);

test(
  'send(data, { compress: false }) is honoured on WebSocket',
  { skip: official && 'official engine.io@6.6 ignores compress on WebSocket sends' },
  () =>
  withServer({ perMessageDeflate: true }, async (srv, sockets) => {
    const { ws, socket } = await openSession(srv, sockets);
    socket.send(BIG, { compress: false });
    const plain = await nextDataFrame(ws);
    assert.equal(plain.rsv1, false);
    assert.equal(frameText(plain), `4${BIG}`);
    socket.send(BIG);
    const compressed = await nextDataFrame(ws);
    assert.equal(compressed.rsv1, true);
    assert.equal(frameText(compressed), `4${BIG}`);
  }),
);

test('a client that offers nothing gets no extension and plain frames', () =>
  withServer({ perMessageDeflate: true }, async (srv, sockets) => {
    const { ws, socket } = await openSession(srv, sockets, { extensions: null });
    assert.equal(ws.headers['sec-websocket-extensions'], undefined);
    socket.send(BIG);
    const f = await nextDataFrame(ws);
    assert.equal(f.rsv1, false);
  }),
);

test('a session upgraded from polling compresses on its WebSocket too', () =>
  withServer({ perMessageDeflate: true }, async (srv, sockets) => {
    const { sid } = await handshake(srv.port, { EIO: '4', transport: 'polling' });
    const socket = srv.server.clients[sid];
    const ws = await rawWebSocket(srv.port, `${PATH}?EIO=4&transport=websocket&sid=${encodeURIComponent(sid)}`, { extensions: OFFER });
    sockets.push(ws);
    assert.equal(ws.status, 101);
    assert.ok(negotiated(ws));
    // A GET pending, as a real client would have, so the server can release it with noop.
    const pending = poll(srv.port, { EIO: '4', transport: 'polling', sid });
    ws.send('2probe');
    assert.equal(frameText(await nextDataFrame(ws)), '3probe');
    const upgraded = waitFor(socket, 'upgrade');
    ws.send('5');
    await upgraded;
    await pending;
    socket.send(BIG);
    const f = await nextDataFrame(ws);
    assert.equal(f.rsv1, true);
    assert.equal(frameText(f), `4${BIG}`);
  }),
);

test('the ws client with perMessageDeflate negotiates it and exchanges large messages intact', () =>
  withServer({ perMessageDeflate: true }, async (srv) => {
    const ws = new WebSocket(`ws://127.0.0.1:${srv.port}${PATH}?EIO=4&transport=websocket`, { perMessageDeflate: true });
    const conn = waitFor(srv.server, 'connection');
    const upgraded = waitFor(ws, 'upgrade');
    const opened = waitFor(ws, 'open');
    // Listen before anything arrives: the open packet may come right after the 'open' event.
    const frames = collect(ws, 'message', 2);
    const [upgradeRes] = await upgraded;
    assert.match(upgradeRes.headers['sec-websocket-extensions'] || '', /permessage-deflate/);
    await opened;
    assert.match(ws.extensions, /permessage-deflate/);
    const [socket] = await conn;
    try {
      socket.send(BIG);
      const [open, big] = await frames;
      assert.match(open.toString(), /^0\{/);
      assert.equal(big.toString(), `4${BIG}`);
      const got = waitFor(socket, 'message');
      ws.send(`4${BIG}`);
      assert.deepEqual(await got, [BIG]);
    } finally {
      ws.terminate();
    }
  }),
);
