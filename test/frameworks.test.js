'use strict';
// The recipes of the README's "Frameworks" section, over real sockets: the engine attached, and
// socket.io@4 bound to it (io.bind), beside Express 5, Fastify 5, Koa, Hono on @hono/node-server
// and a plain node:https server. In each, the framework's own routes (and its 404) still answer
// beside /socket.io/, a socket.io client connects and upgrades to WebSocket, and the engine's
// use() runs the framework's usual middleware: helmet everywhere (its headers on the polling
// handshake), and Express's session shared between the app and the engine.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const https = require('node:https');
const { once } = require('node:events');
const { Server: IO } = require('socket.io');
const ioc = require('socket.io-client');
const eioClient = require('engine.io-ts/client');
const { request } = require('./support/index');
const { listenLocal, closeHttpServer } = require('./support/servers');
const { connected, selfSignedCert } = require('./support/socketio');
const { Server: Engine } = require('engine.io-ts');

const helmet = require('helmet').default;

/** The engine at /socket.io/ on `httpServer` with helmet, and socket.io bound to it. */
function engineAndIo(httpServer, ...middlewares) {
  const engine = new Engine();
  engine.attach(httpServer, { path: '/socket.io/' });
  engine.use(helmet());
  for (const m of middlewares) engine.use(m);
  const io = new IO();
  io.bind(engine);
  // an echo with acknowledgement, and what the session says
  io.on('connection', (socket) => {
    socket.on('echo', (msg, ack) => ack({ msg, transport: socket.conn.transport.name }));
    socket.on('session', (ack) => ack(socket.request.session ? socket.request.session.views : null));
  });
  return { engine, io };
}

/** A GET on 127.0.0.1 over http, or https trusting `ca`. */
function get(port, path, { ca, headers } = {}) {
  if (!ca) return request(port, { path, headers });
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path, headers, ca, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** What every recipe must do; `ca` for TLS. */
async function checkRecipe({ port, name, ca, url = `${ca ? 'https' : 'http'}://127.0.0.1:${port}` }) {
  const route = await get(port, '/hello', { ca });
  assert.equal(route.status, 200);
  assert.equal(route.text, `hello from ${name}`);
  const missing = await get(port, '/no-such-page', { ca });
  assert.equal(missing.status, 404, 'the framework answers what is neither its route nor the engine');

  // the engine's handshake, with helmet's headers from engine.use()
  const handshake = await get(port, '/socket.io/?EIO=4&transport=polling', { ca });
  assert.equal(handshake.status, 200, handshake.text);
  assert.match(handshake.text, /^0\{"sid":/);
  assert.equal(handshake.headers['x-content-type-options'], 'nosniff');
  assert.ok(handshake.headers['content-security-policy'], 'helmet sets a Content-Security-Policy');

  // socket.io: polling, then the upgrade to WebSocket, then an acknowledged echo
  const c = ioc(url, { reconnection: false, forceNew: true, ca });
  try {
    await connected(c, 10000);
    if (c.io.engine.transport.name !== 'websocket') await once(c.io.engine, 'upgrade');
    const reply = await c.timeout(10000).emitWithAck('echo', `over ${name}`);
    assert.deepEqual(reply, { msg: `over ${name}`, transport: 'websocket' });
  } finally {
    c.close();
  }
}

test('Express 5: routes beside the engine; helmet and the app session shared with socket.io through engine.use()', async () => {
  const express = require('express');
  const session = require('express-session');
  const sessionMiddleware = session({ secret: 'test secret', resave: false, saveUninitialized: true });
  const app = express();
  app.use(helmet());
  app.use(sessionMiddleware);
  app.get('/hello', (req, res) => res.send('hello from express'));
  app.get('/visit', (req, res) => {
    req.session.views = (req.session.views || 0) + 1;
    res.send(String(req.session.views));
  });
  const httpServer = http.createServer(app);
  const { io } = engineAndIo(httpServer, sessionMiddleware);
  const port = await listenLocal(httpServer);
  try {
    await checkRecipe({ port, name: 'express' });

    // the session middleware answers the engine's polling handshake too
    const handshake = await request(port, { path: '/socket.io/?EIO=4&transport=polling' });
    const cookies = handshake.headers['set-cookie'] || [];
    assert.ok(cookies.some((c) => c.startsWith('connect.sid=')), `no session cookie in ${cookies}`);

    // a session started on an Express route is the one socket.io's handshake request carries
    const visit = await request(port, { path: '/visit' });
    assert.equal(visit.text, '1');
    const cookie = String(visit.headers['set-cookie']).split(';')[0];
    const c = ioc(`http://127.0.0.1:${port}`, { reconnection: false, forceNew: true, extraHeaders: { cookie } });
    try {
      await connected(c, 10000);
      assert.equal(await c.timeout(10000).emitWithAck('session'), 1);
    } finally {
      c.close();
    }
    // and so does a WebSocket-only connection (the middleware runs on the upgrade request)
    const ws = ioc(`http://127.0.0.1:${port}`, { reconnection: false, forceNew: true, transports: ['websocket'], extraHeaders: { cookie } });
    try {
      await connected(ws, 10000);
      assert.equal(await ws.timeout(10000).emitWithAck('session'), 1);
    } finally {
      ws.close();
    }
  } finally {
    await io.close();
    await closeHttpServer(httpServer);
  }
});

test('Fastify 5: the engine on fastify.server, its routes and 404 untouched', async () => {
  const Fastify = require('fastify');
  const app = Fastify();
  app.get('/hello', async () => 'hello from fastify');
  await app.ready();
  const { io } = engineAndIo(app.server);
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    await checkRecipe({ port: app.server.address().port, name: 'fastify' });
  } finally {
    await io.close();
    await app.close();
  }
});

test('Koa: the engine on http.createServer(app.callback())', async () => {
  const Koa = require('koa');
  const app = new Koa();
  app.use(async (ctx, next) => {
    if (ctx.path === '/hello') ctx.body = 'hello from koa';
    else await next();
  });
  const httpServer = http.createServer(app.callback());
  const { io } = engineAndIo(httpServer);
  const port = await listenLocal(httpServer);
  try {
    await checkRecipe({ port, name: 'koa' });
  } finally {
    await io.close();
    await closeHttpServer(httpServer);
  }
});

test('Hono on @hono/node-server: the engine on the server serve() returns', async () => {
  const { Hono } = require('hono');
  const { serve } = require('@hono/node-server');
  const app = new Hono();
  app.get('/hello', (c) => c.text('hello from hono'));
  const httpServer = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  const { io } = engineAndIo(httpServer);
  if (!httpServer.listening) await once(httpServer, 'listening');
  try {
    await checkRecipe({ port: httpServer.address().port, name: 'hono' });
  } finally {
    await io.close();
    await closeHttpServer(httpServer);
  }
});

const tls = selfSignedCert();

test('node:https with TLS: socket.io and the engine.io-ts client trust the certificate by `ca`', { skip: !tls && 'the openssl CLI is not available' }, async () => {
  const httpsServer = https.createServer(tls, (req, res) => {
    if (req.url === '/hello') res.end('hello from https');
    else {
      res.writeHead(404);
      res.end();
    }
  });
  const { io, engine } = engineAndIo(httpsServer);
  const port = await listenLocal(httpsServer);
  try {
    await checkRecipe({ port, name: 'https', ca: tls.cert });

    // our own client: polling over https, then wss
    const socket = eioClient(`https://127.0.0.1:${port}`, { path: '/socket.io/', ca: tls.cert });
    try {
      const [[serverSocket]] = await Promise.all([once(engine, 'connection'), once(socket, 'open')]);
      if (socket.transport.name !== 'websocket') await once(socket, 'upgrade');
      assert.equal(socket.transport.name, 'websocket');
      assert.equal(serverSocket.request.socket.encrypted, true);
      // the TLS socket under the WebSocket gets the quiet end() of ws-internals.ts too, and closes as it should
      if (serverSocket.transport.name !== 'websocket') await once(serverSocket, 'upgrade');
      const tlsSocket = serverSocket.transport.socket._socket;
      assert.equal(tlsSocket.encrypted, true);
      assert.ok(Object.hasOwn(tlsSocket, 'end'));
      const closed = once(serverSocket, 'close');
      socket.close();
      assert.equal((await closed)[0], 'transport close');
      if (!tlsSocket.closed) await once(tlsSocket, 'close');
      assert.equal(tlsSocket.end(), tlsSocket);
    } finally {
      socket.close();
    }

    // and without the certificate, the client refuses the server
    const untrusting = eioClient(`https://127.0.0.1:${port}`, { path: '/socket.io/', transports: ['polling'] });
    const [err] = await once(untrusting, 'error');
    assert.match(String(err.description && (err.description.code || err.description.message)), /SELF_SIGNED|self.signed|certificate/i);
    untrusting.close();
  } finally {
    await io.close();
    await closeHttpServer(httpsServer);
  }
});
