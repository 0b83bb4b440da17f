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

/**
 * A new http.Server on 127.0.0.1 with the engine module `eio` attached. `requestListener`, when
 * given, is the application's own handler (it sees what the engine leaves alone).
 * `close()` closes the engine, then the http.Server with its connections.
 */
async function attachEngine(eio, opts, requestListener) {
  const httpServer = http.createServer(requestListener);
  const server = eio.attach(httpServer, opts);
  const port = await listenLocal(httpServer);
  return {
    eio,
    server,
    httpServer,
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.close();
      await closeHttpServer(httpServer);
    },
  };
}

/** Starts `engine().listen(0, opts)` style: an http.Server on 127.0.0.1 with the engine attached. */
function startServer(opts = {}, attachOpts) {
  return attachEngine(engine(), { ...opts, ...(attachOpts || {}) });
}

/**
 * One raw HTTP request. Resolves { status, headers, body: Buffer, text }.
 * `body` may be a string or Buffer. No agent keep-alive, so nothing lingers. With `ms`, fails
 * (and destroys the request) when no complete answer came within `ms`; without, waits as long as it takes.
 */
function request(port, { method = 'GET', path = '/', headers = {}, body } = {}, ms) {
  return new Promise((resolve, reject) => {
    let timer = null;
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        const buf = Buffer.concat(chunks);
        resolve({ status: res.statusCode, headers: res.headers, body: buf, text: buf.toString('utf8') });
      });
      res.on('error', reject);
    });
    if (ms !== undefined) {
      timer = setTimeout(() => {
        req.destroy();
        reject(new Error(`no answer to ${method} ${path} within ${ms} ms`));
      }, ms);
    }
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
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

/**
 * Resolves with the next `n` emissions of `event`, each as its first argument (with
 * `allArgs`, as the array of all its arguments); fails after `ms`, naming `label` if given.
 */
function collect(emitter, event, n, ms = 5000, { allArgs = false, label } = {}) {
  return new Promise((resolve, reject) => {
    const got = [];
    const timer = setTimeout(() => {
      emitter.off(event, onEvent);
      const who = label ? `${label}: ` : '';
      reject(new Error(`${who}timed out waiting for ${n} '${event}' (got ${got.length})`));
    }, ms);
    function onEvent(...args) {
      got.push(allArgs ? args : args[0]);
      if (got.length === n) {
        clearTimeout(timer);
        emitter.off(event, onEvent);
        resolve(got);
      }
    }
    emitter.on(event, onEvent);
  });
}

/** Binary data of any kind (Buffer, ArrayBuffer, view) as a Buffer, or null for strings. */
function asBuffer(data) {
  if (typeof data === 'string') return null;
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = {
  engine,
  startServer,
  attachEngine,
  listenLocal,
  closeHttpServer,
  request,
  waitFor,
  collect,
  asBuffer,
  sleep,
};
