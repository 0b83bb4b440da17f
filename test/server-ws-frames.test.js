'use strict';
// WebSocket frames the server writes itself (uncompressed messages are framed in one buffer
// by the transport, larger binaries and compressed ones go through ws): every length class
// of the frame header (7-bit, 16-bit, 64-bit), multi-byte UTF-8, and the order of messages
// when framed and compressed ones alternate. The peer is the `ws` client, which rejects a
// malformed frame or invalid UTF-8 by closing the connection.
const test = require('node:test');
const assert = require('node:assert/strict');
const { wsSession } = require('./support/v4');
const { withServer } = require('./support/servers');
const { waitFor } = require('./support');

// lengths around each header boundary, in UTF-8 bytes once the packet type is prepended
const TEXT_LENGTHS = [0, 1, 124, 125, 126, 127, 65534, 65535, 65536, 70000];
const BINARY_LENGTHS = [0, 124, 125, 126, 16383, 16384, 16385, 65535, 65536, 70000];

function text(n, seed) {
  // '€' is 3 UTF-8 bytes: mixing it in checks byte (not character) lengths in the header
  let s = '';
  let bytes = 0;
  for (let i = 0; bytes < n; i++) {
    const euro = (i + seed) % 5 === 0 && bytes + 3 <= n;
    s += euro ? '€' : String.fromCharCode(97 + ((i + seed) % 26));
    bytes += euro ? 3 : 1;
  }
  assert.equal(Buffer.byteLength(s), n);
  return s;
}

function binary(n, seed) {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

test('v4 WebSocket: text and binary messages of every frame-length class arrive intact and in order', async () => {
  await withServer({ perMessageDeflate: false }, async (srv, clients) => {
    const { peer, socket } = await wsSession(srv);
    clients.push(peer.ws);
    const expected = [];
    TEXT_LENGTHS.forEach((n, i) => {
      const s = text(Math.max(0, n - 1), i);
      expected.push(`4${s}`);
      socket.send(s);
    });
    BINARY_LENGTHS.forEach((n, i) => {
      const b = binary(n, i);
      expected.push(b);
      socket.send(b);
    });
    // a typed-array view into a larger buffer: only its own bytes go out
    const backing = binary(300, 7);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 10, 200);
    expected.push(Buffer.from(view));
    socket.send(view);
    for (const want of expected) {
      const got = await peer.next();
      if (typeof want === 'string') {
        assert.equal(typeof got, 'string');
        assert.equal(got.length, want.length);
        assert.ok(got === want, `text of ${Buffer.byteLength(want)} bytes differs`);
      } else {
        assert.ok(Buffer.isBuffer(got), `expected binary of ${want.length} bytes, got ${typeof got}`);
        assert.ok(want.equals(got), `binary of ${want.length} bytes differs`);
      }
    }
    assert.equal(peer.isClosed, false);
  });
});

test('v4 WebSocket: framed small messages never overtake compressed large ones', async () => {
  const big = (i) => `${i}:` + 'compressible line of text\n'.repeat(400);
  await withServer({ perMessageDeflate: { threshold: 1024 } }, async (srv, clients) => {
    const { peer, socket } = await wsSession(srv);
    clients.push(peer.ws);
    const sent = [];
    for (let i = 0; i < 60; i++) {
      // big ones are deflated asynchronously by ws; small ones would be written at once
      const m = i % 3 === 0 ? big(i) : `small ${i}`;
      sent.push(`4${m}`);
      socket.send(m);
    }
    for (let i = 0; i < sent.length; i++) assert.equal(await peer.next(), sent[i], `message ${i}`);
  });
});

test('v4 WebSocket: the send callback of a framed message runs once it is written', async () => {
  await withServer({ perMessageDeflate: false }, async (srv, clients) => {
    const { peer, socket } = await wsSession(srv);
    clients.push(peer.ws);
    let calls = 0;
    const done = new Promise((resolve) => socket.send('with callback', () => resolve(++calls)));
    assert.equal(await peer.next(), '4with callback');
    assert.equal(await done, 1);
    const drained = waitFor(socket, 'drain');
    socket.send(Buffer.from([1, 2, 3]));
    await drained;
    assert.deepEqual([...(await peer.next())], [1, 2, 3]);
    assert.equal(calls, 1);
  });
});
