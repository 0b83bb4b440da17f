'use strict';
// Protocol v3 end to end: the official engine.io-client@3 against the server, over every transport
// it has (XHR polling with XHR2 binary and with base64, JSONP, WebSocket, upgrade), plus the v3
// heartbeat, which runs the other way round from v4 (the client pings, the server answers).
const test = require('node:test');
const assert = require('node:assert/strict');
const { waitFor, request } = require('./support');
const { startServer } = require('./support/servers');
const { V3Socket, wire, installJsonpDocument, abortPending } = require('./support/v3client');
const { official, v3opts, collect, asBuffer, opened } = require('./support/v3util');

const BIN_UP = Buffer.from([0, 1, 2, 250, 255]);
const BIN_DOWN = Buffer.from([9, 8, 7, 0, 6]);

/** Starts a server whose sockets echo every message back, and records its sockets. */
async function echoServer(opts = {}) {
  const srv = await startServer(v3opts({ pingInterval: 300, pingTimeout: 2000, ...opts }));
  srv.sockets = [];
  srv.server.on('connection', (socket) => {
    srv.sockets.push(socket);
    socket.on('message', (data) => socket.send(data));
  });
  return srv;
}

async function closeAll(srv, ...clients) {
  for (const c of clients) {
    if (c && c.readyState !== 'closed') c.close();
  }
  abortPending();
  await srv.close();
}

/** Sends text and binary, expects them echoed back in order with the right types. */
async function echoRoundTrip(client, texts) {
  const expected = [...texts, BIN_UP];
  const got = collect(client, 'message', expected.length);
  for (const m of expected) client.send(m);
  const received = await got;
  for (let i = 0; i < texts.length; i++) assert.equal(received[i], texts[i]);
  const bin = asBuffer(received[texts.length]);
  assert.ok(bin, `binary came back as ${typeof received[texts.length]}`);
  assert.deepEqual(bin, BIN_UP);
}

/** Server pushes text and binary; the client must get them with the right types. */
async function serverPush(srv, client) {
  const got = collect(client, 'message', 2);
  srv.sockets[0].send('from server €');
  srv.sockets[0].send(BIN_DOWN);
  const [text, bin] = await got;
  assert.equal(text, 'from server €');
  assert.deepEqual(asBuffer(bin), BIN_DOWN);
}

test('XHR polling with XHR2 binary: text and binary both ways, binary payloads as application/octet-stream', async () => {
  const srv = await echoServer();
  const mark = wire.length;
  const client = new V3Socket(srv.url, { transports: ['polling'] });
  try {
    await opened(client);
    assert.equal(client.transport.name, 'polling');
    assert.equal(client.transport.supportsBinary, true, 'the XHR2 shim must be detected');
    assert.equal(srv.sockets.length, 1);
    assert.equal(srv.sockets[0].protocol, 3);
    assert.equal(srv.sockets[0].transport.name, 'polling');
    await echoRoundTrip(client, ['hello', 'h€llo 𝄞']);
    await serverPush(srv, client);
    const used = wire.slice(mark);
    assert.ok(used.every((r) => !/[?&]b64=/.test(r.url)), 'an XHR2 client does not ask for base64');
    assert.ok(
      used.some((r) => r.method === 'POST' && r.requestType === 'application/octet-stream' && r.status === 200),
      'binary went up as an XHR2 binary payload and was accepted',
    );
    assert.ok(
      used.some((r) => r.method === 'GET' && /^application\/octet-stream/.test(r.responseType || '')),
      'binary came down as an XHR2 binary payload',
    );
  } finally {
    await closeAll(srv, client);
  }
});

test('XHR polling with base64 (forceBase64): text and binary both ways, never application/octet-stream', async () => {
  const srv = await echoServer();
  const mark = wire.length;
  const client = new V3Socket(srv.url, { transports: ['polling'], forceBase64: true });
  try {
    await opened(client);
    assert.equal(client.transport.supportsBinary, false);
    assert.equal(srv.sockets[0].protocol, 3);
    await echoRoundTrip(client, ['hello', 'h€llo 𝄞']);
    await serverPush(srv, client);
    const used = wire.slice(mark);
    assert.ok(/[?&]b64=1/.test(used[0].url), 'the handshake asks for base64');
    assert.ok(used.length > 2);
    for (const r of used) {
      assert.notEqual(r.requestType, 'application/octet-stream', `${r.method} ${r.url}`);
      assert.ok(!/octet-stream/.test(r.responseType || ''), `${r.method} ${r.url} answered ${r.responseType}`);
    }
  } finally {
    await closeAll(srv, client);
  }
});

test('JSONP polling (forceJSONP): script GETs and form POSTs carry text with newlines and binary both ways', async () => {
  const srv = await echoServer();
  const uninstall = installJsonpDocument();
  const mark = wire.length;
  const client = new V3Socket(srv.url, { transports: ['polling'], forceJSONP: true });
  try {
    await opened(client);
    assert.equal(srv.sockets[0].protocol, 3);
    assert.equal(srv.sockets[0].transport.name, 'polling');
    // Newlines and literal backslash-n are what the JSONP form encoding has to escape; U+2028 and
    // `</script>` are what the script response has to escape. (A backslash right before a newline
    // cannot be carried: the client's escaping is ambiguous there.)
    await echoRoundTrip(client, ['line1\nline2', 'back\\nslash', 'x\u2028y\u2029z', '</script><script>1</script>', '€']);
    await serverPush(srv, client);
    const used = wire.slice(mark);
    // The last poll is still pending: look at the answered ones.
    const scripts = used.filter((r) => r.kind === 'script' && r.body !== null);
    const forms = used.filter((r) => r.kind === 'form' && r.status !== 0);
    assert.ok(scripts.length >= 2, 'polled with <script> GETs');
    assert.ok(forms.length >= 1, 'sent with form POSTs');
    for (const r of scripts) {
      assert.match(r.url, /[?&]j=\d+(&|$)/);
      assert.equal(r.status, 200);
      assert.match(r.body, /^___eio\[\d+\]\(".*"\);$/s);
    }
    for (const r of forms) {
      assert.match(r.url, /[?&]j=\d+(&|$)/);
      assert.equal(r.status, 200);
      assert.match(r.requestBody, /^d=/);
    }
  } finally {
    await closeAll(srv, client);
    uninstall();
  }
});

test('JSONP polling upgrades to WebSocket, and messages keep flowing both ways', async () => {
  const srv = await echoServer();
  const uninstall = installJsonpDocument();
  const client = new V3Socket(srv.url, { transports: ['polling', 'websocket'], forceJSONP: true });
  try {
    await opened(client);
    const socket = srv.sockets[0];
    const upgraded = Promise.all([waitFor(socket, 'upgrade'), waitFor(client, 'upgrade')]);
    const got = collect(client, 'message', 4);
    client.send('during 1');
    client.send(Buffer.from([1, 2]));
    client.send('during 2\nnewline');
    client.send('during 3');
    await upgraded;
    const received = await got;
    assert.deepEqual(received[0], 'during 1');
    assert.deepEqual(asBuffer(received[1]), Buffer.from([1, 2]));
    assert.deepEqual(received.slice(2), ['during 2\nnewline', 'during 3']);
    assert.equal(socket.transport.name, 'websocket');
    await echoRoundTrip(client, ['after']);
    await serverPush(srv, client);
  } finally {
    await closeAll(srv, client);
    uninstall();
  }
});

test('WebSocket only: text and binary both ways', async () => {
  const srv = await echoServer();
  const client = new V3Socket(srv.url, { transports: ['websocket'] });
  try {
    await opened(client);
    assert.equal(client.transport.name, 'websocket');
    assert.equal(srv.sockets[0].protocol, 3);
    assert.equal(srv.sockets[0].transport.name, 'websocket');
    await echoRoundTrip(client, ['hello', 'h€llo 𝄞']);
    await serverPush(srv, client);
  } finally {
    await closeAll(srv, client);
  }
});

test('upgrade from polling to WebSocket keeps every message, in order, both ways', async () => {
  const srv = await echoServer();
  const client = new V3Socket(srv.url, { transports: ['polling', 'websocket'] });
  try {
    await opened(client);
    assert.equal(client.transport.name, 'polling');
    const socket = srv.sockets[0];
    const serverUpgraded = waitFor(socket, 'upgrade');
    const clientUpgraded = waitFor(client, 'upgrade');
    // Messages flowing while the upgrade runs.
    const n = 20;
    const got = collect(client, 'message', n);
    for (let i = 0; i < n; i++) client.send(i % 5 === 4 ? Buffer.from([i]) : `m${i}`);
    await Promise.all([serverUpgraded, clientUpgraded]);
    const received = await got;
    for (let i = 0; i < n; i++) {
      if (i % 5 === 4) assert.deepEqual(asBuffer(received[i]), Buffer.from([i]));
      else assert.equal(received[i], `m${i}`);
    }
    assert.equal(socket.transport.name, 'websocket');
    assert.equal(socket.upgraded, true);
    assert.equal(client.transport.name, 'websocket');
    // And after the upgrade, both ways on the new transport.
    await echoRoundTrip(client, ['after']);
    await serverPush(srv, client);
  } finally {
    await closeAll(srv, client);
  }
});

test('the client pings, the server answers pong, and the session lives across many pingIntervals', async () => {
  // pingTimeout is the slack a client has for the round trip: generous, for loaded machines.
  const pingInterval = 100;
  const pingTimeout = 400;
  const srv = await echoServer({ pingInterval, pingTimeout });
  const client = new V3Socket(srv.url, { transports: ['websocket'] });
  try {
    await opened(client);
    const socket = srv.sockets[0];
    let closed = null;
    socket.on('close', (reason) => (closed = reason));
    const pings = [];
    socket.on('packet', (p) => {
      if (p.type === 'ping') pings.push(p);
    });
    // Twelve pongs span twelve pingIntervals: more than twice pingInterval + pingTimeout.
    await collect(client, 'pong', 12, 10000);
    assert.ok(pings.length >= 12, `server saw ${pings.length} pings`);
    assert.equal(closed, null, 'the session stayed open');
    assert.equal(socket.readyState, 'open');
    assert.equal(client.readyState, 'open');
    await echoRoundTrip(client, ['still here']);
  } finally {
    await closeAll(srv, client);
  }
});

test('the client pings over polling too, and the server answers', async () => {
  const srv = await echoServer({ pingInterval: 100, pingTimeout: 400 });
  const client = new V3Socket(srv.url, { transports: ['polling'] });
  try {
    await opened(client);
    await collect(client, 'pong', 6, 10000);
    assert.equal(srv.sockets[0].readyState, 'open');
    await echoRoundTrip(client, ['still here']);
  } finally {
    await closeAll(srv, client);
  }
});

test('a silent v3 client is closed with "ping timeout", no earlier than pingInterval + pingTimeout', async () => {
  const pingInterval = 400;
  const pingTimeout = 100;
  const srv = await echoServer({ pingInterval, pingTimeout });
  const client = new V3Socket(srv.url, { transports: ['websocket'] });
  // Silence the official client: no pings, and no client-side timeout racing the server's.
  client.setPing = () => {};
  client.onHeartbeat = () => {};
  try {
    const t0 = Date.now();
    const [conn] = await waitFor(srv.server, 'connection');
    const [reason] = await waitFor(conn, 'close', 5000);
    const elapsed = Date.now() - t0;
    assert.equal(reason, 'ping timeout');
    // A v4-style timeout (pingTimeout alone) would fire after ~100 ms.
    assert.ok(elapsed >= pingInterval + pingTimeout - 30, `closed after ${elapsed} ms`);
    await waitFor(client, 'close');
  } finally {
    await closeAll(srv, client);
  }
});

/** A server with allowEIO3: false; `errors` collects its 'connection_error's, `connections()` counts its sessions. */
async function serverWithoutEIO3() {
  const srv = await startServer({ allowEIO3: false });
  let count = 0;
  srv.server.on('connection', () => count++);
  const errors = [];
  srv.server.on('connection_error', (e) => errors.push(e));
  return { srv, errors, connections: () => count };
}

test('allowEIO3: false refuses the v3 client with error 5 and no connection', async () => {
  const { srv, errors, connections } = await serverWithoutEIO3();
  const client = new V3Socket(srv.url, { transports: ['polling'] });
  try {
    const [err] = await waitFor(client, 'error');
    assert.ok(err);
    assert.equal(client.readyState, 'closed');
    assert.equal(connections(), 0);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, 5);
    assert.equal(errors[0].message, 'Unsupported protocol version');
    // And the same over a raw request, to see the body the client got.
    const res = await request(srv.port, { path: '/engine.io/?EIO=3&transport=polling' });
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.text), { code: 5, message: 'Unsupported protocol version' });
  } finally {
    await closeAll(srv, client);
  }
});

test('allowEIO3: false refuses a v3 WebSocket too', async () => {
  const { srv, errors, connections } = await serverWithoutEIO3();
  const client = new V3Socket(srv.url, { transports: ['websocket'] });
  try {
    await waitFor(client, 'error');
    assert.equal(connections(), 0);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, 5);
  } finally {
    await closeAll(srv, client);
  }
});

test(
  'allowEIO3 defaults to true: a v3 client connects without the option',
  { skip: official && 'official engine.io@6 defaults allowEIO3 to false; ours follows the v3-era README' },
  async () => {
    const srv = await startServer({});
    const client = new V3Socket(srv.url, { transports: ['polling', 'websocket'] });
    try {
      const [[socket]] = await Promise.all([waitFor(srv.server, 'connection'), opened(client)]);
      assert.equal(socket.protocol, 3);
      const got = waitFor(socket, 'message');
      client.send('hi');
      assert.deepEqual(await got, ['hi']);
    } finally {
      await closeAll(srv, client);
    }
  },
);

test('a v3 client closing is seen by the server as "transport close" on polling and on WebSocket', async () => {
  const srv = await echoServer();
  for (const transports of [['polling'], ['websocket']]) {
    const client = new V3Socket(srv.url, { transports });
    const [[socket]] = await Promise.all([waitFor(srv.server, 'connection'), opened(client)]);
    const closed = waitFor(socket, 'close');
    client.close();
    const [reason] = await closed;
    assert.equal(reason, 'transport close', `over ${transports[0]}`);
  }
  await closeAll(srv);
  assert.equal(srv.server.clientsCount, 0);
});
