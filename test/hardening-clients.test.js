'use strict';
// Misbehaving clients, on both transports and both protocol revisions: each case sends the real
// bytes, then asserts the documented outcome (status and error code, the session closed with a
// reason), that nothing escaped to the process, that the bystanders still echo, and that the
// server holds no leftover session.
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

shareEchoServer({}, (s) => {
  srv = s;
});

/** A WebSocket session opened directly; resolves { ws, sid }. */
async function wsSession(port, eio) {
  const ws = await H.wsOpen(port, `EIO=${eio}&transport=websocket`);
  const open = await nextText(ws);
  assert.equal(open[0], '0');
  return { ws, sid: JSON.parse(open.slice(1)).sid };
}

function nextText(ws, pred = () => true, ms = 3000) {
  return new Promise((resolve, reject) => {
    const take = () => {
      const i = ws.received.findIndex((m) => typeof m === 'string' && pred(m));
      if (i < 0) return false;
      clearTimeout(t);
      ws.off('message', take);
      resolve(ws.received.splice(i, 1)[0]);
      return true;
    };
    const t = setTimeout(() => {
      ws.off('message', take);
      reject(new Error(`no matching text frame; got ${JSON.stringify(ws.received)}`));
    }, ms);
    if (!take()) ws.on('message', take);
  });
}

/** A GET/POST that is written but not awaited; resolves like request() when answered. */
function pending(port, opts) {
  return request(port, opts);
}

/** Opens a raw TCP connection and writes `bytes`; returns the socket (errors swallowed). */
async function rawSocket(port, bytes) {
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => {});
  await once(s, 'connect');
  if (bytes) s.write(bytes);
  return s;
}

const MALFORMED_PAYLOADS = {
  4: ['9x', '', 'x', '4a\x1e', '\x1e', '4ok\x1e7bad'],
  3: ['5:4abc', 'abc', '2:9x', '99:4a', ':4a', '1:', '3:4ab2:9y', '-1:4'],
};
const MALFORMED_FRAMES = {
  4: ['9x', '', 'x', '\x1e'],
  3: ['9x', '', 'x', '\x1e'],
};

for (const eio of [4, 3]) {
  test(`EIO=${eio} polling: malformed payloads close the session with "parse error"`, async () => {
    for (const body of MALFORMED_PAYLOADS[eio]) {
      const { sid } = await H.pollHandshake(srv.port, { eio });
      const res = await request(srv.port, {
        method: 'POST',
        path: H.pollPath(eio, sid),
        headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
        body,
      });
      assert.ok(res.status === 200 || res.status === 400, `POST ${JSON.stringify(body)} answered ${res.status}`);
      assert.equal(await H.closeReason(srv, sid), 'parse error', `payload ${JSON.stringify(body)}`);
      // the sid is gone
      const after = await request(srv.port, { path: H.pollPath(eio, sid) });
      assert.equal(after.status, 400);
      assert.equal(JSON.parse(after.text).code, 1);
    }
  });

  test(`EIO=${eio} websocket: malformed packets close the session with "parse error"`, async () => {
    for (const frame of MALFORMED_FRAMES[eio]) {
      const { ws, sid } = await wsSession(srv.port, eio);
      ws.send(frame);
      assert.equal(await H.closeReason(srv, sid), 'parse error', `frame ${JSON.stringify(frame)}`);
      await H.wsClosed(ws);
    }
    if (eio === 3) {
      // v3 binary frames carry a type byte: an unknown type, or nothing at all
      for (const frame of [Buffer.from([9, 1, 2]), Buffer.alloc(0)]) {
        const { ws, sid } = await wsSession(srv.port, eio);
        ws.send(frame);
        // (the official server silently ignores a packet of unknown type; the heartbeat ends it)
        const reason = await H.closeReason(srv, sid);
        if (!H.official) assert.equal(reason, 'parse error', `binary frame ${frame.toString('hex')}`);
        await H.wsClosed(ws);
      }
    }
  });

  test(`EIO=${eio} websocket: invalid UTF-8 in a text frame closes the connection (1007) and the session`, async () => {
    for (const bytes of [[0x34, 0xc3, 0x28], [0x34, 0xed, 0xa0, 0x80], [0x34, 0xff]]) {
      const { ws, sid } = await wsSession(srv.port, eio);
      ws.send(Buffer.from(bytes), { binary: false });
      const [code] = await H.wsClosed(ws);
      assert.equal(code, 1007);
      assert.ok(['transport error', 'parse error'].includes(await H.closeReason(srv, sid)));
    }
  });

  test(`EIO=${eio}: bad base64 is refused as a parse error or delivered as bytes, never a crash`, async () => {
    const frames = eio === 4 ? ['b!!!', 'b', 'b====', 'bA'] : ['b4!!!', 'b4', 'b9AAAA', 'b'];
    for (const transport of ['polling', 'websocket']) {
      for (const frame of frames) {
        let sid;
        let ws;
        const got = [];
        if (transport === 'polling') {
          sid = (await H.pollHandshake(srv.port, { eio })).sid;
          srv.server.clients[sid].on('message', (m) => got.push(m));
          await request(srv.port, { method: 'POST', path: H.pollPath(eio, sid), body: H.payload(eio, [frame]) });
        } else {
          ({ ws, sid } = await wsSession(srv.port, eio));
          srv.server.clients[sid].on('message', (m) => got.push(m));
          ws.send(frame);
        }
        await sleep(30);
        const closed = srv.closes.find((c) => c.id === sid);
        if (closed) {
          assert.equal(closed.reason, 'parse error', `${transport} ${frame}`);
        } else if (H.official && got.length === 0) {
          // the official server silently drops a base64 packet of unknown type; ours refuses it
          srv.server.clients[sid].close();
          await H.closeReason(srv, sid);
        } else {
          // accepted: then it was delivered as binary data, and the session still works
          assert.equal(got.length, 1, `${transport} ${frame}: neither refused nor delivered`);
          assert.ok(Buffer.isBuffer(got[0]) || got[0] instanceof ArrayBuffer, `${transport} ${frame}: delivered ${typeof got[0]}`);
          srv.server.clients[sid].close();
          await H.closeReason(srv, sid);
        }
        if (ws) ws.terminate();
      }
    }
  });
}

test('JSONP: a `j` that is not digits is never echoed into a script', async () => {
  for (const j of ['alert(1)', '0);alert(1);//', '1e3', '-1', '%3C/script%3E', '0x1', ' 1']) {
    const res = await request(srv.port, { path: `${H.PATH}?EIO=3&transport=polling&j=${encodeURIComponent(j)}` });
    assert.doesNotMatch(res.text, /alert|script|0x|e3/i, `j=${j} echoed: ${res.text.slice(0, 80)}`);
    if (!H.official) {
      // our spec: refused outright (the official server strips the non-digits and answers)
      assert.equal(res.status, 400, `j=${j}`);
      assert.equal(JSON.parse(res.text).code, 3);
    }
  }
  // well-formed j still works
  const ok = await request(srv.port, { path: `${H.PATH}?EIO=3&transport=polling&j=7` });
  assert.equal(ok.status, 200);
  assert.match(ok.text, /^___eio\[7\]\("/);
  const sid = JSON.parse(JSON.parse(ok.text.slice('___eio[7]('.length, -2)).replace(/^\d+:0/, '')).sid;
  srv.server.clients[sid].close();
  await H.closeReason(srv, sid);
});

for (const eio of [4, 3]) {
  test(`EIO=${eio}: a sid used with the wrong transport or revision is error 3 Bad request`, async () => {
    // a polling session asked for over websocket without an upgrade
    const { sid } = await H.pollHandshake(srv.port, { eio });
    let res = await request(srv.port, { path: `${H.PATH}?EIO=${eio}&transport=websocket&sid=${sid}` });
    assert.equal(res.status, 400);
    assert.equal(JSON.parse(res.text).code, 3);
    // the same sid with the other protocol revision, on an upgrade
    const other = eio === 4 ? 3 : 4;
    const up = await H.rawExchange(srv.port, [H.upgradeBytes(`${H.PATH}?EIO=${other}&transport=websocket&sid=${sid}`)]);
    assert.match(up.text, /^HTTP\/1\.1 400 /);
    assert.ok(up.closed);
    // a WebSocket session asked for over polling
    const w = await wsSession(srv.port, eio);
    for (const method of ['GET', 'POST']) {
      res = await request(srv.port, { method, path: H.pollPath(eio, w.sid), body: method === 'POST' ? H.payload(eio, ['4x']) : undefined });
      assert.equal(res.status, 400, `${method} on a websocket session`);
      assert.equal(JSON.parse(res.text).code, 3);
    }
    // the sessions themselves are unharmed
    w.ws.send('4still');
    assert.equal(await nextText(w.ws, (m) => m === '4still'), '4still');
    w.ws.close();
    srv.server.clients[sid].close();
    await H.closeReason(srv, sid);
    await H.closeReason(srv, w.sid);
  });

  test(`EIO=${eio} polling: a POST while another POST runs is refused (400) and closes the session`, async () => {
    const { sid } = await H.pollHandshake(srv.port, { eio });
    const first = await rawSocket(
      srv.port,
      H.httpRequestBytes({ method: 'POST', path: H.pollPath(eio, sid), headers: { 'Content-Length': '100' } }),
    );
    first.write(eio === 4 ? '4par' : '10:4par');
    await sleep(30);
    const second = await request(srv.port, { method: 'POST', path: H.pollPath(eio, sid), body: H.payload(eio, ['4x']) });
    assert.equal(second.status, 400);
    assert.equal(await H.closeReason(srv, sid), 'transport error');
    // the first request does not linger: the server closes or answers it
    await Promise.race([once(first, 'close'), once(first, 'data')]);
    first.destroy();
  });

  test(`EIO=${eio} polling: a GET while another GET waits is refused (400); the waiting GET is answered`, async () => {
    const { sid } = await H.pollHandshake(srv.port, { eio });
    const firstP = pending(srv.port, { path: H.pollPath(eio, sid) });
    await sleep(30);
    const second = await request(srv.port, { path: H.pollPath(eio, sid) });
    assert.equal(second.status, 400);
    const first = await firstP;
    assert.equal(first.status, 200);
    assert.equal(await H.closeReason(srv, sid), 'transport error');
  });

  test(`EIO=${eio} polling: a client that vanishes mid-poll or mid-POST body`, async () => {
    // mid-poll
    {
      const { sid } = await H.pollHandshake(srv.port, { eio });
      const s = await rawSocket(srv.port, H.httpRequestBytes({ path: H.pollPath(eio, sid) }));
      await sleep(30);
      s.resetAndDestroy();
      assert.equal(await H.closeReason(srv, sid), 'transport error');
    }
    // mid-POST body, with a reset and with a clean FIN
    for (const how of ['reset', 'end']) {
      const { sid } = await H.pollHandshake(srv.port, { eio });
      const s = await rawSocket(
        srv.port,
        H.httpRequestBytes({ method: 'POST', path: H.pollPath(eio, sid), headers: { 'Content-Length': '50' } }),
      );
      s.write(eio === 4 ? '4hal' : '10:4hal');
      await sleep(30);
      if (how === 'reset') s.resetAndDestroy();
      else s.end();
      assert.equal(await H.closeReason(srv, sid), 'transport error', how);
      s.destroy();
    }
    await H.settleConnections(srv.httpServer, 1, 3000).catch(() => {});
  });

  test(`EIO=${eio} polling: a trickling POST cannot hold the session past the heartbeat deadline`, async () => {
    const { sid } = await H.pollHandshake(srv.port, { eio });
    const s = await rawSocket(
      srv.port,
      H.httpRequestBytes({ method: 'POST', path: H.pollPath(eio, sid), headers: { 'Content-Length': '100000' } }),
    );
    const serverClosed = once(s, 'close');
    let stop = false;
    (async () => {
      while (!stop && !s.destroyed) {
        s.write('4');
        await sleep(25);
      }
    })();
    try {
      // no GET and no pong (v4) / no ping (v3): the heartbeat deadline ends the session
      // (pingInterval 300 + pingTimeout 200 here) and the trickling request with it
      assert.equal(await H.closeReason(srv, sid, 3000), 'ping timeout');
      await Promise.race([
        serverClosed,
        sleep(3000).then(() => {
          throw new Error('the server kept reading the trickling POST after the session closed');
        }),
      ]);
    } finally {
      stop = true;
      s.destroy();
    }
  });
}

test('EIO=4: a pong with no ping is ignored; the session keeps its heartbeat', async () => {
  const { ws, sid } = await wsSession(srv.port, 4);
  ws.send('3');
  ws.send('3');
  // answer real pings from now on, for a few intervals
  ws.on('message', (m) => {
    if (m.toString() === '2') ws.send('3');
  });
  await sleep(800);
  assert.ok(srv.server.clients[sid], 'session still open');
  ws.send('4alive');
  assert.equal(await nextText(ws, (m) => m === '4alive'), '4alive');
  ws.close();
  await H.closeReason(srv, sid);
});

test('EIO=3: a pong from the client (wrong heartbeat direction) closes the session', async () => {
  const { ws, sid } = await wsSession(srv.port, 3);
  ws.send('3');
  assert.equal(await H.closeReason(srv, sid), 'transport error');
  await H.wsClosed(ws);
});

test('EIO=4: a ping from the client (wrong heartbeat direction) closes the session', async () => {
  const { ws, sid } = await wsSession(srv.port, 4);
  ws.send('2');
  assert.equal(await H.closeReason(srv, sid), 'transport error');
  await H.wsClosed(ws);
});

for (const eio of [4, 3]) {
  test(`EIO=${eio}: a probe on a closed session gets no 3probe`, async () => {
    // 1. the session is gone before the upgrade request: refused at the HTTP level
    const { sid } = await H.pollHandshake(srv.port, { eio });
    srv.server.clients[sid].close();
    await H.closeReason(srv, sid);
    const up = await H.rawExchange(srv.port, [H.upgradeBytes(`${H.PATH}?EIO=${eio}&transport=websocket&sid=${sid}`)]);
    assert.match(up.text, /^HTTP\/1\.1 400 /);
    // 2. the session closes while the probing WebSocket is open
    const s2 = await H.pollHandshake(srv.port, { eio });
    const ws = await H.wsOpen(srv.port, `EIO=${eio}&transport=websocket&sid=${s2.sid}`);
    srv.server.clients[s2.sid].close();
    await H.closeReason(srv, s2.sid);
    if (ws.readyState === ws.OPEN) ws.send('2probe');
    await H.wsClosed(ws);
    assert.ok(!ws.received.includes('3probe'), `got ${JSON.stringify(ws.received)}`);
  });

  test(`EIO=${eio}: an upgrade to a session that already upgraded is closed after its handshake; the first keeps working`, async () => {
    const { sid } = await H.pollHandshake(srv.port, { eio });
    const poll = pending(srv.port, { path: H.pollPath(eio, sid) });
    const ws1 = await H.wsOpen(srv.port, `EIO=${eio}&transport=websocket&sid=${sid}`);
    ws1.send('2probe');
    await nextText(ws1, (m) => m === '3probe');
    await poll; // released with a noop
    ws1.send('5');
    await sleep(30);
    assert.equal(srv.server.clients[sid].transport.name, 'websocket');
    // a second WebSocket for the same sid: opened, then closed without an answer (as engine.io 6)
    const ws2 = await H.wsOpen(srv.port, `EIO=${eio}&transport=websocket&sid=${sid}`);
    if (ws2.readyState === ws2.OPEN) ws2.send('2probe');
    await H.wsClosed(ws2);
    assert.ok(!ws2.received.includes('3probe'));
    // polling for it now is refused too
    const res = await request(srv.port, { path: H.pollPath(eio, sid) });
    assert.equal(res.status, 400);
    // and the upgraded session still echoes
    ws1.send('4after');
    assert.equal(await nextText(ws1, (m) => m === '4after'), '4after');
    ws1.close();
    await H.closeReason(srv, sid);
  });
}

test('generateId that throws or rejects: the handshake is refused with code 3, nothing is left', async () => {
  const s = await startEchoServer();
  try {
    for (const mode of ['throw', 'reject']) {
      s.server.generateId = mode === 'throw'
        ? () => {
            throw new Error('id boom');
          }
        : () => Promise.reject(new Error('id boom'));
      for (const eio of [4, 3]) {
        const before = s.connectionErrors.length;
        const res = await request(s.port, { path: `${H.PATH}?EIO=${eio}&transport=polling` });
        assert.equal(res.status, 400, `${mode} EIO=${eio}`);
        assert.equal(JSON.parse(res.text).code, 3);
        const up = await H.rawExchange(s.port, [H.upgradeBytes(`${H.PATH}?EIO=${eio}&transport=websocket`)]);
        assert.ok(up.closed);
        assert.match(up.text, H.official ? /HTTP\/1\.1 (400|101) / : /^HTTP\/1\.1 400 /);
        const errs = s.connectionErrors.slice(before);
        assert.equal(errs.length, 2);
        for (const e of errs) assert.equal(e.code, 3);
      }
    }
    assert.equal(s.server.clientsCount, 0);
    // a working id generator afterwards: the server is fine
    s.server.generateId = () => `ok-${Math.random().toString(36).slice(2)}`;
    await H.freshClientEchoes(s.url, 4, ['websocket']);
    await H.settleSessions(s.server, 0);
  } finally {
    await s.close();
  }
});

test('allowRequest that throws: the handshake is refused, the process lives', {
  skip: H.official && 'the official server lets the exception escape from its request handler (uncaught)',
}, async () => {
  const s = await startEchoServer({
    allowRequest: (req) => {
      if (req.url.includes('boom')) throw new Error('allowRequest boom');
      return undefined;
    },
  });
  try {
    for (const eio of [4, 3]) {
      const res = await request(s.port, { path: `${H.PATH}?EIO=${eio}&transport=polling&boom=1` });
      assert.ok(res.status === 400 || res.status === 403, `status ${res.status}`);
      assert.ok([3, 4].includes(JSON.parse(res.text).code));
      const up = await H.rawExchange(s.port, [H.upgradeBytes(`${H.PATH}?EIO=${eio}&transport=websocket&boom=1`)]);
      assert.match(up.text, /^HTTP\/1\.1 40[03] /);
      assert.ok(up.closed);
    }
    assert.equal(s.connectionErrors.length, 4);
    assert.equal(s.server.clientsCount, 0);
  } finally {
    await s.close();
  }
});

test('allowRequest refusing with an error: 403, code 4 Forbidden', async () => {
  const s = await startEchoServer({ allowRequest: (req, fn) => fn('nope', false) });
  try {
    for (const eio of [4, 3]) {
      const res = await request(s.port, { path: `${H.PATH}?EIO=${eio}&transport=polling` });
      assert.equal(res.status, 403);
      assert.equal(JSON.parse(res.text).code, 4);
    }
    assert.equal(s.server.clientsCount, 0);
  } finally {
    await s.close();
  }
});

test('an exception thrown by the application message handler is reported on "error"; the session carries on', {
  skip: H.official && 'the official server lets the exception propagate out of its transport (uncaught)',
}, async () => {
  const s = await startEchoServer();
  const errors = [];
  s.server.on('connection', (socket) => {
    socket.on('error', (e) => errors.push(e));
    socket.on('message', (m) => {
      if (String(m).startsWith('throw')) throw new Error('application bug');
    });
  });
  try {
    for (const transports of [['polling'], ['websocket']]) {
      for (const proto of [4, 3]) {
        const c = proto === 4 ? H.clientV4(s.url, { transports }) : H.clientV3(s.url, { transports });
        await H.openClient(c);
        const n = errors.length;
        c.send('throw 1');
        await H.echo(c, 'after the throw');
        assert.equal(errors.length, n + 1);
        assert.equal(errors[n].message, 'application bug');
        c.close();
      }
    }
    await H.settleSessions(s.server, 0);
  } finally {
    await s.close();
  }
});

test('a plain HTTP request with transport=websocket for a WebSocket session is answered 400 (not left hanging)', {
  skip: H.official && 'the official server hands the request to the WebSocket transport, which never answers it',
}, async () => {
  for (const eio of [4, 3]) {
    const w = await wsSession(srv.port, eio);
    for (const method of ['GET', 'POST']) {
      const res = await H.rawExchange(
        srv.port,
        [H.httpRequestBytes({ method, path: `${H.PATH}?EIO=${eio}&transport=websocket&sid=${w.sid}`, headers: { Connection: 'close' }, body: method === 'POST' ? '4x' : undefined })],
        { ms: 2000 },
      );
      assert.ok(res.closed, `${method} EIO=${eio}: no answer within 2 s`);
      assert.match(res.text, /^HTTP\/1\.1 400 /);
      assert.equal(JSON.parse(res.text.slice(res.text.indexOf('\r\n\r\n') + 4)).code, 3);
    }
    w.ws.close();
    await H.closeReason(srv, w.sid);
  }
});
