'use strict';
// Every way the tests start a server, in one module. All of them listen on an ephemeral port of
// 127.0.0.1 and follow one shape:
//
//   start…(opts, attachOpts, extras) resolves a handle
//     { eio, server, engine, httpServer, port, url, close() }
//   - `opts`: the engine's options (pingInterval, allowEIO3, maxHttpBufferSize, …);
//   - `attachOpts`: what only attach() takes (path, destroyUpgrade, destroyUpgradeTimeout,
//     handlePreflightRequest, …), merged over `opts` when the engine is attached;
//   - `eio` is the engine module, `server` the Engine.IO Server (`engine` is the same object,
//     under the name the client and socket.io suites use);
//   - `close()` closes the engine, then the http.Server and every connection it still holds.
//   with…(opts, fn, attachOpts) starts one, runs `fn(srv, …)` and closes it whether `fn` passed or threw.
//
// ENGINE=official runs a test file against the official `engine.io` package instead of ours: a
// way to check that a test asserts the real protocol, not our reading of it.
//
// Not here (they start no Engine.IO server): the TCP relay that cuts connections (socketio.js
// relay()), a port nobody listens on (client.js deadPort()).
const http = require('node:http');
const https = require('node:https');
const { once } = require('node:events');

const SIO_PATH = '/socket.io/';

/**
 * The engine module under test: `engine()` follows ENGINE (official or ours); `engine(kind)`
 * with 'official' or 'ours' picks one; a module passed in is returned as is.
 */
function engine(kind) {
  if (kind !== undefined && typeof kind !== 'string') return kind;
  const which = kind === undefined ? (process.env.ENGINE === 'official' ? 'official' : 'ours') : kind;
  return which === 'official' ? require('engine.io') : require('engine.io-ts');
}

/** Listens on an ephemeral port of 127.0.0.1; resolves the port. */
async function listenLocal(httpServer) {
  httpServer.listen(0, '127.0.0.1');
  await once(httpServer, 'listening');
  return httpServer.address().port;
}

/** Closes `httpServer` and every connection it still holds; resolves once it is closed. */
async function closeHttpServer(httpServer) {
  httpServer.closeAllConnections?.();
  await new Promise((resolve) => httpServer.close(() => resolve()));
}

/** The handle every starter returns: close() closes the engine, then the http.Server with its connections. */
function handle(eio, server, httpServer, port) {
  return {
    eio,
    server,
    engine: server,
    httpServer,
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.close();
      await closeHttpServer(httpServer);
    },
  };
}

/**
 * A new http.Server with the engine attached (`eio.attach(httpServer, { ...opts, ...attachOpts })`).
 * `extras.eio`: the engine module or 'official' / 'ours' (default: engine()). `extras.handler`:
 * the application's own request listener, which sees what the engine leaves alone.
 */
async function startServer(opts = {}, attachOpts, { eio: which, handler } = {}) {
  const eio = engine(which);
  const httpServer = http.createServer(handler);
  const server = eio.attach(httpServer, { ...opts, ...(attachOpts || {}) });
  const port = await listenLocal(httpServer);
  return handle(eio, server, httpServer, port);
}

/** A request listener answering 404 to everything: requests outside the engine's path get an answer instead of hanging. */
function notFound(req, res) {
  res.writeHead(404, { 'Content-Length': '0' });
  res.end();
}

/** startServer() with heartbeats far away unless `opts` says otherwise, so payloads hold only what a test sends. */
function quietServer(opts = {}, attachOpts, extras) {
  return startServer({ pingInterval: 10000, pingTimeout: 5000, ...opts }, attachOpts, extras);
}

/**
 * Runs `fn(srv, clients)` with a quietServer(opts, attachOpts); afterwards closes every client the
 * test put in `clients`, then the server, whether `fn` passed or threw.
 */
async function withServer(opts, fn, attachOpts) {
  const srv = await quietServer(opts, attachOpts);
  const clients = [];
  try {
    await fn(srv, clients);
  } finally {
    for (const c of clients) c.close();
    await srv.close();
  }
}

/**
 * Closes a test server whose polling sessions have no GET pending. A polling transport can only
 * deliver its close packet on a GET, and a server may wait for one (the official waits up to 30 s,
 * with a live timer); so poll each session once after `close()`, then shut the HTTP server.
 */
async function closeWithPolls(srv) {
  const { request } = require('./index');
  const sessions = Object.values(srv.server.clients).filter((s) => s.transport && s.transport.name === 'polling');
  srv.server.close();
  await Promise.all(
    sessions.map((s) =>
      request(srv.port, { path: `/engine.io/?${new URLSearchParams({ EIO: String(s.protocol), transport: 'polling', sid: s.id })}` }).catch(
        () => null,
      ),
    ),
  );
  await closeHttpServer(srv.httpServer);
}

/**
 * Runs `fn(srv)` with a server that accepts v3 clients (allowEIO3), heartbeats 10 s away unless
 * `opts` says otherwise; afterwards closes it with closeWithPolls(), whether `fn` passed or threw.
 */
async function withV3Server(opts, fn, attachOpts) {
  const srv = await startServer({ allowEIO3: true, pingInterval: 10000, pingTimeout: 10000, ...opts }, attachOpts);
  try {
    await fn(srv);
  } finally {
    await closeWithPolls(srv);
  }
}

/**
 * `eio.listen(0, opts)` and the http.Server it created (the README's form A). The http.Server is
 * captured while `listen` runs, so this does not rely on any non-README property of the engine.
 * With `opts` undefined, calls `eio.listen(0, callback)` (no options argument at all).
 */
async function listenServer(opts, { eio: which } = {}) {
  const eio = engine(which);
  let httpServer = null;
  const original = http.Server.prototype.listen;
  http.Server.prototype.listen = function (...args) {
    httpServer = this;
    return original.apply(this, args);
  };
  let server;
  const listening = new Promise((resolve) => {
    try {
      server = opts === undefined ? eio.listen(0, resolve) : eio.listen(0, opts, resolve);
    } finally {
      http.Server.prototype.listen = original;
    }
  });
  await listening;
  const port = httpServer.address().port;
  return handle(eio, server, httpServer, port);
}

/**
 * The hardening suites' server (ours or the official one): its sockets echo every message back;
 * `srv.connectionErrors` collects 'connection_error's and `srv.closes` every { id, reason } of a
 * closing session. Short heartbeats and v3 allowed unless overridden. `fallback: true` adds the
 * notFound() application handler (requests outside the engine path get a 404).
 */
async function startEchoServer(opts = {}, attachOpts, { fallback = false, eio } = {}) {
  const full = { pingInterval: 300, pingTimeout: 200, allowEIO3: true, ...opts };
  const srv = await startServer(full, attachOpts, { eio, handler: fallback ? notFound : undefined });
  srv.connectionErrors = [];
  srv.closes = [];
  srv.server.on('connection_error', (e) => srv.connectionErrors.push(e));
  srv.server.on('connection', (socket) => {
    socket.on('message', (data) => socket.send(data));
    socket.on('close', (reason) => srv.closes.push({ id: socket.id, reason }));
  });
  return srv;
}

/**
 * The fixture of a suite that shares one echo server (and, unless `bystanderOpts` is null, one
 * bystander from ./hardening) across all its tests: both start in node:test's `before` and close
 * in `after`; after each test nothing escaped, the bystander still echoes and the server holds
 * only the bystander's sessions. `onReady(srv, by)` hands them to the file once started.
 */
function shareEchoServer({ opts, attachOpts, bystanderOpts = {} } = {}, onReady) {
  const nodeTest = require('node:test');
  const H = require('./hardening');
  let srv = null;
  let by = null;
  nodeTest.before(async () => {
    srv = await startEchoServer(opts, attachOpts);
    if (bystanderOpts) by = await H.bystander(srv.url, bystanderOpts);
    onReady(srv, by);
  });
  nodeTest.after(async () => {
    by?.close();
    await srv.close();
  });
  nodeTest.afterEach(async () => {
    H.assertNothingEscaped();
    if (by) await by.check();
    await H.settleSessions(srv.server, by ? by.size : 0);
  });
}

/**
 * The official `socket.io@4` server bound (io.bind) to an Engine.IO server — ours, or the
 * official one with ENGINE=official — attached at /socket.io/ (an https.Server when
 * `extras.tls` holds { key, cert }). `opts` go to the engine (pingInterval, allowEIO3, ...): in
 * bind mode socket.io passes nothing to the engine, so that is where they belong; `extras.io`
 * goes to the socket.io Server. The handle adds `io` and tracked official clients
 * (client, clientV2, connect, connectPair, connectV2) that close() closes first.
 */
async function startIo(opts = {}, attachOpts, { io: ioOpts = {}, tls, eio: which } = {}) {
  const { Server } = require('socket.io');
  const ioc = require('socket.io-client');
  const iocV2 = require('socket.io-client-v2');
  const { connected } = require('./socketio');
  const eio = engine(which);
  const httpServer = tls ? https.createServer(tls) : http.createServer();
  const engineServer = new eio.Server({ ...opts });
  engineServer.attach(httpServer, { path: SIO_PATH, ...(attachOpts || {}) });
  const io = new Server({ serveClient: false, ...ioOpts });
  io.bind(engineServer);
  const port = await listenLocal(httpServer);
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const clients = new Set();
  let closed = false;

  /** An official socket.io-client@4 socket on namespace `nsp` (at `base`, default this server); no reconnection, own Manager. */
  function client(nsp = '/', clientOpts = {}, base = url) {
    const c = ioc(base + nsp, { reconnection: false, forceNew: true, ...clientOpts });
    clients.add(c);
    return c;
  }

  /** An official socket.io-client@2 socket (Engine.IO protocol v3). */
  function clientV2(nsp = '/', clientOpts = {}, base = url) {
    const c = iocV2(base + nsp, { reconnection: false, forceNew: true, ...clientOpts });
    clients.add(c);
    return c;
  }

  async function connect(nsp, clientOpts, base) {
    const c = client(nsp, clientOpts, base);
    await connected(c);
    return c;
  }

  /** connect('/', opts, base) and the server-side socket that connection made: resolves { c, socket }. */
  async function connectPair(clientOpts, base) {
    const conn = once(io, 'connection');
    const c = await connect('/', clientOpts, base);
    const [socket] = await conn;
    return { c, socket };
  }

  async function connectV2(nsp, clientOpts, base) {
    const c = clientV2(nsp, clientOpts, base);
    await connected(c);
    return c;
  }

  return {
    eio,
    io,
    server: engineServer,
    engine: engineServer,
    httpServer,
    port,
    url,
    client,
    clientV2,
    connect,
    connectPair,
    connectV2,
    async close() {
      for (const c of clients) c.close();
      clients.clear();
      if (!closed) {
        closed = true;
        await io.close();
      }
      await closeHttpServer(httpServer);
    },
  };
}

/**
 * A fake Engine.IO server for the client tests: it answers the polling handshake and then never
 * shows life again: no ping (v4), no pong (v3). GETs after the handshake are held open; POSTs
 * are acknowledged. Resolves { port, url, close() }.
 */
async function silentServer(protocol, { pingInterval = 100, pingTimeout = 100 } = {}) {
  const held = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    req.resume();
    if (req.method === 'POST') {
      req.on('end', () => res.end('ok'));
      return;
    }
    if (url.searchParams.get('sid')) {
      held.push(res);
      return;
    }
    const open = '0' + JSON.stringify({ sid: 'silent', upgrades: [], pingInterval, pingTimeout, maxPayload: 1e6 });
    res.setHeader('Content-Type', 'text/plain; charset=UTF-8');
    res.end(protocol === 3 ? open.length + ':' + open : open);
  });
  const port = await listenLocal(server);
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const res of held) res.destroy();
      await closeHttpServer(server);
    },
  };
}

module.exports = {
  SIO_PATH,
  engine,
  listenLocal,
  closeHttpServer,
  startServer,
  notFound,
  quietServer,
  withServer,
  withV3Server,
  closeWithPolls,
  listenServer,
  startEchoServer,
  shareEchoServer,
  startIo,
  silentServer,
};
