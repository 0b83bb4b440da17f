'use strict';
// Shared helpers for the tests: real sockets on 127.0.0.1, ephemeral ports.
//
// ENGINE=official runs a test file against the official `engine.io` package instead of
// ours: a way to check that a test asserts the real protocol, not our reading of it.
const http = require('node:http');
const { once } = require('node:events');

function engine() {
  return process.env.ENGINE === 'official' ? require('engine.io') : require('engine.io-ts');
}

/** Starts `engine().listen(0, opts)` style: an http.Server on 127.0.0.1 with the engine attached. */
async function startServer(opts = {}, attachOpts) {
  const eio = engine();
  const httpServer = http.createServer();
  const server = eio.attach(httpServer, { ...opts, ...(attachOpts || {}) });
  httpServer.listen(0, '127.0.0.1');
  await once(httpServer, 'listening');
  const port = httpServer.address().port;
  return {
    eio,
    server,
    httpServer,
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.close();
      httpServer.closeAllConnections?.();
      await new Promise((resolve) => httpServer.close(() => resolve()));
    },
  };
}

/**
 * One raw HTTP request. Resolves { status, headers, body: Buffer, text }.
 * `body` may be a string or Buffer. No agent keep-alive, so nothing lingers.
 */
function request(port, { method = 'GET', path = '/', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        resolve({ status: res.statusCode, headers: res.headers, body: buf, text: buf.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

/** Waits for `emitter` to emit `event`, failing after `ms`. */
function waitFor(emitter, event, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off?.(event, onEvent);
      reject(new Error(`timed out waiting for '${event}'`));
    }, ms);
    function onEvent(...args) {
      clearTimeout(timer);
      resolve(args);
    }
    emitter.once(event, onEvent);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { engine, startServer, request, waitFor, sleep };
