'use strict';
// The polling limit: a bare `node:http` handler answering the same Engine.IO v4 polling
// handshake and echo as the engines, so that every polling row can show how far an engine is
// from what Node's HTTP server alone costs. It knows only `GET ?EIO=4&transport=polling`
// (open a session, answer the open packet), `GET ...&sid=` (the session's queued packets, or
// wait for one) and `POST ...&sid=` (read the payload; every message packet `4...` is queued
// back as its echo, `3` is a pong; answer `ok`), plus a ping on an interval. One interval
// walks all sessions: it queues a ping and forgets sessions that sent no request for
// pingInterval + pingTimeout. No CORS, cookies, JSONP, binary, upgrade, or error events.
// A child program like server-child.js: `fork(__filename, ['bare-http'])`, same IPC.
const http = require('node:http');
const { childOptions, PATH } = require('./options');
const { serveIpc } = require('./child-ipc');
const { bareId } = require('./bare-id');

const options = childOptions();
const OPEN_TAIL = `","upgrades":[],"pingInterval":${options.pingInterval},"pingTimeout":${options.pingTimeout},"maxPayload":${options.maxHttpBufferSize}}`;
const SEP = '\x1e';
const MESSAGE = 0x34; // '4'

let connections = 0;
let messages = 0;
const sessions = new Map(); // sid -> Session

class Session {
  constructor(sid) {
    this.sid = sid;
    this.queue = ''; // packets waiting for a GET, joined by SEP
    this.get = null; // the pending GET's response
    this.seen = Date.now();
  }

  push(packet) {
    this.queue = this.queue === '' ? packet : this.queue + SEP + packet;
    if (this.get !== null) this.flush();
  }

  flush() {
    const res = this.get;
    this.get = null;
    const body = this.queue;
    this.queue = '';
    send(res, 200, 'text/plain; charset=UTF-8', body);
  }
}

function send(res, status, type, body) {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function badRequest(res, code, message) {
  send(res, 400, 'application/json', `{"code":${code},"message":"${message}"}`);
}

// The value of `name=` in the query string (after `?` at `from`), or ''.
function param(url, from, name) {
  let at = url.indexOf(name, from);
  while (at !== -1 && url.charCodeAt(at - 1) !== 0x26 /* & */ && at - 1 !== from) at = url.indexOf(name, at + 1);
  if (at === -1) return '';
  const start = at + name.length;
  const end = url.indexOf('&', start);
  return url.slice(start, end === -1 ? url.length : end);
}

function onPost(session, req, res) {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => {
    body += chunk;
    if (body.length > options.maxHttpBufferSize) {
      req.destroy();
    }
  });
  req.on('end', () => {
    for (const packet of body.split(SEP)) {
      if (packet.charCodeAt(0) === MESSAGE) {
        messages++;
        session.push(packet);
      } else if (packet === '1') {
        sessions.delete(session.sid);
      }
      // '3' (pong): nothing to do, `seen` was updated by the request itself
    }
    send(res, 200, 'text/html', 'ok');
  });
}

const httpServer = http.createServer((req, res) => {
  const url = req.url;
  const q = url.indexOf('?');
  if (q === -1 || url.slice(0, q) !== PATH || param(url, q, 'transport=') !== 'polling' || param(url, q, 'EIO=') !== '4') {
    return badRequest(res, 0, 'Transport unknown');
  }
  const sid = param(url, q, 'sid=');
  if (sid === '') {
    if (req.method !== 'GET') return badRequest(res, 2, 'Bad handshake method');
    const id = bareId();
    sessions.set(id, new Session(id));
    connections++;
    return send(res, 200, 'text/plain; charset=UTF-8', `0{"sid":"${id}${OPEN_TAIL}`);
  }
  const session = sessions.get(sid);
  if (session === undefined) return badRequest(res, 1, 'Session ID unknown');
  session.seen = Date.now();
  if (req.method === 'POST') return onPost(session, req, res);
  if (req.method !== 'GET') return badRequest(res, 2, 'Bad request');
  if (session.get !== null) {
    sessions.delete(sid); // a second GET while one is pending: the session is broken
    return badRequest(res, 3, 'Overlap from client');
  }
  session.get = res;
  if (session.queue !== '') session.flush();
});

setInterval(() => {
  const expired = Date.now() - options.pingInterval - options.pingTimeout;
  for (const session of sessions.values()) {
    if (session.seen < expired) sessions.delete(session.sid);
    else session.push('2');
  }
}, options.pingInterval);

serveIpc(httpServer, process.argv[2] || 'bare-http', () => ({ connections, messages, upgrades: 0, clientsCount: sessions.size }));
