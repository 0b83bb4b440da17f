'use strict';
// The README's three ways to start a server, each serving the official engine.io-client@6 over
// polling, over WebSocket, and through the upgrade; and DEBUG=engine* printing the engine's log.
const { testWithTimeout: test } = require('./support/v4');
const assert = require('node:assert/strict');
const http = require('node:http');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { once } = require('node:events');
const { waitFor } = require('./support');
const { engine, listenLocal, closeHttpServer, listenServer } = require('./support/servers');
const { request, official, openClient, until, rawUpgrade } = require('./support/v4');

const OPTS = { pingInterval: 10000, pingTimeout: 5000 };

/** Starts a server the README's way `way`; resolves { engine, url, port, close() }. */
async function start(way) {
  const eio = engine();
  if (way === 'A') {
    // (A) engine.listen(port)
    return listenServer(OPTS, { eio });
  }
  let httpServer;
  let srv;
  if (way === 'B') {
    // (B) engine.attach(httpServer)
    httpServer = http.createServer();
    srv = eio.attach(httpServer, OPTS);
  } else {
    // (C) new engine.Server(), requests and upgrades passed in by hand
    srv = new eio.Server(OPTS);
    httpServer = http.createServer();
    httpServer.on('upgrade', (req, socket, head) => srv.handleUpgrade(req, socket, head));
    httpServer.on('request', (req, res) => srv.handleRequest(req, res));
  }
  const port = await listenLocal(httpServer);
  return {
    engine: srv,
    httpServer,
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      srv.close();
      await closeHttpServer(httpServer);
    },
  };
}

const MODES = {
  polling: { transports: ['polling'] },
  websocket: { transports: ['websocket'] },
  'polling then upgrade': {},
};

for (const way of ['A', 'B', 'C']) {
  test(`(${way}) serves a client over polling, over WebSocket, and through the upgrade`, async () => {
    const srv = await start(way);
    const clients = [];
    try {
      srv.engine.on('connection', (socket) => {
        socket.send('utf 8 string');
        socket.send(Buffer.from([0, 1, 2, 3, 4, 5]));
        socket.on('message', (m) => socket.send(`echo ${m}`));
      });
      for (const [mode, opts] of Object.entries(MODES)) {
        const client = await openClient(srv.url, opts);
        clients.push(client);
        const got = client.received;
        if (mode === 'polling then upgrade') await waitFor(client, 'upgrade');
        client.send(`from ${mode}`);
        await until(() => got.length === 3, 3000, `3 messages (${mode})`);
        assert.equal(got[0], 'utf 8 string');
        assert.deepEqual([...got[1]], [0, 1, 2, 3, 4, 5]);
        assert.equal(got[2], `echo from ${mode}`);
        assert.equal(client.transport.name, mode === 'polling' ? 'polling' : 'websocket');
        assert.ok(srv.engine.clients[client.id]);
      }
      assert.equal(srv.engine.clientsCount, 3);
    } finally {
      for (const c of clients) c.close();
      await srv.close();
    }
  });
}

test('(A) listen(port, opts, callback): options apply, the callback runs, 501 outside the engine path', async () => {
  const srv = await listenServer({ pingInterval: 3456, path: '/rt' });
  try {
    assert.equal((await request(srv.port, { path: '/' })).status, 501);
    assert.equal((await request(srv.port, { path: '/engine.io/?EIO=4&transport=polling' })).status, 501);
    const res = await request(srv.port, { path: '/rt/?EIO=4&transport=polling' });
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.text.slice(1)).pingInterval, 3456);
  } finally {
    await srv.close();
  }
});

test('(C) handleRequest/handleUpgrade answer refusals themselves (JSON error, 400 upgrade refusal)', async () => {
  const srv = await start('C');
  try {
    const res = await request(srv.port, { path: '/anything?EIO=4&transport=nope' });
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.text), { code: 0, message: 'Transport unknown' });
    const ok = await request(srv.port, { path: '/anything?EIO=4&transport=polling' });
    assert.equal(ok.status, 200, 'with handleRequest, the path is the application\'s business');
    const up = await rawUpgrade(srv.port, '/anything?EIO=4&transport=nope');
    await up.closed;
    assert.match(up.text(), /^HTTP\/1\.1 400 Bad Request\r\n/);
  } finally {
    await srv.close();
  }
});

/**
 * A child process that starts a server, makes one polling handshake and exits. `DEBUG` is set to
 * `debugEnv`, or removed when that is undefined. Resolves { code, stdout, stderr }; the child is
 * killed after 10 s.
 */
async function runOneHandshake(debugEnv) {
  const script = `
    const http = require('node:http');
    const eio = require(${JSON.stringify(official ? 'engine.io' : 'engine.io-ts')});
    const httpServer = http.createServer();
    const srv = eio.attach(httpServer);
    httpServer.listen(0, '127.0.0.1', () => {
      const port = httpServer.address().port;
      http.get({ host: '127.0.0.1', port, path: '/engine.io/?EIO=4&transport=polling', agent: false }, (res) => {
        res.resume();
        res.on('end', () => { srv.close(); httpServer.close(); });
      });
    });
  `;
  const env = { ...process.env };
  delete env.DEBUG;
  if (debugEnv !== undefined) Object.assign(env, { DEBUG: debugEnv, DEBUG_COLORS: 'false' });
  const child = spawn(process.execPath, ['-e', script], {
    cwd: path.join(__dirname, '..'),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  child.stdout.on('data', (c) => (stdout += c));
  const timer = setTimeout(() => child.kill(), 10000);
  const [code] = await once(child, 'exit');
  clearTimeout(timer);
  return { code, stdout, stderr };
}

test('DEBUG=engine* prints the engine\'s log on stderr', async () => {
  const { code, stderr } = await runOneHandshake('engine*');
  assert.equal(code, 0, stderr);
  assert.match(stderr, /\bengine\b/, 'the engine namespace logs');
  assert.match(stderr, /\bengine:(socket|polling|transport)\b/, 'the sub-namespaces log too');
  assert.match(stderr, /handshak/i, 'the handshake is logged');
});

test('without DEBUG the engine prints nothing', async () => {
  const { code, stdout, stderr } = await runOneHandshake(undefined);
  const out = stderr + stdout;
  assert.equal(code, 0, out);
  assert.equal(out, '');
});
