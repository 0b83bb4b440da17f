'use strict';
// Helpers for the protocol v4 server tests: hand-made polling requests, a `ws` peer with a
// frame queue, a raw TCP upgrade request (to see exactly what a refused upgrade gets), and the
// official engine.io-client@6 opened and awaited.
const net = require('node:net');
const crypto = require('node:crypto');
const { once } = require('node:events');
const { WebSocket } = require('ws');
const nodeTest = require('node:test');
const assert = require('node:assert/strict');
const { request: requestOnce, collect, asBuffer, waitFor } = require('./index');
const servers = require('./servers');

/**
 * One raw HTTP request, as `request()` in ./index.js ({status, headers, body, text}), but failing
 * after `ms` instead of waiting forever for a server that never answers.
 */
function request(port, opts, ms = 5000) {
  return requestOnce(port, opts, ms);
}

const official = process.env.ENGINE === 'official';
const PATH = '/engine.io/';
/** The v4 polling payload separator. */
const RS = '\x1e';

function qs(params) {
  return new URLSearchParams(params).toString();
}

function url(sid, extra = {}, path = PATH) {
  const params = { EIO: '4', transport: 'polling', ...extra };
  if (sid) params.sid = sid;
  return `${path}?${qs(params)}`;
}

/** A v4 polling handshake. Resolves { res, sid, open, packets }; throws unless it succeeded. */
async function handshake(port, extra = {}, headers = {}, path = PATH) {
  const res = await request(port, { path: url(null, extra, path), headers });
  if (res.status !== 200) throw new Error(`handshake failed: ${res.status} ${res.text}`);
  const packets = res.text.split(RS);
  if (packets[0][0] !== '0') throw new Error(`no open packet: ${JSON.stringify(res.text)}`);
  return { res, sid: JSON.parse(packets[0].slice(1)).sid, open: JSON.parse(packets[0].slice(1)), packets };
}

/** GET on the session: resolves the raw response ({status, headers, body, text}). */
function poll(port, sid, extra = {}, headers = {}) {
  return request(port, { path: url(sid, extra), headers });
}

/** POST a payload on the session. */
function post(port, sid, body, contentType = 'text/plain;charset=UTF-8', extra = {}) {
  const headers = { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) };
  return request(port, { method: 'POST', path: url(sid, extra), headers, body });
}

/** Parses a JSON error body, failing with the raw text when it isn't JSON. */
function errorBody(res) {
  try {
    return JSON.parse(res.text);
  } catch {
    throw new Error(`not a JSON body (status ${res.status}): ${JSON.stringify(res.text)}`);
  }
}

/**
 * A `ws` client with a queue of received frames (strings for text frames, Buffers for binary).
 * `next(ms)` resolves the next frame; `closed` resolves { code } once the connection closes.
 */
class WsPeer {
  constructor(ws) {
    this.ws = ws;
    this.frames = [];
    this.waiters = [];
    this.isClosed = false;
    ws.on('message', (data, isBinary) => {
      const frame = isBinary ? Buffer.from(data) : data.toString();
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(frame);
      else this.frames.push(frame);
    });
    ws.on('error', () => {}); // failures show as 'close' (or a missing frame) in the assertions
    this.closed = new Promise((resolve) => {
      ws.once('close', (code) => {
        this.isClosed = true;
        for (const w of this.waiters.splice(0)) w.reject(new Error('websocket closed while waiting for a frame'));
        resolve({ code });
      });
    });
  }

  next(ms = 3000) {
    if (this.frames.length) return Promise.resolve(this.frames.shift());
    if (this.isClosed) return Promise.reject(new Error('websocket closed while waiting for a frame'));
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error('timed out waiting for a websocket frame'));
      }, ms);
      this.waiters.push(waiter);
    });
  }

  /** Skips pings (answering them) until a frame that isn't a ping arrives. */
  async nextNonPing(ms = 3000) {
    for (;;) {
      const f = await this.next(ms);
      if (f === '2') {
        this.send('3');
        continue;
      }
      return f;
    }
  }

  send(data) {
    this.ws.send(data);
  }

  close() {
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) this.ws.close();
    return this.closed;
  }

  terminate() {
    this.ws.terminate();
    return this.closed;
  }
}

/**
 * Opens a WebSocket on the engine path. Resolves a WsPeer once open; rejects with
 * err.status set when the server answers the upgrade with an HTTP response instead.
 */
function wsConnect(port, { sid, extra = {}, path = PATH, headers = {} } = {}) {
  const params = { EIO: '4', transport: 'websocket', ...extra };
  if (sid) params.sid = sid;
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}?${qs(params)}`, { headers });
  const peer = new WsPeer(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(peer));
    ws.once('unexpected-response', (req, res) => {
      const err = new Error(`upgrade refused: ${res.statusCode}`);
      err.status = res.statusCode;
      res.resume();
      req.destroy();
      reject(err);
    });
    ws.once('close', () => reject(new Error('websocket closed before opening')));
  });
}

/** Opens a WebSocket session (no sid) and returns { peer, open } after reading the open packet. */
async function wsHandshake(port, opts = {}) {
  const peer = await wsConnect(port, opts);
  const first = await peer.next();
  if (typeof first !== 'string' || first[0] !== '0') throw new Error(`no open packet: ${first}`);
  return { peer, open: JSON.parse(first.slice(1)) };
}

/**
 * Sends a WebSocket upgrade request on a raw TCP socket. Resolves { socket, text(), closed }:
 * `text()` is what the server wrote so far, `closed` resolves when the connection ends.
 */
async function rawUpgrade(port, path, extraHeaders = {}) {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const chunks = [];
  socket.on('data', (c) => chunks.push(c));
  socket.on('error', () => {});
  const closed = new Promise((resolve) => socket.once('close', resolve));
  const headers = {
    Host: `127.0.0.1:${port}`,
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': crypto.randomBytes(16).toString('base64'),
    ...extraHeaders,
  };
  let head = `GET ${path} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  socket.write(head + '\r\n');
  return { socket, closed, text: () => Buffer.concat(chunks).toString('latin1') };
}

/** Waits until `predicate()` is true, checking every few ms; fails after `ms`. */
async function until(predicate, ms = 3000, what = 'condition') {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * The official engine.io-client@6, opened. Rejects if it errors or doesn't open in time.
 * `client.received` lists every message received since the client was created.
 */
async function openClient(baseUrl, opts = {}, ms = 5000) {
  const { Socket } = require('engine.io-client');
  const client = new Socket(baseUrl, opts);
  // everything received from the start: messages may arrive in the same tick as 'open'
  client.received = [];
  client.on('message', (m) => client.received.push(m));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.close();
      reject(new Error('client did not open in time'));
    }, ms);
    client.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    client.once('error', (err) => {
      clearTimeout(timer);
      reject(err instanceof Error ? err : new Error(`client error: ${JSON.stringify(err)}`));
    });
  });
  return client;
}

/** A polling session opened by hand: its sid, its open packet and the server-side socket. */
async function pollingSession(srv, extra) {
  const conn = waitFor(srv.server, 'connection');
  const { sid, open } = await handshake(srv.port, extra);
  const [socket] = await conn;
  return { sid, open, socket };
}

/** A WebSocket session opened by hand: the ws peer, its open packet and the server-side socket. */
async function wsSession(srv) {
  const conn = waitFor(srv.server, 'connection');
  const { peer, open } = await wsHandshake(srv.port);
  const [socket] = await conn;
  return { peer, open, socket };
}

/** The probe of an upgrade: `2probe` on the peer, which must be answered `3probe`. */
async function probe(peer) {
  peer.send('2probe');
  assert.equal(await peer.next(), '3probe');
}

/** The end of an upgrade: `5` on the peer; resolves once the server-side `socket` switched. */
async function completeUpgrade(peer, socket) {
  const upgraded = waitFor(socket, 'upgrade');
  peer.send('5');
  await upgraded;
}

/** Upgrades a polling session to WebSocket by hand; resolves the ws peer once the server switched. */
async function upgradeByHand(srv, sid, socket) {
  const peer = await wsConnect(srv.port, { sid });
  await probe(peer);
  await completeUpgrade(peer, socket);
  return peer;
}

/** An Engine.IO error answer: `status`, a JSON body, exactly { code, message }. */
function assertError(res, code, message, status = 400) {
  assert.equal(res.status, status, `status for code ${code}: ${res.text}`);
  assert.match(res.headers['content-type'], /^application\/json/);
  assert.deepEqual(errorBody(res), { code, message });
}

/**
 * A closed polling session: a GET for it is refused as unknown (code 1), or, if the server still
 * owes the client the close packet, answered with it once, after which the sid is unknown.
 */
async function assertSessionGone(port, sid) {
  const res = await poll(port, sid);
  if (res.status === 200) {
    const packets = res.text.split(RS);
    assert.equal(packets[packets.length - 1], '1', `a closed session answers a poll with ${JSON.stringify(res.text)}`);
    assert.ok(packets.slice(0, -1).every((p) => p === '6'), `only noops before the close packet: ${JSON.stringify(res.text)}`);
    assertError(await poll(port, sid), 1, 'Session ID unknown');
  } else {
    assertError(res, 1, 'Session ID unknown');
  }
  assertError(await post(port, sid, '4too late'), 1, 'Session ID unknown');
}

/**
 * node:test's `test` with a default timeout, so that a server that never answers fails the test
 * instead of hanging the file.
 */
function testWithTimeout(name, opts, fn) {
  if (typeof opts === 'function') {
    fn = opts;
    opts = {};
  }
  return nodeTest(name, { timeout: 20000, ...opts }, fn);
}

module.exports = {
  request,
  testWithTimeout,
  official,
  PATH,
  RS,
  qs,
  url,
  handshake,
  poll,
  post,
  errorBody,
  WsPeer,
  wsConnect,
  wsHandshake,
  rawUpgrade,
  collect,
  until,
  asBuffer,
  openClient,
  pollingSession,
  wsSession,
  probe,
  completeUpgrade,
  upgradeByHand,
  assertError,
  assertSessionGone,
  /** @deprecated use ./servers listenServer(opts, { eio }) */ listenEngine: (eio, opts) => servers.listenServer(opts, { eio }),
  /** @deprecated use ./servers quietServer() */ quietServer: servers.quietServer,
  /** @deprecated use ./servers withServer() */ withServer: servers.withServer,
};
