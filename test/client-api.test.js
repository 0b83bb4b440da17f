'use strict';
// The client's API surface: the module shape, options that change what goes on the wire, and
// the events around writing. Run against our server and the official one where it matters.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const eio = require('engine.io-ts/client');
const { ENGINES, collect, next } = require('./support/client');
const { startServer } = require('./support/servers');

const HEARTBEAT = { pingInterval: 300, pingTimeout: 1000 };

/** Records the URL and headers of every HTTP request and WebSocket upgrade reaching `server`. */
function recordRequests(server) {
  const seen = [];
  const record = (req) => seen.push({ url: new URL(req.url, 'http://x'), headers: req.headers });
  server.httpServer.prependListener('request', record);
  server.httpServer.prependListener('upgrade', record);
  return seen;
}

test('module: callable factory, Socket class, protocol, ESM named and default exports', async () => {
  assert.equal(typeof eio, 'function');
  assert.equal(typeof eio.Socket, 'function');
  assert.equal(eio.protocol, 4);
  assert.equal(eio.Socket.protocol, 4);
  const esm = await import('engine.io-ts/client');
  assert.equal(esm.default, eio);
  assert.equal(esm.Socket, eio.Socket);
  const server = await startServer({ allowEIO3: true, ...HEARTBEAT }, undefined, { eio: 'ours' });
  try {
    const a = eio(server.url, { transports: ['websocket'] });
    const b = new eio.Socket({ hostname: '127.0.0.1', port: server.port, transports: ['websocket'] });
    assert.ok(a instanceof eio.Socket);
    await Promise.all([next(a, 'open'), next(b, 'open')]);
    assert.notEqual(a.id, b.id);
    a.close();
    b.close();
  } finally {
    await server.close();
  }
});

for (const kind of ENGINES) {
  test(`${kind}: path, query (URI and option), extraHeaders and timestamps reach the server`, async () => {
    const server = await startServer({ allowEIO3: true, ...HEARTBEAT, path: '/custom' }, undefined, { eio: kind });
    const seen = recordRequests(server);
    try {
      const connection = next(server.engine, 'connection');
      const socket = eio(`${server.url}/ignored/path?fromUri=1`, {
        path: '/custom',
        extraHeaders: { 'x-demo': 'yes' },
        timestampParam: 'ts',
        timestampRequests: true,
      });
      const [remote] = await connection;
      await next(socket, 'upgrade');
      assert.equal(remote.request._query?.fromUri ?? new URL(remote.request.url, 'http://x').searchParams.get('fromUri'), '1');
      const polls = seen.filter((r) => r.url.searchParams.get('transport') === 'polling');
      const ws = seen.filter((r) => r.url.searchParams.get('transport') === 'websocket');
      assert.ok(polls.length >= 2 && ws.length === 1);
      for (const r of [...polls, ...ws]) {
        assert.equal(r.url.pathname, '/custom/');
        assert.equal(r.url.searchParams.get('EIO'), '4');
        assert.equal(r.url.searchParams.get('fromUri'), '1');
        assert.equal(r.headers['x-demo'], 'yes');
        assert.ok(r.url.searchParams.get('ts'), 'timestamped');
      }
      const stamps = polls.map((r) => r.url.searchParams.get('ts'));
      assert.equal(new Set(stamps).size, stamps.length, 'every request has its own timestamp');
      assert.equal(ws[0].url.searchParams.get('sid'), socket.id);
      socket.close();
    } finally {
      await server.close();
    }
  });

  test(`${kind}: writing emits packetCreate, flush, drain, and calls the send callback`, async () => {
    const server = await startServer({ allowEIO3: true, ...HEARTBEAT }, undefined, { eio: kind });
    try {
      const connection = next(server.engine, 'connection');
      const socket = eio(server.url, { transports: ['polling'] });
      const [remote] = await connection;
      await next(socket, 'open');
      const events = [];
      socket.on('packetCreate', (p) => events.push(`packetCreate:${p.type}:${p.data}`));
      socket.on('flush', () => events.push('flush'));
      socket.on('drain', () => events.push('drain'));
      const drained = next(socket, 'drain');
      const called = new Promise((resolve) => socket.write('one', { compress: false }, resolve));
      await Promise.all([drained, called, next(remote, 'message')]);
      assert.deepEqual(events, ['packetCreate:message:one', 'flush', 'drain']);
      socket.close();
    } finally {
      await server.close();
    }
  });

  test(`${kind}: writes larger than maxPayload together are split over several requests`, async () => {
    const server = await startServer({ allowEIO3: true, ...HEARTBEAT, maxHttpBufferSize: 1000 }, undefined, { eio: kind });
    try {
      const connection = next(server.engine, 'connection');
      const socket = eio(server.url, { transports: ['polling'] });
      const [remote] = await connection;
      await next(socket, 'open');
      const messages = Array.from({ length: 6 }, (_, i) => String(i).repeat(400));
      const got = collect(remote, 'message', messages.length);
      for (const m of messages) socket.send(m);
      assert.deepEqual(await got, messages);
      assert.equal(socket.readyState, 'open');
      socket.close();
    } finally {
      await server.close();
    }
  });

  test(`${kind}: forceBase64 sends binary as base64 and still round-trips bytes`, async () => {
    for (const protocol of [4, 3]) {
      for (const transports of [['polling'], ['websocket']]) {
        const server = await startServer({ allowEIO3: true, ...HEARTBEAT }, undefined, { eio: kind });
        const seen = recordRequests(server);
        try {
          const connection = next(server.engine, 'connection');
          const socket = eio(server.url, { protocol, transports, forceBase64: true });
          const [remote] = await connection;
          await next(socket, 'open');
          assert.equal(seen[0].url.searchParams.get('b64'), '1');
          const [[atServer]] = await Promise.all([next(remote, 'message'), socket.send(Buffer.from([0, 1, 254, 255]))]);
          assert.deepEqual([...atServer], [0, 1, 254, 255]);
          const [[atClient]] = await Promise.all([next(socket, 'message'), remote.send(Buffer.from([9, 8, 7]))]);
          assert.deepEqual([...atClient], [9, 8, 7]);
          socket.close();
        } finally {
          await server.close();
        }
      }
    }
  });
}

test('upgrade: false stays on polling; rememberUpgrade opens the next socket with WebSocket', async () => {
  const server = await startServer({ allowEIO3: true, ...HEARTBEAT }, undefined, { eio: 'ours' });
  const seen = recordRequests(server);
  try {
    const a = eio(server.url, { upgrade: false });
    await next(a, 'open');
    const b = eio(server.url);
    await next(b, 'upgrade');
    assert.equal(a.transport.name, 'polling');
    a.close();
    b.close();
    const before = seen.length;
    const c = eio(server.url, { rememberUpgrade: true });
    const [[handshake]] = await Promise.all([next(c, 'handshake'), next(c, 'open')]);
    assert.equal(c.transport.name, 'websocket');
    assert.deepEqual(handshake.upgrades, []);
    // (Requests closing a and b may still arrive: the new session is the one without a sid.)
    const opening = seen.slice(before).find((r) => !r.url.searchParams.get('sid'));
    assert.equal(opening.url.searchParams.get('transport'), 'websocket');
    c.close();
  } finally {
    await server.close();
  }
});

test('handshake event carries the session parameters; properties follow them', async () => {
  const server = await startServer({ allowEIO3: true, pingInterval: 321, pingTimeout: 1234 }, undefined, { eio: 'ours' });
  try {
    const socket = eio(server.url);
    const [data] = await next(socket, 'handshake');
    assert.equal(typeof data.sid, 'string');
    assert.deepEqual(data.upgrades, ['websocket']);
    assert.equal(data.pingInterval, 321);
    assert.equal(data.pingTimeout, 1234);
    assert.equal(socket.id, data.sid);
    assert.equal(socket.pingInterval, 321);
    assert.deepEqual(socket.upgrades, ['websocket']);
    socket.close();
  } finally {
    await server.close();
  }
});

test('no usable transport → error "No transports available"', async () => {
  const socket = eio('http://127.0.0.1:1', { transports: [] });
  const [err] = await next(socket, 'error');
  assert.equal(err, 'No transports available');
});

test('close() while the handshake is in flight closes cleanly on both sides', async () => {
  const server = await startServer({ allowEIO3: true, ...HEARTBEAT }, undefined, { eio: 'ours' });
  try {
    const connection = next(server.engine, 'connection');
    const socket = eio(server.url, { transports: ['polling'] });
    socket.close();
    assert.equal(socket.readyState, 'closed');
    const [remote] = await connection;
    const [reason] = await next(remote, 'close');
    assert.equal(reason, 'transport close');
  } finally {
    await server.close();
  }
});

test('withCredentials keeps the server cookie (Node cookie jar) on later requests', async () => {
  const server = await startServer({ allowEIO3: true, ...HEARTBEAT, cookie: { name: 'io' } }, undefined, { eio: 'ours' });
  const seen = recordRequests(server);
  try {
    const socket = eio(server.url, { withCredentials: true });
    await next(socket, 'upgrade');
    assert.equal(seen[0].headers.cookie, undefined);
    const later = seen.slice(1);
    assert.ok(later.length >= 2);
    // Every later polling request and the WebSocket upgrade carry the session cookie.
    assert.ok(later.some((r) => r.url.searchParams.get('transport') === 'websocket'));
    for (const r of later) assert.equal(r.headers.cookie, `io=${socket.id}`);
    socket.close();
  } finally {
    await server.close();
  }
});
