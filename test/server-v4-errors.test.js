'use strict';
// The protocol v4 error codes by hand, over HTTP and over a WebSocket upgrade: 0 Transport
// unknown, 1 Session ID unknown, 2 Bad handshake method, 3 Bad request, 4 Forbidden (allowRequest),
// 5 Unsupported protocol version; and a generateId that fails or is overridden.
const assert = require('node:assert/strict');
const { withServer } = require('./support/servers');
const { waitFor } = require('./support');
const { testWithTimeout: test, request, official, PATH, url, handshake, poll, post, wsHandshake, rawUpgrade, assertError } = require('./support/v4');

/**
 * A refused WebSocket upgrade: a bare HTTP/1.1 400 on the raw socket, which is then closed.
 * `lateOnOfficial`: the official server refuses some upgrades (unsupported protocol, id generation
 * failure) only after ws has already answered 101, so there it writes the 400 after the 101; we
 * require the refusal to come first on our server.
 */
async function assertUpgradeRefused(port, path, { lateOnOfficial = false } = {}) {
  const up = await rawUpgrade(port, path);
  await up.closed;
  const text = up.text();
  if (official && lateOnOfficial) {
    assert.match(text, /HTTP\/1\.1 400 Bad Request\r\n/, `response to ${path}: ${JSON.stringify(text)}`);
    return;
  }
  assert.match(text, /^HTTP\/1\.1 400 Bad Request\r\n/, `response to ${path}: ${JSON.stringify(text)}`);
  assert.doesNotMatch(text, /101 Switching Protocols/);
}

test('code 0 Transport unknown: unknown names, prototype names, a missing transport (GET and POST)', async () => {
  await withServer({}, async (srv) => {
    for (const transport of ['tobi', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '']) {
      const res = await request(srv.port, { path: `${PATH}?EIO=4&transport=${transport}` });
      assertError(res, 0, 'Transport unknown');
      const res2 = await request(srv.port, { method: 'POST', path: `${PATH}?EIO=4&transport=${transport}`, body: '4x' });
      assertError(res2, 0, 'Transport unknown');
    }
    const none = await request(srv.port, { path: `${PATH}?EIO=4` });
    assertError(none, 0, 'Transport unknown');
    assert.equal(srv.server.clientsCount, 0);
  });
});

test('code 0 over a WebSocket upgrade: HTTP/1.1 400 Bad Request, then the socket is closed', async () => {
  await withServer({}, async (srv) => {
    for (const transport of ['tobi', '__proto__', 'constructor', 'hasOwnProperty']) {
      await assertUpgradeRefused(srv.port, `${PATH}?EIO=4&transport=${transport}`);
    }
    assert.equal(srv.server.clientsCount, 0);
  });
});

test('code 1 Session ID unknown: GET, POST, a prototype name as sid, and a WebSocket upgrade', async () => {
  await withServer({}, async (srv) => {
    assertError(await poll(srv.port, 'nosuchsid'), 1, 'Session ID unknown');
    assertError(await post(srv.port, 'nosuchsid', '4hello'), 1, 'Session ID unknown');
    assertError(await poll(srv.port, '__proto__'), 1, 'Session ID unknown');
    assertError(await poll(srv.port, 'constructor'), 1, 'Session ID unknown');
    await assertUpgradeRefused(srv.port, `${PATH}?EIO=4&transport=websocket&sid=nosuchsid`);
  });
});

test('code 2 Bad handshake method: a handshake that is not a GET', async () => {
  await withServer({}, async (srv) => {
    const res = await request(srv.port, { method: 'POST', path: url(), body: '4hi' });
    assertError(res, 2, 'Bad handshake method');
    const put = await request(srv.port, { method: 'PUT', path: url(), body: '4hi' });
    assertError(put, 2, 'Bad handshake method');
    assert.equal(srv.server.clientsCount, 0);
  });
});

test('code 3 Bad request: transport=websocket without an upgrade; polling on a WebSocket session', async () => {
  await withServer({}, async (srv) => {
    const res = await request(srv.port, { path: url(null, { transport: 'websocket' }) });
    assertError(res, 3, 'Bad request');
    assert.equal(srv.server.clientsCount, 0);
    const { peer, open } = await wsHandshake(srv.port);
    assertError(await poll(srv.port, open.sid), 3, 'Bad request');
    assertError(await post(srv.port, open.sid, '4x'), 3, 'Bad request');
    // an upgrade for a session of another protocol revision
    const poller = await handshake(srv.port);
    await assertUpgradeRefused(srv.port, `${PATH}?EIO=3&transport=websocket&sid=${poller.sid}`);
    assert.equal(srv.server.clients[poller.sid].transport.name, 'polling');
    // the WebSocket session is unaffected
    peer.send('4still here');
    const socket = srv.server.clients[open.sid];
    assert.equal(socket.readyState, 'open');
    await peer.close();
  });
});

test('code 4 Forbidden: allowRequest refuses with 403 over HTTP and a 400 upgrade refusal over WebSocket', async () => {
  const seen = [];
  const allowRequest = (req, fn) => {
    seen.push(req.url);
    // decided later, as an asynchronous check would
    setTimeout(() => fn(null, req.headers['x-allow'] === 'yes'), 5);
  };
  await withServer({ allowRequest }, async (srv) => {
    let connections = 0;
    srv.server.on('connection', () => connections++);
    const res = await request(srv.port, { path: url() });
    assertError(res, 4, 'Forbidden', 403);
    await assertUpgradeRefused(srv.port, `${PATH}?EIO=4&transport=websocket`);
    assert.equal(connections, 0);
    const ok = await handshake(srv.port, {}, { 'x-allow': 'yes' });
    assert.equal(typeof ok.sid, 'string');
    assert.equal(connections, 1);
    assert.ok(seen.length >= 3 && seen.every((u) => u.includes('EIO=4')), JSON.stringify(seen));
  });
});

test('code 5 Unsupported protocol version: EIO=5, over HTTP and WebSocket', async () => {
  await withServer({}, async (srv) => {
    const res = await request(srv.port, { path: `${PATH}?EIO=5&transport=polling` });
    assertError(res, 5, 'Unsupported protocol version');
    await assertUpgradeRefused(srv.port, `${PATH}?EIO=5&transport=websocket`, { lateOnOfficial: true });
    assert.equal(srv.server.clientsCount, 0);
  });
});

test('generateId throwing or rejecting refuses the handshake with 400 (code 3) and opens no session', async () => {
  await withServer({}, async (srv) => {
    let connections = 0;
    srv.server.on('connection', () => connections++);
    srv.server.generateId = () => {
      throw new Error('no ids today');
    };
    assertError(await request(srv.port, { path: url() }), 3, 'Bad request');
    await assertUpgradeRefused(srv.port, `${PATH}?EIO=4&transport=websocket`, { lateOnOfficial: true });
    srv.server.generateId = () => Promise.reject(new Error('no ids today either'));
    assertError(await request(srv.port, { path: url() }), 3, 'Bad request');
    await assertUpgradeRefused(srv.port, `${PATH}?EIO=4&transport=websocket`, { lateOnOfficial: true });
    assert.equal(connections, 0);
    assert.equal(srv.server.clientsCount, 0);
    // and the server still works afterwards
    delete srv.server.generateId;
    const { sid } = await handshake(srv.port);
    assert.match(sid, /^[A-Za-z0-9_-]{20,}$/);
  });
});

test('generateId override: synchronous and Promise-returning ids are used as sids', async () => {
  await withServer({}, async (srv) => {
    let n = 0;
    srv.server.generateId = (req) => {
      assert.ok(req.url.includes('EIO=4'));
      return `custom-${++n}`;
    };
    const a = await handshake(srv.port);
    assert.equal(a.sid, 'custom-1');
    srv.server.generateId = async () => `async-${++n}`;
    const b = await handshake(srv.port);
    assert.equal(b.sid, 'async-2');
    const { open } = await wsHandshake(srv.port);
    assert.equal(open.sid, 'async-3');
    assert.ok(srv.server.clients['custom-1'] && srv.server.clients['async-2'] && srv.server.clients['async-3']);
    // the custom sid works for the rest of the session
    const socket = srv.server.clients['custom-1'];
    const got = waitFor(socket, 'message');
    assert.equal((await post(srv.port, 'custom-1', '4via custom id')).text, 'ok');
    assert.deepEqual(await got, ['via custom id']);
  });
});
