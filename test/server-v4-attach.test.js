'use strict';
// attach() and listen() and their options, by hand (protocol v4): upgrades for other paths
// (destroyUpgrade, destroyUpgradeTimeout), listen()'s 501, the path option, handlePreflightRequest
// and cors.
const assert = require('node:assert/strict');
const { startServer, withServer, listenServer } = require('./support/servers');
const { sleep } = require('./support');
const { testWithTimeout: test, request, official, PATH, url, handshake, wsHandshake, rawUpgrade } = require('./support/v4');

test('an upgrade for another path is destroyed after destroyUpgradeTimeout (no answer written)', async () => {
  await withServer({}, async (srv) => {
    const up = await rawUpgrade(srv.port, '/elsewhere');
    await up.closed;
    assert.equal(up.text(), '', 'nothing is written to an unhandled upgrade');
    // a client that resets the connection first: no unhandled 'error' may take the process down
    const rude = await rawUpgrade(srv.port, '/elsewhere');
    await sleep(10);
    rude.socket.resetAndDestroy();
    await sleep(120);
    // the engine's own upgrades still work
    const { peer } = await wsHandshake(srv.port);
    await peer.close();
  }, { destroyUpgradeTimeout: 50 });
});

test('an upgrade for another path is left to its owner', async () => {
  // http.Server sockets are half-open capable: sockets handed to 'upgrade' listeners must be
  // destroyed server-side too, or httpServer.close() would wait for them forever
  const serverSide = [];
  // destroyUpgrade on (the default): a handler that answers in time keeps its socket
  await withServer({}, async (srv) => {
    srv.httpServer.on('upgrade', (req, socket) => {
      serverSide.push(socket);
      if (req.url === '/mine') socket.write('HTTP/1.1 418 I am a teapot\r\nContent-Length: 0\r\n\r\n');
    });
    const up = await rawUpgrade(srv.port, '/mine');
    await sleep(150);
    assert.match(up.text(), /^HTTP\/1\.1 418/);
    assert.equal(up.socket.destroyed, false, 'a handled upgrade is not destroyed');
    up.socket.destroy();
    for (const s of serverSide) s.destroy();
  }, { destroyUpgradeTimeout: 50 });
  // destroyUpgrade: false: nothing is done to other paths at all
  await withServer({}, async (srv) => {
    srv.httpServer.on('upgrade', (req, socket) => serverSide.push(socket));
    const up = await rawUpgrade(srv.port, '/elsewhere');
    await sleep(150);
    assert.equal(up.socket.destroyed, false, 'left alone');
    assert.equal(up.text(), '');
    up.socket.destroy();
    for (const s of serverSide) s.destroy();
  }, { destroyUpgrade: false, destroyUpgradeTimeout: 50 });
});

test('listen(): 501 Not Implemented outside the engine path, the engine on it', async () => {
  const srv = await listenServer({ pingInterval: 10000 });
  try {
    const res = await request(srv.port, { path: '/' });
    assert.equal(res.status, 501);
    const res2 = await request(srv.port, { path: '/other?EIO=4&transport=polling' });
    assert.equal(res2.status, 501);
    const { sid } = await handshake(srv.port);
    assert.ok(srv.engine.clients[sid]);
  } finally {
    await srv.close();
  }
});

test('path option, with or without a trailing slash; other paths reach the application', async () => {
  for (const path of ['/custom', '/custom/']) {
    const srv = await startServer({ pingInterval: 10000 }, { path }, { handler: (req, res) => res.end('app') });
    const { port } = srv;
    try {
      const { sid } = await handshake(port, {}, {}, '/custom/');
      assert.ok(srv.server.clients[sid], `handshake on ${path}`);
      const { peer } = await wsHandshake(port, { path: '/custom/' });
      await peer.close();
      assert.equal((await request(port, { path: '/' })).text, 'app');
      assert.equal((await request(port, { path: `${PATH}?EIO=4&transport=polling` })).text, 'app');
    } finally {
      await srv.close();
    }
  }
});

const noPreflight = official && 'official engine.io@6 has no handlePreflightRequest option';

function preflight(port, sid) {
  return request(port, {
    method: 'OPTIONS',
    path: url(sid),
    headers: { Origin: 'http://example.test', 'Access-Control-Request-Method': 'POST' },
  });
}

test('handlePreflightRequest true (default): the engine answers OPTIONS itself', { skip: noPreflight }, async () => {
  let appCalls = 0;
  const handler = (req, res) => {
    appCalls++;
    res.end('app');
  };
  const srv = await startServer({ pingInterval: 10000 }, undefined, { handler });
  const { port } = srv;
  try {
    const { sid } = await handshake(port);
    const res = await preflight(port, sid);
    assert.ok(res.status >= 200 && res.status < 300, `status ${res.status}`);
    assert.notEqual(res.text, 'app');
    assert.equal(appCalls, 0);
    assert.equal(srv.server.clients[sid].readyState, 'open', 'a preflight does not disturb the session');
  } finally {
    await srv.close();
  }
});

test('handlePreflightRequest false: OPTIONS requests go to the application', { skip: noPreflight }, async () => {
  const handler = (req, res) => {
    res.writeHead(299);
    res.end(`app ${req.method}`);
  };
  const srv = await startServer({ pingInterval: 10000 }, { handlePreflightRequest: false }, { handler });
  const { port } = srv;
  try {
    const { sid } = await handshake(port);
    const res = await preflight(port, sid);
    assert.equal(res.status, 299);
    assert.equal(res.text, 'app OPTIONS');
  } finally {
    await srv.close();
  }
});

test('handlePreflightRequest function: it answers the OPTIONS requests', { skip: noPreflight }, async () => {
  const calls = [];
  await withServer(
    {},
    async (srv) => {
      const { sid } = await handshake(srv.port);
      const res = await preflight(srv.port, sid);
      assert.equal(res.status, 204);
      assert.equal(res.headers['x-preflight'], 'mine');
      assert.equal(calls.length, 1);
      assert.equal(calls[0], 'OPTIONS');
    },
    {
      handlePreflightRequest(req, res) {
        calls.push(req.method);
        res.writeHead(204, { 'x-preflight': 'mine' });
        res.end();
      },
    },
  );
});

test('cors option: Access-Control-Allow-Origin on engine responses and preflights', async () => {
  await withServer({ cors: { origin: 'http://example.test', credentials: true } }, async (srv) => {
    const res = await request(srv.port, { path: url(), headers: { Origin: 'http://example.test' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers['access-control-allow-origin'], 'http://example.test');
    assert.equal(res.headers['access-control-allow-credentials'], 'true');
    const sid = JSON.parse(res.text.slice(1)).sid;
    const pre = await preflight(srv.port, sid);
    assert.ok(pre.status >= 200 && pre.status < 300, `status ${pre.status}`);
    assert.equal(pre.headers['access-control-allow-origin'], 'http://example.test');
    assert.match(pre.headers['access-control-allow-methods'] || '', /POST/);
  });
});
