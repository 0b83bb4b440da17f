'use strict';
// Protocol v3 on the wire, byte for byte: polling payload framing (string, base64, XHR2 binary),
// WebSocket frames, the default revision, and JSONP (callback index check, script-safe escaping,
// form-encoded POSTs).
const test = require('node:test');
const assert = require('node:assert/strict');
const { WebSocket } = require('ws');
const { startServer, request, waitFor, sleep } = require('./support');
const { official, v3opts, collect, v3BinaryPayload } = require('./support/v3util');
const {
  handshake,
  poll,
  post,
  parseStringPayload,
  runJsonp,
  jsonpClientEscape,
  PATH,
  closeWithPolls,
  withV3Server,
} = require('./support/v3wire');

const HEARTBEATS = { pingInterval: 5000, pingTimeout: 5000 };

async function server(opts = {}) {
  return startServer(v3opts({ ...HEARTBEATS, ...opts }));
}

/** Runs `fn(srv)` with a server(opts), then closes it with closeWithPolls whether `fn` passed or threw. */
function withServer(opts, fn) {
  return withV3Server({ ...HEARTBEATS, ...opts }, fn);
}

/**
 * Starts a GET on the v3 session and waits (up to ~2 s) until the server holds it, as a real
 * client always has one out. Resolves { pending }: the promise of that GET's response.
 */
async function holdPoll(srv, sid) {
  const socket = srv.server.clients[sid];
  const pending = poll(srv.port, { EIO: '3', transport: 'polling', sid });
  for (let i = 0; i < 400 && !socket.transport.writable; i++) await sleep(5);
  return { pending };
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

async function wsOpen(url) {
  const ws = new WebSocket(url);
  const frames = [];
  const waiters = [];
  ws.on('message', (data, isBinary) => {
    const f = { data, isBinary };
    if (waiters.length) waiters.shift()(f);
    else frames.push(f);
  });
  ws.nextFrame = (ms = 3000) =>
    frames.length
      ? Promise.resolve(frames.shift())
      : new Promise((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('timed out waiting for a frame')), ms);
          waiters.push((f) => {
            clearTimeout(t);
            resolve(f);
          });
        });
  ws.pending = frames;
  await waitFor(ws, 'open');
  return ws;
}

for (const [label, query] of [
  ['EIO=3', 'EIO=3&transport=websocket'],
  ['no EIO', 'transport=websocket'],
]) {
  test(`WebSocket (${label}): binary frames carry the type byte, text frames the type digit`, async () => {
    const srv = await server();
    const ws = await wsOpen(`ws://127.0.0.1:${srv.port}${PATH}?${query}`);
    try {
      const open = await ws.nextFrame();
      assert.equal(open.isBinary, false);
      assert.match(open.data.toString(), /^0\{/);
      const { sid, upgrades } = JSON.parse(open.data.toString().slice(1));
      assert.deepEqual(upgrades, []);
      const socket = srv.server.clients[sid];
      assert.equal(socket.protocol, 3);

      socket.send(Buffer.from([1, 2, 3]));
      socket.send('text €');
      const bin = await ws.nextFrame();
      assert.equal(bin.isBinary, true);
      assert.deepEqual([...bin.data], [4, 1, 2, 3]);
      const text = await ws.nextFrame();
      assert.equal(text.isBinary, false);
      assert.equal(text.data.toString(), '4text €');

      const got = collect(socket, 'message', 2);
      ws.send(Buffer.from([4, 9, 8]));
      ws.send('4hi €');
      const [b, t] = await got;
      assert.deepEqual(Buffer.from(b), Buffer.from([9, 8]));
      assert.equal(t, 'hi €');
    } finally {
      ws.terminate();
      await closeWithPolls(srv);
    }
  });
}

test('v3 heartbeat on the wire: the server never pings, it answers the client ping with pong', async () => {
  const srv = await server({ pingInterval: 40, pingTimeout: 2000 });
  const ws = await wsOpen(`ws://127.0.0.1:${srv.port}${PATH}?EIO=3&transport=websocket`);
  try {
    await ws.nextFrame(); // open
    // Five v4 ping periods: a v4-style server would have pinged by now.
    await sleep(200);
    assert.deepEqual(ws.pending.map((f) => f.data.toString()), []);
    ws.send('2');
    const pong = await ws.nextFrame();
    assert.equal(pong.data.toString(), '3');
  } finally {
    ws.terminate();
    await closeWithPolls(srv);
  }
});

test('v3 heartbeat over polling: a posted ping gets a pong in the next poll', async () => {
  await withServer({}, async (srv) => {
    const { sid } = await handshake(srv.port);
    await post(srv.port, { EIO: '3', transport: 'polling', sid }, '1:2');
    const res = await poll(srv.port, { EIO: '3', transport: 'polling', sid });
    assert.equal(res.text, '1:3');
  });
});

// ---------------------------------------------------------------------------------------------
// JSONP

test('JSONP handshake: ___eio[<j>]("<payload as JSON string>"); wraps the v3 payload', async () => {
  await withServer({}, async (srv) => {
    for (const j of ['0', '12']) {
      const res = await request(srv.port, { path: `${PATH}?EIO=3&transport=polling&j=${j}&b64=1` });
      assert.equal(res.status, 200);
      assert.ok(res.text.startsWith(`___eio[${j}]("`), res.text);
      assert.ok(res.text.endsWith('");'), res.text);
      const payload = runJsonp(res.text, Number(j));
      assert.equal(typeof payload, 'string');
      const packets = parseStringPayload(payload);
      assert.equal(packets[0][0], '0');
      const open = JSON.parse(packets[0].slice(1));
      assert.ok(srv.server.clients[open.sid], 'the session exists');
      assert.equal(srv.server.clients[open.sid].protocol, 3);
    }
  });
});

test(
  'JSONP responses are text/javascript',
  { skip: official && 'official engine.io@6 answers JSONP as text/plain; our spec says text/javascript' },
  async () => {
    const srv = await server();
    try {
      const res = await request(srv.port, { path: `${PATH}?EIO=3&transport=polling&j=3&b64=1` });
      assert.equal(res.status, 200);
      assert.match(res.headers['content-type'], /^text\/javascript/);
      const open = JSON.parse(parseStringPayload(runJsonp(res.text, 3))[0].slice(1));
      srv.server.clients[open.sid].send('x');
      const res2 = await poll(srv.port, { EIO: '3', transport: 'polling', sid: open.sid, j: '3' });
      assert.match(res2.headers['content-type'], /^text\/javascript/);
      assert.equal(runJsonp(res2.text, 3), '2:4x');
    } finally {
      await closeWithPolls(srv);
    }
  },
);

const HOSTILE_J = ['alert(1)', '0);alert(1);//', '1]=0;alert(1)//', '</script><script>alert(1)</script>'];

test('JSONP: a non-digit j is never echoed into the response', async () => {
  await withServer({}, async (srv) => {
    for (const j of HOSTILE_J) {
      const res = await request(srv.port, { path: `${PATH}?EIO=3&transport=polling&b64=1&j=${encodeURIComponent(j)}` });
      assert.ok(!res.text.includes('alert'), `j=${j} echoed: ${res.text}`);
      assert.ok(!/<\/?script/i.test(res.text), `j=${j} echoed: ${res.text}`);
    }
  });
});

test(
  'JSONP: a non-digit j is refused (4xx, no session)',
  { skip: official && 'official engine.io@6 strips non-digits and answers; our spec refuses' },
  async () => {
    const srv = await server();
    let connections = 0;
    srv.server.on('connection', () => connections++);
    const errors = [];
    srv.server.on('connection_error', (e) => errors.push(e));
    try {
      for (const j of [...HOSTILE_J, '1a', '-1', '0x1']) {
        const res = await request(srv.port, { path: `${PATH}?EIO=3&transport=polling&b64=1&j=${encodeURIComponent(j)}` });
        assert.ok(res.status >= 400 && res.status < 500, `j=${j}: status ${res.status}`);
        assert.ok(!res.text.includes(j), `j=${j} echoed: ${res.text}`);
      }
      assert.equal(connections, 0);
      assert.equal(srv.server.clientsCount, 0);
      // Every refusal is reported, without echoing either.
      assert.equal(errors.length, HOSTILE_J.length + 3);
      for (const e of errors) {
        assert.ok(Number.isInteger(e.code) && e.code >= 0 && e.code <= 5, `code ${e.code}`);
        assert.match(e.req.url, /[?&]j=/);
      }
    } finally {
      await closeWithPolls(srv);
    }
  },
);

// Later requests carry j but not b64, as the official v3 JSONP transport sends them.
async function jsonpSession(srv, j = 0) {
  const res = await request(srv.port, { path: `${PATH}?EIO=3&transport=polling&j=${j}&b64=1` });
  const open = JSON.parse(parseStringPayload(runJsonp(res.text, j))[0].slice(1));
  return { sid: open.sid, socket: srv.server.clients[open.sid], params: { EIO: '3', transport: 'polling', sid: open.sid, j: String(j) } };
}

test('JSONP: U+2028 and U+2029 are escaped in the script, and the payload survives exactly', async () => {
  await withServer({}, async (srv) => {
    const { socket, params } = await jsonpSession(srv, 1);
    const msg = 'a\u2028b\u2029c';
    socket.send(msg);
    const res = await poll(srv.port, params);
    assert.equal(res.status, 200);
    assert.ok(!res.text.includes('\u2028'), 'raw U+2028 in the script');
    assert.ok(!res.text.includes('\u2029'), 'raw U+2029 in the script');
    assert.equal(runJsonp(res.text, 1), `${msg.length + 1}:4${msg}`);
  });
});

test(
  'JSONP: </script> in the payload is escaped, and the payload survives exactly',
  { skip: official && 'official engine.io@6 does not escape </script>; our spec does' },
  async () => {
    const srv = await server();
    try {
      const { socket, params } = await jsonpSession(srv, 2);
      const msgs = ['</script><script>alert(1)</script>', 'x</SCRIPT >y', '</ScRiPt'];
      for (const m of msgs) socket.send(m);
      const res = await poll(srv.port, params);
      assert.equal(res.status, 200);
      assert.ok(!/<\/script/i.test(res.text), `script-breaking sequence in ${res.text}`);
      assert.deepEqual(parseStringPayload(runJsonp(res.text, 2)), msgs.map((m) => `4${m}`));
    } finally {
      await closeWithPolls(srv);
    }
  },
);

test('JSONP: binary goes down base64-encoded (b4...) inside the script', async () => {
  await withServer({}, async (srv) => {
    const { socket, params } = await jsonpSession(srv, 0);
    socket.send(Buffer.from([1, 2, 3, 4]));
    const res = await poll(srv.port, params);
    assert.equal(runJsonp(res.text, 0), '10:b4AQIDBA==');
  });
});

test(
  'JSONP without b64=1 still gets binary as base64 (a script cannot carry bytes)',
  { skip: official && 'official engine.io@6 then writes an XHR2 binary payload through JSON.stringify; our spec: base64' },
  async () => {
    const srv = await server();
    try {
      const res = await request(srv.port, { path: `${PATH}?EIO=3&transport=polling&j=4` });
      const open = JSON.parse(parseStringPayload(runJsonp(res.text, 4))[0].slice(1));
      srv.server.clients[open.sid].send(Buffer.from([1, 2, 3, 4]));
      srv.server.clients[open.sid].send('t');
      const res2 = await poll(srv.port, { EIO: '3', transport: 'polling', sid: open.sid, j: '4' });
      assert.equal(res2.status, 200);
      assert.equal(runJsonp(res2.text, 4), '10:b4AQIDBA==2:4t');
    } finally {
      await closeWithPolls(srv);
    }
  },
);

test('JSONP: form POST d=<payload> with the client escaping of newlines is decoded exactly', async () => {
  await withServer({}, async (srv) => {
    const { socket, params } = await jsonpSession(srv, 0);
    const msgs = [
      'line1\nline2',
      'back\\nslash',
      'both\\n\nhere',
      'double \\\\n backslash',
      'trailing backslash \\',
      '\r\n crlf',
      'space + plus & amp = eq %20 €𝄞',
      '\u2028',
    ];
    const payload = msgs.map((m) => `${m.length + 1}:4${m}`).join('');
    // Encoded as a browser submits a form: application/x-www-form-urlencoded (spaces as '+')...
    let got = collect(socket, 'message', msgs.length);
    let res = await post(srv.port, params, new URLSearchParams({ d: jsonpClientEscape(payload) }).toString(), 'application/x-www-form-urlencoded');
    assert.equal(res.status, 200);
    assert.deepEqual(await got, msgs);
    // ... and with %20 for spaces, which form decoders accept too.
    got = collect(socket, 'message', msgs.length);
    res = await post(srv.port, params, `d=${encodeURIComponent(jsonpClientEscape(payload))}`, 'application/x-www-form-urlencoded');
    assert.equal(res.status, 200);
    assert.deepEqual(await got, msgs);
  });
});

test('JSONP: a posted b4<base64> arrives as binary', async () => {
  await withServer({}, async (srv) => {
    const { socket, params } = await jsonpSession(srv, 0);
    const got = waitFor(socket, 'message');
    const res = await post(srv.port, params, new URLSearchParams({ d: '10:b4AQIDBA==' }).toString(), 'application/x-www-form-urlencoded');
    assert.equal(res.status, 200);
    const [bin] = await got;
    assert.deepEqual(Buffer.from(bin), Buffer.from([1, 2, 3, 4]));
  });
});

test('JSONP is refused when polling is disabled (transports: ["websocket"])', async () => {
  const srv = await server({ transports: ['websocket'] });
  let connections = 0;
  srv.server.on('connection', () => connections++);
  try {
    const res = await request(srv.port, { path: `${PATH}?EIO=3&transport=polling&j=0&b64=1` });
    assert.equal(res.status, 400);
    assert.equal(JSON.parse(res.text).code, 0);
    assert.equal(connections, 0);
  } finally {
    await closeWithPolls(srv);
  }
});

test(
  'jsonp: false refuses JSONP requests but keeps XHR polling',
  { skip: official && 'official engine.io@6 has no option to disable JSONP alone' },
  async () => {
    const srv = await server({ jsonp: false });
    let connections = 0;
    srv.server.on('connection', () => connections++);
    try {
      const res = await request(srv.port, { path: `${PATH}?EIO=3&transport=polling&j=0&b64=1` });
      assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
      assert.ok(!res.text.startsWith('___eio'), res.text);
      assert.equal(connections, 0);
      const { sid } = await handshake(srv.port);
      assert.ok(srv.server.clients[sid]);
    } finally {
      await closeWithPolls(srv);
    }
  },
);

test('v3 upgrade on the wire: 2probe/3probe, the pending poll released with noop, then 5; buffered binary flushed with its type byte', async () => {
  const srv = await server();
  let ws;
  try {
    const { sid } = await handshake(srv.port);
    const socket = srv.server.clients[sid];
    const { pending } = await holdPoll(srv, sid);
    ws = await wsOpen(`ws://127.0.0.1:${srv.port}${PATH}?EIO=3&transport=websocket&sid=${encodeURIComponent(sid)}`);
    ws.send('2probe');
    const probe = await ws.nextFrame();
    assert.equal(probe.data.toString(), '3probe');
    // The pending GET is released with a noop packet in v3 framing.
    const released = await pending;
    assert.equal(released.status, 200);
    assert.equal(released.text, '1:6');
    // Sent while the upgrade is in progress: must come out on the WebSocket after the switch.
    socket.send(Buffer.from([7, 7]));
    socket.send('queued');
    const upgraded = waitFor(socket, 'upgrade');
    ws.send('5');
    await upgraded;
    assert.equal(socket.transport.name, 'websocket');
    const a = await ws.nextFrame();
    const b = await ws.nextFrame();
    assert.equal(a.isBinary, true);
    assert.deepEqual([...a.data], [4, 7, 7]);
    assert.equal(b.data.toString(), '4queued');
    // Polling for the upgraded session is now refused.
    const late = await poll(srv.port, { EIO: '3', transport: 'polling', sid });
    assert.equal(late.status, 400);
  } finally {
    ws?.terminate();
    await closeWithPolls(srv);
  }
});

test('a v3 polling session that never pings is closed with "ping timeout", no earlier than pingInterval + pingTimeout', async () => {
  const pingInterval = 300;
  const pingTimeout = 100;
  const srv = await server({ pingInterval, pingTimeout });
  try {
    const t0 = Date.now();
    const { sid } = await handshake(srv.port);
    const socket = srv.server.clients[sid];
    // A GET is pending, as with a real client (the server releases it when it closes), but no ping.
    const pending = poll(srv.port, { EIO: '3', transport: 'polling', sid });
    const [reason] = await waitFor(socket, 'close', 5000);
    const elapsed = Date.now() - t0;
    await pending;
    assert.equal(reason, 'ping timeout');
    assert.ok(elapsed >= pingInterval + pingTimeout - 30, `closed after ${elapsed} ms`);
    assert.equal(srv.server.clients[sid], undefined);
  } finally {
    await closeWithPolls(srv);
  }
});

test('server-side close of a v3 session: the pending poll answers a close packet in v3 framing; the WebSocket is closed', async () => {
  const srv = await server();
  let ws;
  try {
    const { sid } = await handshake(srv.port);
    const socket = srv.server.clients[sid];
    const { pending } = await holdPoll(srv, sid);
    const closed = waitFor(socket, 'close');
    socket.close();
    const res = await pending;
    assert.equal(res.status, 200);
    assert.deepEqual(parseStringPayload(res.text).filter((p) => p !== '6'), ['1']);
    assert.equal((await closed)[0], 'forced close');

    ws = await wsOpen(`ws://127.0.0.1:${srv.port}${PATH}?EIO=3&transport=websocket`);
    const open = JSON.parse((await ws.nextFrame()).data.toString().slice(1));
    const wsClosed = waitFor(srv.server.clients[open.sid], 'close');
    const clientSeesClose = waitFor(ws, 'close');
    srv.server.clients[open.sid].close();
    assert.equal((await wsClosed)[0], 'forced close');
    await clientSeesClose;
    // Nothing but (at most) a close packet came before the WebSocket closed.
    assert.ok(ws.pending.every((f) => f.data.toString() === '1'), JSON.stringify(ws.pending.map((f) => f.data.toString())));
  } finally {
    ws?.terminate();
    await closeWithPolls(srv);
  }
});
