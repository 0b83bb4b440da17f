'use strict';
// Helpers for the client tests: an Engine.IO server of either implementation on 127.0.0.1, a
// port with nobody listening, and a fake server that handshakes and then goes silent.
const http = require('node:http');
const { attachEngine, listenLocal, closeHttpServer, collect, waitFor } = require('./index');

const ENGINES = ['official', 'ours'];

function serverModule(kind) {
  return kind === 'official' ? require('engine.io') : require('engine.io-ts');
}

/** An http server on 127.0.0.1 with `kind`'s engine attached (v3 clients allowed). */
async function startEngine(kind, opts = {}) {
  const srv = await attachEngine(serverModule(kind), { allowEIO3: true, ...opts });
  return { ...srv, engine: srv.server };
}

/** A port on 127.0.0.1 that nothing listens on (just closed). */
async function deadPort() {
  const server = http.createServer();
  const port = await listenLocal(server);
  await closeHttpServer(server);
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

// `next(emitter, event, ms)`: the arguments of the next `event` (the suites' name for waitFor).
module.exports = { ENGINES, startEngine, deadPort, silentServer, collect, next: waitFor };
