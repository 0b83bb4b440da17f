'use strict';
// Helpers for the Socket.IO tests: the official `socket.io@4` server bound (io.bind) to an
// Engine.IO server — ours, or the official one with ENGINE=official — plus tracked
// official clients so every test can close everything it opened.
const http = require('node:http');
const https = require('node:https');
const net = require('node:net');
const { once } = require('node:events');
const { Server } = require('socket.io');
const ioc = require('socket.io-client');
const iocV2 = require('socket.io-client-v2');
const { engine, collect, listenLocal, closeHttpServer } = require('./index');

const SIO_PATH = '/socket.io/';

/**
 * Starts an http.Server on 127.0.0.1 with an Engine.IO server attached at /socket.io/ and a
 * socket.io Server bound to it (an https.Server when `tls` holds { key, cert }). `engineOpts` go to the engine (pingInterval, allowEIO3, ...):
 * in bind mode socket.io passes nothing to the engine, so that is where they belong.
 */
async function startIo({ io: ioOpts = {}, engine: engineOpts = {}, tls } = {}) {
  const eio = engine();
  const httpServer = tls ? https.createServer(tls) : http.createServer();
  const engineServer = new eio.Server({ ...engineOpts });
  engineServer.attach(httpServer, { path: SIO_PATH });
  const io = new Server({ serveClient: false, ...ioOpts });
  io.bind(engineServer);
  const port = await listenLocal(httpServer);
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const clients = new Set();
  let closed = false;

  /** An official socket.io-client@4 socket on namespace `nsp` (at `base`, default this server); no reconnection, own Manager. */
  function client(nsp = '/', opts = {}, base = url) {
    const c = ioc(base + nsp, { reconnection: false, forceNew: true, ...opts });
    clients.add(c);
    return c;
  }

  /** An official socket.io-client@2 socket (Engine.IO protocol v3). */
  function clientV2(nsp = '/', opts = {}, base = url) {
    const c = iocV2(base + nsp, { reconnection: false, forceNew: true, ...opts });
    clients.add(c);
    return c;
  }

  async function connect(nsp, opts, base) {
    const c = client(nsp, opts, base);
    await connected(c);
    return c;
  }

  /** connect('/', opts, base) and the server-side socket that connection made: resolves { c, socket }. */
  async function connectPair(opts, base) {
    const conn = once(io, 'connection');
    const c = await connect('/', opts, base);
    const [socket] = await conn;
    return { c, socket };
  }

  async function connectV2(nsp, opts, base) {
    const c = clientV2(nsp, opts, base);
    await connected(c);
    return c;
  }

  return {
    eio,
    io,
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

/** Resolves when the client socket connects; rejects on connect_error / error or after `ms`. */
function connected(c, ms = 5000) {
  if (c.connected) return Promise.resolve(c);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error('timed out waiting for connect')), ms);
    function finish(err) {
      clearTimeout(timer);
      c.off('connect', onConnect);
      c.off('connect_error', onError);
      c.off('error', onError);
      if (err) reject(err);
      else resolve(c);
    }
    function onConnect() {
      finish();
    }
    function onError(err) {
      finish(err instanceof Error ? err : new Error(String(err)));
    }
    c.on('connect', onConnect);
    c.on('connect_error', onError);
    c.on('error', onError); // socket.io-client@2 reports namespace refusals as 'error'
  });
}

/**
 * A TCP relay between clients and `targetPort` that can be cut silently: `blackhole()` stops
 * forwarding in both directions without closing anything, like a dead network path, so only
 * heartbeats can notice; `kill()` destroys every relayed connection at once.
 */
async function relay(targetPort) {
  const pairs = new Set();
  let dropping = false;
  const server = net.createServer((inbound) => {
    const outbound = net.connect(targetPort, '127.0.0.1');
    const pair = { inbound, outbound };
    pairs.add(pair);
    inbound.on('data', (d) => {
      if (!dropping) outbound.write(d);
    });
    outbound.on('data', (d) => {
      if (!dropping) inbound.write(d);
    });
    const end = () => {
      pairs.delete(pair);
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('close', end);
    outbound.on('close', end);
    inbound.on('error', () => {});
    outbound.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: server.address().port,
    get url() {
      return `http://127.0.0.1:${server.address().port}`;
    },
    blackhole() {
      dropping = true;
    },
    kill() {
      for (const { inbound, outbound } of pairs) {
        inbound.destroy();
        outbound.destroy();
      }
      pairs.clear();
    },
    async close() {
      this.kill();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A throwaway self-signed certificate for 127.0.0.1 (openssl), or null if openssl is missing. */
function selfSignedCert() {
  const { execFileSync } = require('node:child_process');
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sio-tls-'));
  try {
    execFileSync(
      'openssl',
      // the IP address as a subjectAltName too, so that a client can trust it by `ca` alone
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')],
      { stdio: 'ignore' },
    );
    return { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) };
  } catch {
    return null;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { startIo, connected, collect, relay, selfSignedCert, SIO_PATH };
