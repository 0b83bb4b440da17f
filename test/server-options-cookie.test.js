'use strict';
// The session-id cookie on the handshake response: the Engine.IO README's `cookie` / `cookiePath` /
// `cookieHttpOnly` (default: cookie `io`, Path=/, HttpOnly) and engine.io 6's object form.
const test = require('node:test');
const assert = require('node:assert/strict');
const { withV3Server: withServer } = require('./support/servers');
const { official } = require('./support/v3util');
const { handshake, poll, parseSetCookie } = require('./support/v3wire');

const README_ONLY = official && 'official engine.io@6 has no cookie by default and no cookie name string / cookiePath / cookieHttpOnly';

/** Handshakes with the given protocol revision and returns { sid, cookies: parsed Set-Cookie list }. */
async function cookiesOf(srv, EIO) {
  const { res, sid } = await handshake(srv.port, { EIO, transport: 'polling' });
  const raw = res.headers['set-cookie'] || [];
  return { sid, raw, cookies: raw.map(parseSetCookie) };
}

for (const EIO of ['4', '3']) {
  test(`EIO=${EIO}: by default the handshake sets cookie io=<sid>; Path=/; HttpOnly`, { skip: README_ONLY }, () =>
    withServer({}, async (srv) => {
      const { sid, cookies, raw } = await cookiesOf(srv, EIO);
      assert.equal(cookies.length, 1, JSON.stringify(raw));
      const [c] = cookies;
      assert.equal(c.name, 'io');
      assert.equal(decodeURIComponent(c.value), sid);
      assert.equal(c.attrs.path, '/');
      assert.equal(c.attrs.httponly, true);
    }),
  );
}

test('cookie: "<name>" sets that cookie name, still Path=/ and HttpOnly', { skip: README_ONLY }, () =>
  withServer({ cookie: 'my_sid' }, async (srv) => {
    const { sid, cookies } = await cookiesOf(srv, '4');
    assert.equal(cookies.length, 1);
    assert.equal(cookies[0].name, 'my_sid');
    assert.equal(decodeURIComponent(cookies[0].value), sid);
    assert.equal(cookies[0].attrs.path, '/');
    assert.equal(cookies[0].attrs.httponly, true);
  }),
);

for (const EIO of ['4', '3']) {
  test(`EIO=${EIO}: cookie: false sends no cookie`, () =>
    withServer({ cookie: false }, async (srv) => {
      const { raw } = await cookiesOf(srv, EIO);
      assert.deepEqual(raw, []);
    }),
  );
}

test('cookiePath sets the Path attribute', { skip: README_ONLY }, () =>
  withServer({ cookiePath: '/custom' }, async (srv) => {
    const { cookies } = await cookiesOf(srv, '4');
    assert.equal(cookies.length, 1);
    assert.equal(cookies[0].name, 'io');
    assert.equal(cookies[0].attrs.path, '/custom');
    assert.equal(cookies[0].attrs.httponly, true);
  }),
);

test('cookiePath: false sends no Path (and, as the README says, cookieHttpOnly then has no effect)', { skip: README_ONLY }, () =>
  withServer({ cookiePath: false }, async (srv) => {
    const { sid, cookies } = await cookiesOf(srv, '4');
    assert.equal(cookies.length, 1);
    assert.equal(cookies[0].name, 'io');
    assert.equal(decodeURIComponent(cookies[0].value), sid);
    assert.equal(cookies[0].attrs.path, undefined);
    assert.equal(cookies[0].attrs.httponly, undefined);
  }),
);

test('cookieHttpOnly: false drops HttpOnly, keeps Path=/', { skip: README_ONLY }, () =>
  withServer({ cookieHttpOnly: false }, async (srv) => {
    const { cookies } = await cookiesOf(srv, '4');
    assert.equal(cookies.length, 1);
    assert.equal(cookies[0].attrs.path, '/');
    assert.equal(cookies[0].attrs.httponly, undefined);
  }),
);

test('object form { name, path, httpOnly, sameSite, secure, maxAge, domain } sets every attribute', () =>
  withServer(
    { cookie: { name: 'sess', path: '/p', httpOnly: false, sameSite: 'strict', secure: true, maxAge: 3600, domain: 'example.com' } },
    async (srv) => {
      const { sid, cookies } = await cookiesOf(srv, '4');
      assert.equal(cookies.length, 1);
      const c = cookies[0];
      assert.equal(c.name, 'sess');
      assert.equal(decodeURIComponent(c.value), sid);
      assert.equal(c.attrs.path, '/p');
      assert.equal(c.attrs.httponly, undefined);
      assert.equal(String(c.attrs.samesite).toLowerCase(), 'strict');
      assert.equal(c.attrs.secure, true);
      assert.equal(c.attrs['max-age'], '3600');
      assert.equal(c.attrs.domain, 'example.com');
    },
  ),
);

test('object form with only a name defaults to Path=/ and HttpOnly', () =>
  withServer({ cookie: { name: 'only_name' } }, async (srv) => {
    for (const EIO of ['4', '3']) {
      const { sid, cookies } = await cookiesOf(srv, EIO);
      assert.equal(cookies.length, 1);
      assert.equal(cookies[0].name, 'only_name');
      assert.equal(decodeURIComponent(cookies[0].value), sid);
      assert.equal(cookies[0].attrs.path, '/');
      assert.equal(cookies[0].attrs.httponly, true);
    }
  }),
);

test('the cookie is set on the handshake only, not on later polls', () =>
  withServer({ cookie: { name: 'io' } }, async (srv) => {
    const { sid, cookies } = await cookiesOf(srv, '4');
    assert.equal(cookies.length, 1);
    srv.server.clients[sid].send('x');
    const res = await poll(srv.port, { EIO: '4', transport: 'polling', sid });
    assert.equal(res.status, 200);
    assert.equal(res.text, '4x');
    assert.equal(res.headers['set-cookie'], undefined);
  }),
);

test('each session gets its own sid in the cookie', () =>
  withServer({ cookie: { name: 'io' } }, async (srv) => {
    const a = await cookiesOf(srv, '4');
    const b = await cookiesOf(srv, '3');
    assert.notEqual(a.sid, b.sid);
    assert.equal(decodeURIComponent(a.cookies[0].value), a.sid);
    assert.equal(decodeURIComponent(b.cookies[0].value), b.sid);
  }),
);
