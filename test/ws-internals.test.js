'use strict';
// The `ws` internals the WebSocket transport relies on (src/server/transports/ws-internals.ts):
// checked on real connections, so that a `ws` upgrade that renames or reshapes them fails here
// with a message naming the member, instead of silently turning the one-write frame path off or
// letting frames overtake a message being compressed. Also: buildFrame writes what ws's own
// Sender.frame() writes, and a socket without those internals (another ws-compatible engine)
// gets the public send() path, with the same messages on the wire.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { wsSession } = require('./support/v4');
const { withServer } = require('./support/servers');

// The `ws` the engine resolves, and the module under test from the built package.
const ws = require(require.resolve('ws', { paths: [path.dirname(require.resolve('engine.io-ts'))] }));
const internals = require('../dist/cjs/server/transports/ws-internals.js');

const WAIT = 10000;

/** Counts the calls of the public send() of one server-side ws socket. */
function countSends(socket) {
  const original = socket.send;
  const counter = { calls: 0 };
  socket.send = function (...args) {
    counter.calls++;
    return original.apply(this, args);
  };
  return counter;
}

test('a connected ws WebSocket has the Sender members the fast path uses, with their shapes', async () => {
  await withServer({ perMessageDeflate: { threshold: 0 } }, async (srv, clients) => {
    const { peer, socket } = await wsSession(srv);
    clients.push(peer.ws);
    const raw = socket.transport.socket;
    assert.ok(raw instanceof ws.WebSocket, 'the transport holds a ws WebSocket');
    const sender = raw._sender;
    assert.ok(sender && typeof sender === 'object', 'ws changed: WebSocket#_sender is gone');
    assert.equal(typeof sender.sendFrame, 'function', 'ws changed: Sender#sendFrame is gone');
    assert.equal(sender.sendFrame.length, 2, 'ws changed: Sender#sendFrame(list, cb) takes other arguments');
    assert.equal(sender._state, 0, 'ws changed: an idle Sender#_state is not 0 (DEFAULT)');
    assert.ok(Array.isArray(sender._queue), 'ws changed: Sender#_queue is not an array');
    assert.equal(typeof ws.Sender.frame, 'function', 'ws changed: Sender.frame() (what socket.io pre-encodes with) is gone');
    assert.equal(internals.frameSender(raw), sender);
    assert.equal(internals.senderIdle(raw, sender), true);
    // the upgrade rule (a polling request waits while the new WebSocket still decodes what it read)
    const receiver = raw._receiver;
    assert.ok(receiver && typeof receiver === 'object', 'ws changed: WebSocket#_receiver is gone');
    assert.equal(typeof receiver.writableLength, 'number', 'ws changed: the Receiver is no Writable with a writableLength');
    assert.equal(internals.inputPending(raw), false, 'an idle Receiver holds no input');

    // While a message is being compressed the Sender is busy and queues what follows: the
    // fast path must wait (senderIdle false), or a framed message would overtake it.
    const big = 'compressible '.repeat(20000);
    raw.send(big, { compress: true });
    assert.notEqual(sender._state, 0, 'ws changed: Sender#_state does not say a message is being compressed');
    assert.equal(internals.senderIdle(raw, sender), false);
    raw.send('second', { compress: true });
    assert.equal(sender._queue.length, 1, 'ws changed: Sender#_queue does not hold what waits behind a compression');
    assert.equal(internals.senderIdle(raw, sender), false);
    socket.send('third'); // through the transport: it must not overtake the two above
    assert.equal(await peer.next(WAIT), big);
    assert.equal(await peer.next(WAIT), 'second');
    assert.equal(await peer.next(WAIT), '4third');
    assert.equal(sender._state, 0);
    assert.equal(internals.senderIdle(raw, sender), true);
  });
});

test('with ws, uncompressed small messages and pre-encoded frames take the one-write path, not send()', async () => {
  await withServer({ perMessageDeflate: false }, async (srv, clients) => {
    const { peer, socket } = await wsSession(srv);
    clients.push(peer.ws);
    const sends = countSends(socket.transport.socket);
    socket.send('small');
    socket.send(Buffer.from([1, 2, 3]));
    // socket.io's broadcast form: the frame built once with ws's Sender.frame(), sent as it is
    const frame = ws.Sender.frame(Buffer.from('4pre-encoded'), { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false });
    socket.send('not this', { wsPreEncodedFrame: frame });
    assert.equal(await peer.next(WAIT), '4small');
    assert.deepEqual(await peer.next(WAIT), Buffer.from([1, 2, 3]));
    assert.equal(await peer.next(WAIT), '4pre-encoded');
    assert.equal(sends.calls, 0, 'the fast path is off: check src/server/transports/ws-internals.ts against this ws');
  });
});

test("buildFrame writes exactly the bytes of ws's Sender.frame(), for every header length", () => {
  for (const n of [0, 1, 125, 126, 127, 65535, 65536, 70000]) {
    const text = 'é'.repeat(n >> 1) + 'x'.repeat(n & 1); // n UTF-8 bytes, multi-byte characters
    const bytes = Buffer.alloc(n, 0xa5);
    for (const [data, opcode] of [[text, 1], [bytes, 2]]) {
      const theirs = Buffer.concat(ws.Sender.frame(Buffer.from(data), { fin: true, rsv1: false, opcode, mask: false, readOnly: false }));
      assert.ok(internals.buildFrame(data).equals(theirs), `${typeof data} of ${n} bytes`);
    }
  }
});

/**
 * Watches one stream's end(): how often it was called once the stream had ended (`afterEnded`),
 * and how many of those calls reached the end() of its prototype (`reachedPrototype`), which
 * builds a discarded ERR_STREAM_ALREADY_FINISHED (or ERR_STREAM_DESTROYED) for each.
 */
function watchEnds(stream) {
  const counts = { afterEnded: 0, reachedPrototype: 0 };
  const installed = stream.end;
  Object.defineProperty(stream, 'end', {
    value(...args) {
      if (this.writableEnded) counts.afterEnded++;
      return installed.apply(this, args);
    },
    writable: true,
    configurable: true,
  });
  const proto = Object.getPrototypeOf(stream);
  const inherited = proto.end;
  const hadOwn = Object.hasOwn(proto, 'end');
  proto.end = function (...args) {
    if (this === stream && this.writableEnded) counts.reachedPrototype++;
    return inherited.apply(this, args);
  };
  counts.restore = () => {
    if (hadOwn) proto.end = inherited;
    else delete proto.end;
  };
  return counts;
}

for (const closer of ['the client', 'the server']) {
  test(`ws's close path, closed by ${closer}: end() on the ended Receiver and TCP socket builds no error, and the session closes as before`, async () => {
    await withServer({ perMessageDeflate: false }, async (srv, clients) => {
      const { peer, socket } = await wsSession(srv);
      clients.push(peer.ws);
      const raw = socket.transport.socket;
      const receiver = raw._receiver;
      const tcp = raw._socket;
      assert.equal(tcp, socket.request.socket, 'ws changed: WebSocket#_socket is not the upgraded TCP socket');
      for (const stream of [receiver, tcp]) {
        assert.ok(Object.hasOwn(stream, 'end'), 'quietRedundantEnds did not take: no Writable with writableEnded and writableCorked?');
        assert.equal(Object.keys(stream).includes('end'), false, 'the installed end() is enumerable');
      }
      const receiverEnds = watchEnds(receiver);
      const tcpEnds = watchEnds(tcp);
      try {
        const closed = new Promise((resolve) => socket.once('close', (reason) => resolve(reason)));
        const clientClosed = new Promise((resolve) => peer.ws.once('close', (code) => resolve(code)));
        if (closer === 'the client') peer.ws.close();
        else socket.close();
        assert.equal(await closed, closer === 'the client' ? 'transport close' : 'forced close');
        assert.equal(await clientClosed, 1005); // no status code in either close frame
        if (!tcp.closed) await new Promise((resolve) => tcp.once('close', resolve));
        await new Promise((resolve) => setImmediate(resolve));
        assert.ok(receiver.writableFinished, 'the Receiver finished');
        // ws ended the Receiver on the close frame, then called end() again (socket 'end', 'close')
        assert.ok(receiverEnds.afterEnded >= 1, `ws no longer calls end() on its ended Receiver (${receiverEnds.afterEnded} calls): quietRedundantEnds may go`);
        tcp.end(); // whether ws's own call came after the socket had finished depends on timing
        assert.ok(tcpEnds.afterEnded >= 1);
        assert.equal(receiverEnds.reachedPrototype, 0, "a redundant end() reached the Receiver's Writable#end()");
        assert.equal(tcpEnds.reachedPrototype, 0, "a redundant end() reached the socket's end()");
      } finally {
        receiverEnds.restore();
        tcpEnds.restore();
      }
      // every other call is the stream's own end(): with a callback it still gets the error
      for (const stream of [receiver, tcp]) {
        const err = await new Promise((resolve) => stream.end(resolve));
        assert.match(err && err.code, /^ERR_STREAM_(ALREADY_FINISHED|DESTROYED)$/);
        assert.equal(stream.end(), stream);
      }
    });
  });
}

test('quietRedundantEnds leaves alone streams that are not Writables as ws and node:net make them', () => {
  const receiver = { writableLength: 0, end() {} };
  const tcp = { end() {}, writableEnded: 'no' };
  const [receiverEnd, tcpEnd] = [receiver.end, tcp.end];
  internals.quietRedundantEnds({ _receiver: receiver, _socket: tcp });
  assert.equal(receiver.end, receiverEnd);
  assert.equal(tcp.end, tcpEnd);
  internals.quietRedundantEnds({ _receiver: null, _socket: null });
  internals.quietRedundantEnds({});
});

test('a socket without ws internals gets no fast path: frameSender says so, and messages go through send()', async () => {
  assert.equal(internals.frameSender({}), null);
  assert.equal(internals.frameSender({ _sender: null }), null);
  assert.equal(internals.frameSender({ _sender: { send() {} } }), null);

  // A ws-compatible engine whose sockets show only ws's public API (a Proxy hiding _sender).
  let sends = 0;
  class PublicOnlyEngine extends ws.WebSocketServer {
    handleUpgrade(req, socket, head, cb) {
      super.handleUpgrade(req, socket, head, (real) => {
        const view = new Proxy(real, {
          get(target, key) {
            if (key === '_sender') return undefined;
            const value = Reflect.get(target, key, target);
            if (key === 'send') return (...args) => (sends++, value.apply(target, args));
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
        cb(view);
      });
    }
  }
  await withServer({ perMessageDeflate: false, wsEngine: PublicOnlyEngine }, async (srv, clients) => {
    const { peer, socket } = await wsSession(srv);
    clients.push(peer.ws);
    assert.equal(internals.frameSender(socket.transport.socket), null);
    const before = sends;
    const frame = ws.Sender.frame(Buffer.from('4pre-encoded'), { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false });
    socket.send('small');
    socket.send(Buffer.from([1, 2, 3]));
    socket.send('encoded here', { wsPreEncodedFrame: frame }); // no Sender: the packet is encoded as usual
    assert.equal(await peer.next(WAIT), '4small');
    assert.deepEqual(await peer.next(WAIT), Buffer.from([1, 2, 3]));
    assert.equal(await peer.next(WAIT), '4encoded here');
    assert.equal(sends - before, 3);
  });
});
