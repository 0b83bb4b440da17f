'use strict';
// Helpers for the client tests: an Engine.IO server of either implementation on 127.0.0.1, a
// port with nobody listening, and a fake server that handshakes and then goes silent.
const http = require('node:http');
const { once } = require('node:events');

const ENGINES = ['official', 'ours'];

function serverModule(kind) {
  return kind === 'official' ? require('engine.io') : require('engine.io-ts');
}

/** An http server on 127.0.0.1 with `kind`'s engine attached (v3 clients allowed). */
async function startEngine(kind, opts = {}) {
  const httpServer = http.createServer();
  const engine = serverModule(kind).attach(httpServer, { allowEIO3: true, ...opts });
  httpServer.listen(0, '127.0.0.1');
  await once(httpServer, 'listening');
  const port = httpServer.address().port;
  return {
    engine,
    httpServer,
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      engine.close();
      httpServer.closeAllConnections();
      await new Promise((resolve) => httpServer.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (just closed). */
async function deadPort() {
  const server = http.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = server.address().port;
  await new Promise((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A server that answers the polling handshake and then never shows life again: no ping (v4),
 * no pong (v3). GETs after the handshake are held open; POSTs are acknowledged.
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
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = server.address().port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Resolves with the first `n` emissions of `event` (each as its first argument). */
function collect(emitter, event, n, ms = 5000) {
  return new Promise((resolve, reject) => {
    const out = [];
    const timer = setTimeout(() => reject(new Error(`got ${out.length}/${n} '${event}'`)), ms);
    const onEvent = (value) => {
      out.push(value);
      if (out.length === n) {
        clearTimeout(timer);
        emitter.off(event, onEvent);
        resolve(out);
      }
    };
    emitter.on(event, onEvent);
  });
}

/** Resolves with the arguments of the next `event`. */
function next(emitter, event, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for '${event}'`)), ms);
    emitter.once(event, (...args) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}

module.exports = { ENGINES, startEngine, deadPort, silentServer, collect, next };
