'use strict';
// Cross-site protection: with a CORS origin allow-list, a browser page from another origin can
// neither poll nor open a WebSocket (cross-site WebSocket hijacking: browsers send cookies with
// a WebSocket handshake and CORS does not apply to it, so the server must check Origin itself).
const test = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { request, sleep } = require('./support/index');
const H = require('./support/hardening');
const { shareEchoServer } = require('./support/servers');

H.guardProcess();

const GOOD = 'http://good.example';
const EVIL = 'http://evil.example';
let srv;

shareEchoServer({ opts: { cors: { origin: [GOOD], credentials: true } }, bystanderOpts: null }, (s) => {
  srv = s;
});

for (const eio of [4, 3]) {
  test(`EIO=${eio}: an allowed Origin handshakes over polling and gets the CORS headers`, async () => {
    const res = await request(srv.port, {
      path: `${H.PATH}?EIO=${eio}&transport=polling&b64=1`,
      headers: { Origin: GOOD },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers['access-control-allow-origin'], GOOD);
    assert.equal(res.headers['access-control-allow-credentials'], 'true');
    assert.match(res.headers.vary || '', /origin/i);
    const sid = JSON.parse(res.text.slice(res.text.indexOf('{'), res.text.lastIndexOf('}') + 1)).sid;
    // a preflight from the same origin is answered with the allow headers
    const pre = await request(srv.port, {
      method: 'OPTIONS',
      path: `${H.PATH}?EIO=${eio}&transport=polling&sid=${sid}`,
      headers: { Origin: GOOD, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    assert.ok(pre.status === 204 || pre.status === 200, `preflight ${pre.status}`);
    assert.equal(pre.headers['access-control-allow-origin'], GOOD);
    assert.match(pre.headers['access-control-allow-methods'] || '', /POST/);
    srv.server.clients[sid].close();
    await H.closeReason(srv, sid);
  });

  test(`EIO=${eio}: a disallowed Origin never gets an allow header`, async () => {
    const res = await request(srv.port, { path: `${H.PATH}?EIO=${eio}&transport=polling`, headers: { Origin: EVIL } });
    assert.notEqual(res.headers['access-control-allow-origin'], EVIL);
    assert.notEqual(res.headers['access-control-allow-origin'], '*');
    const pre = await request(srv.port, {
      method: 'OPTIONS',
      path: `${H.PATH}?EIO=${eio}&transport=polling`,
      headers: { Origin: EVIL, 'Access-Control-Request-Method': 'POST' },
    });
    assert.notEqual(pre.headers['access-control-allow-origin'], EVIL);
    // (the official server still creates the session: close whatever exists)
    for (const id of Object.keys(srv.server.clients)) srv.server.clients[id].close();
  });

  test(`EIO=${eio}: a disallowed Origin is refused over HTTP (403, code 4) and nothing is created`, {
    skip: H.official && 'the official server only omits the CORS headers; the request itself is served',
  }, async () => {
    const before = srv.connectionErrors.length;
    for (const origin of [EVIL, 'null', 'http://good.example.evil.example', 'https://good.example', 'http://GOOD.example:80']) {
      const res = await request(srv.port, { path: `${H.PATH}?EIO=${eio}&transport=polling`, headers: { Origin: origin } });
      assert.equal(res.status, 403, origin);
      assert.equal(JSON.parse(res.text).code, 4);
      assert.equal(res.headers['access-control-allow-origin'], undefined);
    }
    // a request for an existing session from a disallowed origin is refused as well
    const good = await H.pollHandshake(srv.port, { eio, query: '' });
    const post = await request(srv.port, {
      method: 'POST',
      path: H.pollPath(eio, good.sid),
      headers: { Origin: EVIL },
      body: H.payload(eio, ['4stolen']),
    });
    assert.equal(post.status, 403);
    const errs = srv.connectionErrors.slice(before);
    assert.equal(errs.length, 6);
    for (const e of errs) assert.equal(e.code, 4);
    assert.equal(srv.server.clientsCount, 1);
    srv.server.clients[good.sid].close();
    await H.closeReason(srv, good.sid);
  });

  test(`EIO=${eio}: a WebSocket upgrade from a disallowed Origin is refused (cross-site WebSocket hijacking)`, {
    skip: H.official && 'the official server accepts WebSocket upgrades from any Origin',
  }, async () => {
    const before = srv.connectionErrors.length;
    // a new session over WebSocket
    const raw = await H.rawExchange(srv.port, [H.upgradeBytes(`${H.PATH}?EIO=${eio}&transport=websocket`, { Origin: EVIL })]);
    assert.match(raw.text, /^HTTP\/1\.1 4\d\d /);
    assert.ok(raw.closed);
    // the upgrade of a session opened by an allowed page (a hijacker holding its sid)
    const { sid } = await H.pollHandshake(srv.port, { eio });
    const up = await H.rawExchange(srv.port, [H.upgradeBytes(`${H.PATH}?EIO=${eio}&transport=websocket&sid=${sid}`, { Origin: EVIL })]);
    assert.match(up.text, /^HTTP\/1\.1 4\d\d /);
    assert.ok(up.closed);
    // with the `ws` client too, as a browser would present it
    const ws = new WebSocket(`ws://127.0.0.1:${srv.port}${H.PATH}?EIO=${eio}&transport=websocket`, { origin: EVIL });
    ws.on('error', () => {});
    // (events.once() would reject on the expected 'error')
    const code = await Promise.race([new Promise((r) => ws.on('close', r)), sleep(3000).then(() => 'timeout')]);
    assert.notEqual(code, 'timeout');
    assert.ok(!ws.received || ws.received.length === 0);
    const errs = srv.connectionErrors.slice(before);
    assert.equal(errs.length, 3);
    for (const e of errs) assert.equal(e.code, 4);
    assert.equal(srv.server.clients[sid].transport.name, 'polling');
    srv.server.clients[sid].close();
    await H.closeReason(srv, sid);
  });

  test(`EIO=${eio}: a WebSocket from an allowed Origin (or without Origin, not a browser) works`, async () => {
    for (const origin of [GOOD, undefined]) {
      const ws = await H.wsOpen(srv.port, `EIO=${eio}&transport=websocket`, origin ? { origin } : {});
      await new Promise((r) => (ws.received.length ? r() : ws.once('message', r)));
      const sid = JSON.parse(ws.received.shift().slice(1)).sid;
      ws.send('4hi');
      await new Promise((r) => {
        const check = () => (ws.received.includes('4hi') ? r() : ws.once('message', check));
        check();
      });
      ws.close();
      await H.closeReason(srv, sid);
    }
  });
}

test('official clients from an allowed origin work over polling and upgrade', async () => {
  for (const proto of [4, 3]) {
    const opts = { transports: ['polling', 'websocket'], extraHeaders: { Origin: GOOD } };
    const c = proto === 4 ? H.clientV4(srv.url, opts) : H.clientV3(srv.url, opts);
    await H.openClient(c);
    await H.echo(c, `cors-${proto}`);
    c.close();
  }
});
