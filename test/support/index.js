'use strict';
// Shared helpers for the tests: real sockets on 127.0.0.1, ephemeral ports.
// Servers are started by ./servers.js (startServer, withServer, startIo, ...).
const http = require('node:http');
const servers = require('./servers');

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
  request,
  waitFor,
  collect,
  asBuffer,
  sleep,
  /** @deprecated use ./servers engine() */ engine: servers.engine,
  /** @deprecated use ./servers startServer() */ startServer: servers.startServer,
  /** @deprecated use ./servers startServer(opts, undefined, { eio, handler }) */ attachEngine: (eio, opts, handler) => servers.startServer(opts, undefined, { eio, handler }),
  /** @deprecated use ./servers listenLocal() */ listenLocal: servers.listenLocal,
  /** @deprecated use ./servers closeHttpServer() */ closeHttpServer: servers.closeHttpServer,
};
