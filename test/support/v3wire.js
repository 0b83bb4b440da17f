'use strict';
// Raw wire helpers for the v3 and options tests: Engine.IO polling requests by hand, JSONP script
// evaluation the way a browser would run it, and a WebSocket client that exposes each frame's
// header bits (RSV1 = compressed) so permessage-deflate can be checked on the wire.
const http = require('node:http');
const crypto = require('node:crypto');
const vm = require('node:vm');
const zlib = require('node:zlib');
const { request, sleep } = require('./index');
const servers = require('./servers');

const PATH = '/engine.io/';

function qs(params) {
  return new URLSearchParams(params).toString();
}

/** GET handshake; resolves { res, sid, open (parsed JSON), packets } for a v3 string or v4 payload. */
async function handshake(port, params = { EIO: '3', transport: 'polling' }, headers = {}) {
  const res = await request(port, { path: `${PATH}?${qs(params)}`, headers });
  if (res.status !== 200) throw new Error(`handshake failed: ${res.status} ${res.text}`);
  let packets;
  if (params.EIO === '4') packets = res.text.split('\x1e');
  else packets = parseStringPayload(res.text);
  if (packets[0][0] !== '0') throw new Error(`no open packet: ${res.text}`);
  const open = JSON.parse(packets[0].slice(1));
  return { res, sid: open.sid, open, packets };
}

/** v3 string payload `<len>:<packet>...`, lengths in UTF-16 code units. */
function parseStringPayload(text) {
  const packets = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) throw new Error(`bad v3 payload: ${JSON.stringify(text)}`);
    const len = Number(text.slice(i, colon));
    if (!Number.isInteger(len) || colon === i) throw new Error(`bad v3 length: ${JSON.stringify(text)}`);
    packets.push(text.slice(colon + 1, colon + 1 + len));
    i = colon + 1 + len;
  }
  return packets;
}

function poll(port, params, headers = {}) {
  return request(port, { path: `${PATH}?${qs(params)}`, headers });
}

/**
 * Starts a GET on the v3 session and waits (up to ~2 s) until the server holds it, as a real
 * client always has one out. Resolves { pending }: the promise of that GET's response.
 */
async function holdPoll(srv, sid) {
  const socket = srv.server.clients[sid];
  const pending = poll(srv.port, { EIO: '3', transport: 'polling', sid });
  for (let i = 0; i < 400 && !socket.transport.writable; i++) await sleep(5);
  return { pending };
}

function post(port, params, body, contentType = 'text/plain;charset=UTF-8') {
  const headers = { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) };
  return request(port, { method: 'POST', path: `${PATH}?${qs(params)}`, headers, body });
}

/**
 * Runs a JSONP response the way a browser runs the <script>: in a fresh global where `___eio` is an
 * array of callbacks. Resolves the argument passed to callback `index`, or throws if the script
 * doesn't call it (or doesn't parse).
 */
function runJsonp(body, index) {
  const calls = [];
  const ___eio = [];
  ___eio[index] = (arg) => calls.push(arg);
  vm.runInNewContext(body, { ___eio }, { timeout: 1000 });
  if (calls.length !== 1) throw new Error(`JSONP script called ___eio[${index}] ${calls.length} times`);
  return calls[0];
}

/** The escaping the official v3 JSONP transport applies before putting the payload in the form. */
function jsonpClientEscape(payload) {
  return payload.replace(/\\n/g, '\\\n').replace(/\n/g, '\\n');
}

/**
 * A WebSocket client on a raw socket: resolves { status, headers, socket, frames, next(), close() }.
 * `frames` collects server frames { fin, rsv1, opcode, payload } as they arrive (unmasked, as a
 * server sends them); `next(ms)` resolves the next one. `text(frame)` decodes a frame's text,
 * inflating it when RSV1 is set (only valid for the first compressed message of a connection,
 * since later ones may refer back to it; tests only decompress that one).
 * If the server refuses the upgrade, resolves { status, headers, body } with no socket.
 */
function rawWebSocket(port, path, { extensions, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const key = crypto.randomBytes(16).toString('base64');
    const reqHeaders = {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': key,
      ...headers,
    };
    if (extensions) reqHeaders['Sec-WebSocket-Extensions'] = extensions;
    const req = http.request({ host: '127.0.0.1', port, path, headers: reqHeaders, agent: false });
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('upgrade', (res, socket, head) => {
      const frames = [];
      const waiters = [];
      let buf = head && head.length ? Buffer.from(head) : Buffer.alloc(0);
      const parse = () => {
        for (;;) {
          if (buf.length < 2) return;
          const b0 = buf[0];
          const b1 = buf[1];
          let len = b1 & 0x7f;
          let off = 2;
          if (len === 126) {
            if (buf.length < 4) return;
            len = buf.readUInt16BE(2);
            off = 4;
          } else if (len === 127) {
            if (buf.length < 10) return;
            len = Number(buf.readBigUInt64BE(2));
            off = 10;
          }
          if (b1 & 0x80) off += 4; // a server must not mask, but don't choke if it does
          if (buf.length < off + len) return;
          const frame = {
            fin: !!(b0 & 0x80),
            rsv1: !!(b0 & 0x40),
            opcode: b0 & 0x0f,
            payload: Buffer.from(buf.subarray(off, off + len)),
          };
          buf = buf.subarray(off + len);
          if (waiters.length) waiters.shift()(frame);
          else frames.push(frame);
        }
      };
      socket.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        parse();
      });
      socket.on('error', () => {});
      parse();
      resolve({
        status: res.statusCode,
        headers: res.headers,
        socket,
        frames,
        next(ms = 3000) {
          if (frames.length) return Promise.resolve(frames.shift());
          return new Promise((res2, rej2) => {
            const timer = setTimeout(() => {
              const i = waiters.indexOf(fn);
              if (i >= 0) waiters.splice(i, 1);
              rej2(new Error('timed out waiting for a frame'));
            }, ms);
            function fn(frame) {
              clearTimeout(timer);
              res2(frame);
            }
            waiters.push(fn);
          });
        },
        /** Sends one masked frame (text for strings, binary for Buffers). */
        send(data) {
          const payload = typeof data === 'string' ? Buffer.from(data) : data;
          const opcode = typeof data === 'string' ? 1 : 2;
          const mask = crypto.randomBytes(4);
          let header;
          if (payload.length < 126) header = Buffer.from([0x80 | opcode, 0x80 | payload.length]);
          else if (payload.length < 65536) {
            header = Buffer.alloc(4);
            header[0] = 0x80 | opcode;
            header[1] = 0x80 | 126;
            header.writeUInt16BE(payload.length, 2);
          } else {
            header = Buffer.alloc(10);
            header[0] = 0x80 | opcode;
            header[1] = 0x80 | 127;
            header.writeBigUInt64BE(BigInt(payload.length), 2);
          }
          const masked = Buffer.alloc(payload.length);
          for (let i = 0; i < payload.length; i++) masked[i] = payload[i] ^ mask[i & 3];
          socket.write(Buffer.concat([header, mask, masked]));
        },
        close() {
          socket.destroy();
        },
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** A data frame's payload as text, inflated first if RSV1 is set. */
function frameText(frame) {
  const bytes = frame.rsv1
    ? zlib.inflateRawSync(Buffer.concat([frame.payload, Buffer.from([0x00, 0x00, 0xff, 0xff])]), {
        finishFlush: zlib.constants.Z_SYNC_FLUSH,
      })
    : frame.payload;
  return bytes.toString('utf8');
}

/** Next data frame (text or binary), skipping control frames. */
async function nextDataFrame(ws, ms) {
  for (;;) {
    const f = await ws.next(ms);
    if (f.opcode === 1 || f.opcode === 2 || f.opcode === 0) return f;
  }
}

/** Parses a Set-Cookie header value into { name, value, attrs: { lowercased name: value|true } }. */
function parseSetCookie(line) {
  const [pair, ...rest] = line.split(';').map((s) => s.trim());
  const eq = pair.indexOf('=');
  const attrs = {};
  for (const a of rest) {
    if (!a) continue;
    const i = a.indexOf('=');
    if (i < 0) attrs[a.toLowerCase()] = true;
    else attrs[a.slice(0, i).trim().toLowerCase()] = a.slice(i + 1).trim();
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attrs };
}

module.exports = {
  PATH,
  qs,
  handshake,
  parseStringPayload,
  poll,
  holdPoll,
  post,
  runJsonp,
  jsonpClientEscape,
  rawWebSocket,
  frameText,
  nextDataFrame,
  parseSetCookie,
  /** @deprecated use ./servers closeWithPolls() */ closeWithPolls: servers.closeWithPolls,
  /** @deprecated use ./servers withV3Server(opts, fn), with `setup` done inside fn */ withV3Server: (opts, fn, setup) => servers.withV3Server(opts, setup ? (srv) => (setup(srv), fn(srv)) : fn),
};
