'use strict';
// Helpers for the hardening suite: raw bytes over raw sockets, a bystander client that must keep
// echoing while hostile traffic runs, and the "nothing left behind" checks (sessions, open HTTP
// connections, handles, uncaught errors).
const net = require('node:net');
const crypto = require('node:crypto');
const { once } = require('node:events');
const WebSocket = require('ws');
const { request, sleep } = require('./index');
const servers = require('./servers');
const { parseV3StringPayload } = require('./v3util');

const official = process.env.ENGINE === 'official';
const PATH = '/engine.io/';

// ---------------------------------------------------------------------------------------------
// Crash detection. An error that escapes to the process (an 'error' event with no listener, a
// throw in a socket callback) would normally kill the test process; here it is recorded so the
// test that caused it fails with the error itself.

const escaped = [];
let guarding = false;
function guardProcess() {
  if (guarding) return escaped;
  guarding = true;
  process.on('uncaughtException', (err) => escaped.push(err));
  process.on('unhandledRejection', (err) => escaped.push(err));
  return escaped;
}

/** Throws if anything escaped to the process since the last call. */
function assertNothingEscaped() {
  if (escaped.length) {
    const errs = escaped.splice(0);
    const e = new Error(`errors escaped to the process: ${errs.map((x) => (x && x.stack) || String(x)).join('\n---\n')}`);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Sessions and connections left behind.

/** Resolves when the server holds exactly `n` sessions, fails after `ms`. */
async function settleSessions(server, n = 0, ms = 3000) {
  const deadline = Date.now() + ms;
  while (server.clientsCount !== n || Object.keys(server.clients).length !== n) {
    if (Date.now() > deadline) {
      throw new Error(`server still holds ${server.clientsCount} sessions (${Object.keys(server.clients).length} in clients), expected ${n}`);
    }
    await sleep(20);
  }
}

/** Number of open TCP connections on the http server. */
function connections(httpServer) {
  return new Promise((resolve, reject) => httpServer.getConnections((err, n) => (err ? reject(err) : resolve(n))));
}

/** Resolves when the http server holds at most `n` open connections, fails after `ms`. */
async function settleConnections(httpServer, n = 0, ms = 3000) {
  const deadline = Date.now() + ms;
  let c;
  while ((c = await connections(httpServer)) > n) {
    if (Date.now() > deadline) throw new Error(`http server still holds ${c} connections, expected at most ${n}`);
    await sleep(20);
  }
}

/** Counts of active resources by kind (TCPSocketWrap, Timeout, ...). */
function resources() {
  const counts = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] || 0) + 1;
  return counts;
}

// ---------------------------------------------------------------------------------------------
// Official clients.

function clientV4(url, opts = {}) {
  const { Socket } = require('engine.io-client');
  return new Socket(url, { transports: ['websocket'], ...opts });
}

function clientV3(url, opts = {}) {
  const { V3Socket } = require('./v3client');
  return new V3Socket(url, { transports: ['websocket'], ...opts });
}

function openClient(client, ms = 4000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => fail(new Error('client open timed out')), ms);
    function fail(err) {
      clearTimeout(t);
      client.off('open', ok);
      reject(err instanceof Error ? err : new Error(`client error: ${String(err && (err.message || err))}`));
    }
    function ok() {
      clearTimeout(t);
      client.off('error', fail);
      resolve(client);
    }
    client.once('open', ok);
    client.once('error', fail);
  });
}

/** Sends `msg` and resolves when the echo server sends the same string back. */
function echo(client, msg, ms = 4000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      client.off('message', onMsg);
      reject(new Error(`no echo of ${msg} within ${ms} ms`));
    }, ms);
    function onMsg(data) {
      if (data === msg) {
        clearTimeout(t);
        client.off('message', onMsg);
        resolve();
      }
    }
    client.on('message', onMsg);
    client.send(msg);
  });
}

/**
 * A bystander: a v4 WebSocket client and a v3 polling client, connected before the hostile traffic;
 * `check()` asserts both still echo. They count as `size` sessions on the server.
 */
async function bystander(url, { v3Transports = ['polling'] } = {}) {
  const a = await openClient(clientV4(url));
  const b = await openClient(clientV3(url, { transports: v3Transports }));
  let n = 0;
  const closed = [];
  a.on('close', (reason, desc) => closed.push(`v4 bystander closed: ${reason} ${desc && (desc.message || desc.description || '')}`));
  b.on('close', (reason, desc) => closed.push(`v3 bystander closed: ${reason} ${desc && (desc.message || desc.description || '')}`));
  return {
    size: 2,
    async check() {
      if (closed.length) throw new Error(closed.join('; '));
      n++;
      await echo(a, `bystander-v4-${n}`);
      await echo(b, `bystander-v3-${n}`);
    },
    close() {
      a.close();
      b.close();
    },
  };
}

/** Opens a fresh official client (v4 or v3, given transports), checks an echo, closes it. */
async function freshClientEchoes(url, protocol, transports) {
  const c = protocol === 3 ? clientV3(url, { transports }) : clientV4(url, { transports });
  try {
    await openClient(c);
    await echo(c, `fresh-${protocol}-${transports.join('+')}-${Math.random()}`);
  } finally {
    c.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP.

/**
 * Writes `chunks` (strings/Buffers, each a separate write) on a raw TCP connection and collects
 * everything the server sends until it closes the connection or `ms` passes.
 * Between writes it waits `gap` ms, or, when given, for `pause()` (e.g. one turn of the loop).
 * Resolves { data: Buffer, text, closed: boolean, error }.
 */
function rawExchange(port, chunks, { ms = 2000, end = false, gap = 0, pause = gap ? () => sleep(gap) : null } = {}) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const parts = [];
    let error = null;
    let done = false;
    const timer = setTimeout(() => finish(false), ms);
    function finish(closed) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ data: Buffer.concat(parts), text: Buffer.concat(parts).toString('latin1'), closed, error });
    }
    sock.on('data', (d) => parts.push(d));
    sock.on('error', (e) => {
      error = e;
    });
    sock.on('close', () => finish(true));
    sock.on('connect', async () => {
      for (const c of chunks) {
        if (sock.destroyed) break;
        sock.write(c);
        if (pause) await pause();
      }
      if (end && !sock.destroyed) sock.end();
    });
  });
}

/** Parses the status codes of every HTTP response found in a byte stream. */
function statusCodes(text) {
  const out = [];
  const re = /HTTP\/1\.1 (\d{3}) /g;
  let m;
  while ((m = re.exec(text))) out.push(Number(m[1]));
  return out;
}

/** Polling handshake; resolves { sid, packets (the rest of the first payload) }. */
async function pollHandshake(port, { eio = 4, query = '' } = {}) {
  const q = eio === 3 ? 'EIO=3&transport=polling&b64=1' : 'EIO=4&transport=polling';
  const res = await request(port, { path: `${PATH}?${q}${query}` });
  if (res.status !== 200) throw new Error(`handshake failed: ${res.status} ${res.text}`);
  const packets = eio === 3 ? parseV3StringPayload(res.text) : res.text.split('\x1e');
  const open = packets.shift();
  if (open[0] !== '0') throw new Error(`no open packet: ${res.text}`);
  return { sid: JSON.parse(open.slice(1)).sid, packets };
}

function pollPath(eio, sid, extra = '') {
  const q = eio === 3 ? 'EIO=3&transport=polling&b64=1' : 'EIO=4&transport=polling';
  return `${PATH}?${q}&sid=${encodeURIComponent(sid)}${extra}`;
}

/** Encodes packets as a polling payload of the given revision (string form). */
function payload(eio, packets) {
  return eio === 3 ? packets.map((p) => `${p.length}:${p}`).join('') : packets.join('\x1e');
}

/** Builds the bytes of one HTTP/1.1 request. */
function httpRequestBytes({ method = 'GET', path = '/', headers = {}, body } = {}) {
  const b = body === undefined ? null : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const h = { Host: '127.0.0.1', ...headers };
  if (b && h['Content-Length'] === undefined) h['Content-Length'] = String(b.length);
  let head = `${method} ${path} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(h)) head += `${k}: ${v}\r\n`;
  head += '\r\n';
  return b ? Buffer.concat([Buffer.from(head, 'latin1'), b]) : Buffer.from(head, 'latin1');
}

/** The request bytes of a WebSocket upgrade for `path`. */
function upgradeBytes(path, extraHeaders = {}) {
  const key = crypto.randomBytes(16).toString('base64');
  return httpRequestBytes({
    path,
    headers: {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': key,
      ...extraHeaders,
    },
  });
}

/**
 * A client WebSocket frame (masked, as a client must). `opcode` 1 text, 2 binary, 8 close, 9 ping.
 * `fin` false makes a fragment; `rsv` sets reserved bits (a protocol error).
 */
function wsFrame(opcode, payloadBuf, { fin = true, rsv = 0, mask = true } = {}) {
  const data = Buffer.isBuffer(payloadBuf) ? payloadBuf : Buffer.from(payloadBuf, 'utf8');
  const len = data.length;
  const headLen = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const head = Buffer.alloc(headLen + (mask ? 4 : 0));
  head[0] = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f);
  if (len < 126) head[1] = len;
  else if (len < 65536) {
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  if (!mask) return Buffer.concat([head, data]);
  head[1] |= 0x80;
  const key = crypto.randomBytes(4);
  key.copy(head, headLen);
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = data[i] ^ key[i & 3];
  return Buffer.concat([head, masked]);
}

/** A `ws` client for an engine.io WebSocket URL; resolves when open. */
async function wsOpen(port, query, opts = {}) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${PATH}?${query}`, opts);
  ws.received = [];
  ws.on('message', (d, isBinary) => ws.received.push(isBinary ? d : d.toString()));
  ws.on('error', (e) => {
    ws.lastError = e;
  });
  await Promise.race([
    once(ws, 'open'),
    once(ws, 'close').then(() => {
      throw new Error('ws closed before open');
    }),
  ]);
  return ws;
}

/** Resolves when `ws` (a `ws` client) closes, with [code, reason]; fails after `ms`. */
function wsClosed(ws, ms = 3000) {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve([ws._closeCode, '']);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('websocket not closed by the server')), ms);
    ws.once('close', (code, reason) => {
      clearTimeout(t);
      resolve([code, String(reason)]);
    });
  });
}

/** Resolves with the `close` reason of the server socket `id`, waiting at most `ms`. */
async function closeReason(srv, id, ms = 3000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const c = srv.closes.find((x) => x.id === id);
    if (c) return c.reason;
    if (Date.now() > deadline) throw new Error(`session ${id} not closed within ${ms} ms`);
    await sleep(10);
  }
}

const CLOSE_REASONS = ['transport close', 'transport error', 'ping timeout', 'parse error', 'forced close', 'server shutting down'];

module.exports = {
  official,
  PATH,
  guardProcess,
  assertNothingEscaped,
  settleSessions,
  settleConnections,
  connections,
  resources,
  clientV4,
  clientV3,
  openClient,
  echo,
  bystander,
  freshClientEchoes,
  rawExchange,
  statusCodes,
  pollHandshake,
  pollPath,
  payload,
  httpRequestBytes,
  upgradeBytes,
  wsFrame,
  wsOpen,
  wsClosed,
  closeReason,
  CLOSE_REASONS,
  /** @deprecated use ./servers startEchoServer() */ startEchoServer: servers.startEchoServer,
  /** @deprecated use ./servers shareEchoServer() */ shareEchoServer: servers.shareEchoServer,
};
