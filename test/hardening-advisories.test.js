'use strict';
// The published engine.io / socket.io advisories, replayed as regression tests: the real hostile
// bytes over a real socket, then the documented outcome, the process alive, the bystanders still
// echoing, and nothing left behind.
const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const http = require('node:http');
const { once } = require('node:events');
const { sleep, request } = require('./support/index');
const H = require('./support/hardening');
const { startEchoServer, shareEchoServer } = require('./support/servers');

H.guardProcess();

let srv;
let by;

shareEchoServer(
  { opts: { maxHttpBufferSize: 1e6 }, attachOpts: { destroyUpgradeTimeout: 150 }, bystanderOpts: { v3Transports: ['websocket'] } },
  (s, b) => {
    srv = s;
    by = b;
  },
);

// CVE-2020-36048: a huge body of tiny packets exhausted CPU and memory. The engine must answer
// 413 as soon as the body passes maxHttpBufferSize, without buffering or decoding the rest.
for (const eio of [4, 3]) {
  test(`CVE-2020-36048: a 100 MB POST of tiny packets is refused with 413 early (EIO=${eio})`, async (t) => {
    const { sid } = await H.pollHandshake(srv.port, { eio });
    const messages = [];
    const socket = srv.server.clients[sid];
    socket.on('message', (m) => messages.push(m));

    const total = 100 * 1024 * 1024;
    const unit = eio === 4 ? '4a\x1e' : '2:4a';
    const chunk = Buffer.from(unit.repeat(Math.floor(65536 / unit.length)), 'latin1');
    const before = process.memoryUsage();

    const sock = net.connect(srv.port, '127.0.0.1');
    await once(sock, 'connect');
    sock.on('error', () => {});
    let sent = 0;
    let sentAtAnswer = -1;
    const answer = [];
    sock.on('data', (d) => {
      if (sentAtAnswer < 0) sentAtAnswer = sent;
      answer.push(d);
    });
    const closed = once(sock, 'close');
    sock.write(
      `POST ${H.pollPath(eio, sid)} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain;charset=UTF-8\r\n` +
        `Content-Length: ${total}\r\n\r\n`,
    );
    // Generate the body lazily with backpressure; stop once the server has answered (or closed).
    const deadline = Date.now() + 20000;
    while (sent < total && sentAtAnswer < 0 && !sock.destroyed && Date.now() < deadline) {
      const n = Math.min(chunk.length, total - sent);
      sent += n;
      if (!sock.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
        await Promise.race([once(sock, 'drain'), closed, sleep(200)]);
      }
    }
    const waitAnswer = Date.now() + 3000;
    while (sentAtAnswer < 0 && Date.now() < waitAnswer) await sleep(10);
    sock.destroy();

    const text = Buffer.concat(answer).toString('latin1');
    assert.match(text, /^HTTP\/1\.1 413 /, `expected 413, got ${JSON.stringify(text.slice(0, 80))}`);
    // Answered after a few MB at most (the kernel buffers on both ends account for the slack),
    // long before the 100 MB were sent.
    assert.ok(sentAtAnswer > 0 && sentAtAnswer < 16 * 1024 * 1024, `answered after ${sentAtAnswer} bytes`);
    const grown = process.memoryUsage().rss - before.rss;
    assert.ok(grown < 60 * 1024 * 1024, `rss grew by ${grown} bytes`);
    t.diagnostic(`413 after ${sentAtAnswer} of ${total} bytes sent; rss grew by ${grown} bytes`);
    // The over-long body was not decoded into messages.
    assert.equal(messages.length, 0, `${messages.length} messages decoded from a refused body`);
    if (!H.official) {
      // Our spec: the session is closed (the official engine leaves it to the ping timeout).
      assert.ok(H.CLOSE_REASONS.includes(await H.closeReason(srv, sid)));
    }
  });
}

// CVE-2022-21676: valid WebSocket upgrade headers followed by garbage bytes.
for (const [label, garbage] of [
  ['0xff bytes', Buffer.alloc(64, 0xff)],
  ['an unmasked frame with reserved bits', Buffer.from([0xf1, 0x05, 1, 2, 3, 4, 5])],
  ['a frame claiming a 2^63-byte length', Buffer.from([0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])],
]) {
  for (const split of [false, true]) {
    test(`CVE-2022-21676: upgrade headers then garbage (${label}, ${split ? 'separate write' : 'same write'})`, async () => {
      const head = H.upgradeBytes(`${H.PATH}?EIO=4&transport=websocket`);
      const chunks = split ? [head, garbage] : [Buffer.concat([head, garbage])];
      const res = await H.rawExchange(srv.port, chunks, { ms: 3000, gap: split ? 30 : 0 });
      assert.ok(res.closed, 'the server closed the connection');
      await H.settleConnections(srv.httpServer, 2);
    });
  }
}

test('CVE-2022-21676: garbage on a WebSocket upgrading a polling session; the session survives', async () => {
  const { sid } = await H.pollHandshake(srv.port);
  const head = H.upgradeBytes(`${H.PATH}?EIO=4&transport=websocket&sid=${sid}`);
  const res = await H.rawExchange(srv.port, [Buffer.concat([head, Buffer.alloc(32, 0xfe)])], { ms: 3000 });
  assert.ok(res.closed);
  // the polling transport is still the session's transport and still answers
  const post = await request(srv.port, { method: 'POST', path: H.pollPath(4, sid), body: '4still here' });
  assert.equal(post.status, 200);
  const poll = await request(srv.port, { path: H.pollPath(4, sid) });
  assert.equal(poll.status, 200);
  assert.ok(poll.text.split('\x1e').includes('4still here'), poll.text);
  await request(srv.port, { method: 'POST', path: H.pollPath(4, sid), body: '1' });
});

// CVE-2022-41940: an upgrade for a path the engine does not handle is ended after
// destroyUpgradeTimeout; a peer that then resets must not raise an unhandled ECONNRESET.
test('CVE-2022-41940: unhandled upgrade ended after destroyUpgradeTimeout, then reset by the peer', async () => {
  const baseline = H.resources().TCPSocketWrap || 0;
  // allowHalfOpen: the client must not answer the server's FIN with its own FIN, but with a reset
  const sock = net.connect({ port: srv.port, host: '127.0.0.1', allowHalfOpen: true });
  await once(sock, 'connect');
  sock.on('error', () => {});
  sock.write(H.upgradeBytes('/not-the-engine/?x=1'));
  sock.resume();
  const closed = once(sock, 'close');
  // the server ends (or destroys) the connection: destroyUpgradeTimeout is 150 ms here
  sock.on('end', () => sock.resetAndDestroy());
  await Promise.race([
    closed,
    sleep(3000).then(() => {
      throw new Error('unhandled upgrade was not ended');
    }),
  ]);
  // both ends of that connection are gone: no socket handle beyond those that existed before
  const deadline = Date.now() + 2000;
  while ((H.resources().TCPSocketWrap || 0) > baseline && Date.now() < deadline) await sleep(20);
  assert.equal(H.resources().TCPSocketWrap || 0, baseline, 'a socket handle of the destroyed upgrade is left open');
  await H.settleConnections(srv.httpServer, 2);
});

test('CVE-2022-41940: unhandled upgrade reset by the peer before the timeout', async () => {
  for (let i = 0; i < 5; i++) {
    const sock = net.connect(srv.port, '127.0.0.1');
    await once(sock, 'connect');
    sock.on('error', () => {});
    sock.write(H.upgradeBytes('/elsewhere'));
    await sleep(20);
    sock.resetAndDestroy();
  }
  await sleep(300); // past destroyUpgradeTimeout: the timer must cope with a dead socket
  await H.settleConnections(srv.httpServer, 2);
});

// CVE-2023-31125: `transport=__proto__` looked up a prototype property, and the error code 0
// was taken for "no error".
const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'];
for (const eio of [4, 3]) {
  test(`CVE-2023-31125: prototype names as transport are error 0 Transport unknown (EIO=${eio})`, async () => {
    for (const name of PROTO_NAMES) {
      const before = srv.connectionErrors.length;
      for (const method of ['GET', 'POST']) {
        const res = await request(srv.port, {
          method,
          path: `${H.PATH}?EIO=${eio}&transport=${name}`,
          body: method === 'POST' ? '4x' : undefined,
        });
        assert.equal(res.status, 400, `${method} ${name}`);
        assert.deepEqual(JSON.parse(res.text), { code: 0, message: 'Transport unknown' }, `${method} ${name}`);
      }
      const errs = srv.connectionErrors.slice(before);
      assert.equal(errs.length, 2);
      for (const e of errs) assert.equal(e.code, 0);
      // and as a WebSocket upgrade: a bare 400 and the socket closed
      const up = await H.rawExchange(srv.port, [H.upgradeBytes(`${H.PATH}?EIO=${eio}&transport=${name}`)]);
      assert.match(up.text, /^HTTP\/1\.1 400 /, `upgrade ${name}: ${JSON.stringify(up.text.slice(0, 60))}`);
      assert.ok(up.closed);
    }
    assert.equal(srv.server.clientsCount, by.size);
  });
}

test('CVE-2023-31125: prototype names as sid are error 1 Session ID unknown', async () => {
  for (const name of PROTO_NAMES) {
    for (const method of ['GET', 'POST']) {
      const res = await request(srv.port, {
        method,
        path: `${H.PATH}?EIO=4&transport=polling&sid=${name}`,
        body: method === 'POST' ? '4x' : undefined,
      });
      assert.equal(res.status, 400, `${method} sid=${name}`);
      assert.deepEqual(JSON.parse(res.text), { code: 1, message: 'Session ID unknown' });
    }
    const up = await H.rawExchange(srv.port, [H.upgradeBytes(`${H.PATH}?EIO=4&transport=websocket&sid=${name}`)]);
    assert.match(up.text, /^HTTP\/1\.1 400 /);
    assert.ok(up.closed);
  }
});

// A v4 POST with a binary content type: 400, and the response must really end.
test('v4 POST with Content-Type application/octet-stream: 400 and the response ends', async () => {
  for (let i = 0; i < 3; i++) {
    const { sid } = await H.pollHandshake(srv.port);
    const res = await new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('response never ended')), 3000);
      const req = http.request(
        {
          host: '127.0.0.1',
          port: srv.port,
          method: 'POST',
          path: H.pollPath(4, sid),
          agent: false,
          headers: { 'Content-Type': 'application/octet-stream' },
        },
        (r) => {
          r.resume();
          r.on('end', () => {
            clearTimeout(t);
            resolve(r);
          });
        },
      );
      req.on('error', reject);
      req.end(Buffer.from([4, 1, 2, 3]));
    });
    assert.equal(res.statusCode, 400);
    // the session is closed: the client broke the protocol
    assert.ok(H.CLOSE_REASONS.includes(await H.closeReason(srv, sid)));
  }
  // no connection is left behind by the refused requests
  await H.settleConnections(srv.httpServer, 2);
});

// An error with no listener attached must never escape as an unhandled 'error' event: the
// application here attaches no 'error' listener to sockets, transports or the server.
test('errors with no listener attached never escape (transport errors on every path)', async () => {
  assert.equal(srv.server.listenerCount('error'), 0);
  // 1. a poll abandoned mid-request
  {
    const { sid } = await H.pollHandshake(srv.port);
    const s = net.connect(srv.port, '127.0.0.1');
    await once(s, 'connect');
    s.write(H.httpRequestBytes({ path: H.pollPath(4, sid) }));
    await sleep(30);
    s.resetAndDestroy();
    await H.closeReason(srv, sid);
  }
  // 2. a POST body abandoned half way
  {
    const { sid } = await H.pollHandshake(srv.port);
    const s = net.connect(srv.port, '127.0.0.1');
    await once(s, 'connect');
    s.write(H.httpRequestBytes({ method: 'POST', path: H.pollPath(4, sid), headers: { 'Content-Length': '100' } }));
    s.write('4abc');
    await sleep(30);
    s.resetAndDestroy();
    await H.closeReason(srv, sid);
  }
  // 3. a WebSocket reset without a close frame, one with invalid UTF-8, one with a bad packet
  for (const bad of ['reset', 'utf8', 'packet']) {
    const ws = await H.wsOpen(srv.port, 'EIO=4&transport=websocket');
    const sid = JSON.parse(await nextMessage(ws)).sid;
    if (bad === 'reset') ws._socket.resetAndDestroy();
    else if (bad === 'utf8') ws.send(Buffer.from([0x34, 0xc3, 0x28]), { binary: false });
    else ws.send('9nope');
    assert.ok(H.CLOSE_REASONS.includes(await H.closeReason(srv, sid)));
    ws.terminate();
  }
});

test('CVE-2024-38355: socket.io on this engine survives crafted packets with no error handler', async () => {
  const { Server } = require('socket.io');
  const s2 = await startEchoServer();
  const io = new Server();
  io.bind(s2.server);
  let handled = 0;
  io.on('connection', (socket) => {
    // no 'error' listener on purpose
    socket.on('ev', () => handled++);
  });
  try {
    const crafted = ['42["error"]', '42["ev",', '4-1', '48', '42[{"toString":1}]', '43["ev"]', '45-["ev",{"_placeholder":true,"num":"x"}]', '40{', '42["ev"]'];
    for (const pkt of crafted) {
      const ws = await H.wsOpen(s2.port, 'EIO=4&transport=websocket');
      await nextMessage(ws); // engine open packet
      ws.send('40');
      await waitMessage(ws, (m) => m.startsWith('40'));
      ws.send(pkt);
      ws.send('42["ev"]');
      await sleep(30);
      ws.terminate();
    }
    await H.settleSessions(s2.server, 0);
    assert.ok(handled > 0, 'well-formed events still reached the handler');
  } finally {
    io.close();
    await s2.close();
  }
});

function nextMessage(ws, ms = 3000) {
  return waitMessage(ws, () => true, ms).then((m) => m.slice(1));
}

function waitMessage(ws, pred, ms = 3000) {
  return new Promise((resolve, reject) => {
    const i = ws.received.findIndex((m) => typeof m === 'string' && pred(m));
    if (i >= 0) return resolve(ws.received.splice(i, 1)[0]);
    const t = setTimeout(() => reject(new Error('no matching message')), ms);
    const on = () => {
      const j = ws.received.findIndex((m) => typeof m === 'string' && pred(m));
      if (j >= 0) {
        clearTimeout(t);
        ws.off('message', on);
        resolve(ws.received.splice(j, 1)[0]);
      }
    };
    ws.on('message', on);
  });
}
