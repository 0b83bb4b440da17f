'use strict';
// Protocol v3 JSONP on the wire: the ___eio[j](...) script wrapping, the j check (never echoed,
// digits only), script-safe escaping (U+2028/U+2029, </script>), binary as base64, form-encoded
// POSTs d=<payload>, and JSONP refused with polling off or jsonp: false.
const test = require('node:test');
const assert = require('node:assert/strict');
const { request, waitFor } = require('./support');
const { startServer, closeWithPolls, withV3Server } = require('./support/servers');
const { official, v3opts, collect } = require('./support/v3util');
const { handshake, poll, post, parseStringPayload, runJsonp, jsonpClientEscape, PATH } = require('./support/v3wire');

const HEARTBEATS = { pingInterval: 5000, pingTimeout: 5000 };

async function server(opts = {}) {
  return startServer(v3opts({ ...HEARTBEATS, ...opts }));
}

/** Runs `fn(srv)` with a server(opts), then closes it with closeWithPolls whether `fn` passed or threw. */
function withServer(opts, fn) {
  return withV3Server({ ...HEARTBEATS, ...opts }, fn);
}

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
