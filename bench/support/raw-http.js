'use strict';
// A minimal HTTP/1.1 keep-alive client over plain TCP sockets, for the load generator only.
// With node:http's client the load generator, not the server, set the polling rates: both
// servers ran at the same rate (ratio 1.00-1.02) while their CPU per round trip differed by
// 10-15%, and neither server used more than about 70% of a core. This client writes one
// request string and reads back a response framed by Content-Length, nothing more, which
// leaves the server as the bottleneck. It is not a general HTTP client: no chunked bodies,
// no redirects, one request at a time per socket.
const net = require('node:net');

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;
const CONNECTION_CLOSE = /\r\nconnection:[ \t]*close/i;

class Connection {
  constructor(pool, port) {
    this.pool = pool;
    this.port = port;
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.chunks = [];
    this.length = 0;
    this.pending = null; // { resolve, reject, method, path }
    this.closed = false;
    this.socket.on('data', (chunk) => this.onData(chunk));
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => this.fail(new Error('connection closed')));
  }

  request(method, path, body, resolve, reject) {
    this.pending = { resolve, reject, method, path };
    let head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${this.port}\r\n`;
    if (body !== undefined) {
      head += `Content-Type: text/plain;charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    } else {
      head += '\r\n';
    }
    this.socket.write(head);
  }

  onData(chunk) {
    this.chunks.push(chunk);
    this.length += chunk.length;
    const data = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks, this.length);
    const end = data.indexOf(HEADER_END);
    if (end === -1) return;
    const head = data.latin1Slice(0, end);
    const match = CONTENT_LENGTH.exec(head);
    if (match === null) return this.fail(new Error(`response without Content-Length: ${head}`));
    const bodyStart = end + 4;
    const total = bodyStart + Number(match[1]);
    if (data.length < total) {
      this.chunks = [data];
      return;
    }
    if (data.length > total) return this.fail(new Error('unexpected bytes after a response'));
    this.chunks = [];
    this.length = 0;
    const status = Number(head.slice(9, 12));
    const text = data.utf8Slice(bodyStart, total);
    const pending = this.pending;
    this.pending = null;
    if (CONNECTION_CLOSE.test(head)) this.destroy();
    else this.pool.release(this);
    if (status !== 200) pending.reject(new Error(`${pending.method} ${pending.path}: HTTP ${status} ${text}`));
    else pending.resolve(text);
  }

  fail(err) {
    this.destroy();
    const pending = this.pending;
    this.pending = null;
    if (pending !== null) pending.reject(err);
  }

  destroy() {
    if (this.closed) return;
    this.closed = true;
    this.pool.forget(this);
    this.socket.destroy();
  }
}

/** Idle keep-alive connections per port; a request takes one or opens a new one. */
class Pool {
  constructor() {
    this.idle = new Map(); // port -> Connection[]
    this.all = new Set();
  }

  request(port, method, path, body) {
    return new Promise((resolve, reject) => {
      const idle = this.idle.get(port);
      let conn = idle !== undefined && idle.length > 0 ? idle.pop() : undefined;
      if (conn === undefined) {
        conn = new Connection(this, port);
        this.all.add(conn);
      }
      conn.request(method, path, body, resolve, reject);
    });
  }

  release(conn) {
    let idle = this.idle.get(conn.port);
    if (idle === undefined) this.idle.set(conn.port, (idle = []));
    idle.push(conn);
  }

  forget(conn) {
    this.all.delete(conn);
    const idle = this.idle.get(conn.port);
    if (idle !== undefined) {
      const i = idle.indexOf(conn);
      if (i !== -1) idle.splice(i, 1);
    }
  }

  /** Closes every connection: no keep-alive socket may outlive its server. */
  destroy() {
    for (const conn of [...this.all]) conn.destroy();
    this.idle.clear();
  }
}

module.exports = { Pool };

// A WebSocket handshake over plain TCP: `GET ... Upgrade: websocket`, read the 101 response
// and the first frame (the Engine.IO open packet), then close the way a WebSocket client
// does: a masked close frame, wait for the server to close the TCP connection. The `ws`
// client's own handshake (key generation, accept-hash check, its object graph) cost more
// CPU than the servers did, so with it both servers sat at the same client-bound rate.
const WS_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
// FIN + close opcode, masked, 2-byte payload (status 1000), all-zero mask: payload as is
const WS_CLOSE_FRAME = Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]);

function wsOpenAndClose(port, path) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    let data = null;
    let opened = false;
    let first = null;
    socket.on('connect', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${WS_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on('data', (chunk) => {
      if (opened) return; // the server's close frame; its FIN follows
      data = data === null ? chunk : Buffer.concat([data, chunk]);
      const end = data.indexOf(HEADER_END);
      if (end === -1) return;
      if (data.latin1Slice(9, 12) !== '101') return fail(new Error(`no upgrade: ${data.latin1Slice(0, end)}`));
      const frame = end + 4;
      // an unmasked server frame: 2 header bytes, + 2 when the length is 126 (16-bit length)
      if (data.length < frame + 2) return;
      let len = data[frame + 1] & 0x7f;
      let start = frame + 2;
      if (len === 126) {
        if (data.length < frame + 4) return;
        len = data.readUInt16BE(frame + 2);
        start = frame + 4;
      }
      if (data.length < start + len) return;
      first = data.latin1Slice(start, start + len);
      opened = true;
      socket.write(WS_CLOSE_FRAME);
    });
    socket.on('error', fail);
    socket.on('close', () => {
      if (first === null) return fail(new Error('connection closed before the open packet'));
      resolve(first);
    });
    function fail(err) {
      socket.destroy();
      reject(err);
    }
  });
}

module.exports.wsOpenAndClose = wsOpenAndClose;
