'use strict';
// fast-check arbitraries and wire plumbing for the fuzz tests: HTTP requests for the polling
// transport and WebSocket frame sequences, written over raw TCP in random splits.
const fc = require('fast-check');
const net = require('node:net');
const { sleep } = require('./index');
const H = require('./hardening');

// ---------------------------------------------------------------------------------------------
// Building blocks.

// characters that may appear raw in a request target without breaking HTTP framing
const URL_SAFE = fc.constantFrom(...'abcXYZ019-._~!$&\'()*+,;=:@/?%[]{}|^`"<>\\'.split(''));
const urlJunk = fc.string({ unit: URL_SAFE, maxLength: 12 });
const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('probe', '\u2028', '</script>', '"', '\\', '\x1e', ':', '€', '\ud83d\ude00', '\ud800'),
);

/** One engine.io packet as text: mostly well-formed, sometimes not. */
const packetText = fc.oneof(
  { weight: 6, arbitrary: text.map((d) => `4${d}`) },
  { weight: 1, arbitrary: fc.constantFrom('2', '3', '2probe', '3probe', '5', '6', '1', '0') },
  { weight: 1, arbitrary: fc.base64String({ maxLength: 12 }).map((b) => `b${b}`) },
  { weight: 1, arbitrary: fc.base64String({ maxLength: 12 }).map((b) => `b4${b}`) },
  { weight: 1, arbitrary: text },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 9 }), text).map(([t, d]) => `${t}${d}`) },
);

/** A polling payload in either revision's framing, or garbage. */
const payloadText = fc.oneof(
  { weight: 3, arbitrary: fc.array(packetText, { minLength: 1, maxLength: 5 }).map((ps) => ps.join('\x1e')) },
  { weight: 3, arbitrary: fc.array(packetText, { minLength: 1, maxLength: 5 }).map((ps) => ps.map((p) => `${p.length}:${p}`).join('')) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.tuple(fc.integer({ min: -2, max: 40 }), packetText), { minLength: 1, maxLength: 4 })
      .map((ps) => ps.map(([n, p]) => `${n}:${p}`).join('')),
  },
  { weight: 1, arbitrary: fc.array(packetText, { minLength: 1, maxLength: 3 }).map((ps) => `d=${encodeURIComponent(ps.map((p) => `${p.length}:${p}`).join('').toWellFormed())}`) },
  { weight: 1, arbitrary: text },
);

const bodyArb = fc.oneof(
  { weight: 4, arbitrary: payloadText.map((t) => Buffer.from(t, 'utf8')) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((u) => Buffer.from(u)) },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
);

// ---------------------------------------------------------------------------------------------
// HTTP requests.

/**
 * A request description; `sid` is a selector resolved against the live sessions of the batch.
 * Framing stays valid (the request is parsed and reaches the engine) except for `garbage`.
 */
const httpRequestArb = fc.record({
  method: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('GET', 'POST') },
    { weight: 1, arbitrary: fc.constantFrom('PUT', 'DELETE', 'OPTIONS', 'PATCH', 'HEAD') },
  ),
  path: fc.constantFrom('/engine.io/', '/engine.io/', '/engine.io/', '/engine.io', '/engine.io/x', '/other/'),
  eio: fc.constantFrom('4', '3', '', '5', '04', 'x', null),
  transport: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('polling', 'websocket') },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'jsonp', '', 'POLLING', null) },
  ),
  sid: fc.constantFrom('none', 'none', 'v4', 'v3', 'ws4', 'bogus', '__proto__'),
  b64: fc.constantFrom(null, null, '1', 'true', ''),
  j: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('0', '12') }, { weight: 1, arbitrary: urlJunk }),
  extra: fc.array(fc.tuple(urlJunk, urlJunk), { maxLength: 3 }),
  contentType: fc.constantFrom(
    null,
    'text/plain;charset=UTF-8',
    'application/octet-stream',
    'application/x-www-form-urlencoded',
    'application/json',
    'text/html; charset=latin1',
  ),
  origin: fc.constantFrom(null, null, 'http://good.example', 'http://evil.example', 'null', ''),
  chunked: fc.boolean(),
  body: bodyArb,
});

/** Bytes that end a connection's pipeline: nothing, or something that is not HTTP. */
const garbageTailArb = fc.oneof(
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 40 }).map((u) => Buffer.from(u)) },
  { weight: 1, arbitrary: fc.constantFrom('GET / HTTP/9.9\r\n\r\n', 'POST /engine.io/?EIO=4 HTTP/1.1\r\nContent-Length: -1\r\n\r\n', 'GET /engine.io/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n', 'G\x00T / HTTP/1.1\r\n\r\n').map((s) => Buffer.from(s, 'latin1')) },
);

/** The bytes of a generated request. `live` maps sid selectors to live session ids. */
function httpRequestToBytes(r, live, last) {
  const params = [];
  if (r.eio !== null) params.push(`EIO=${r.eio}`);
  let transport = r.transport;
  // The official server leaves a plain HTTP request for a WebSocket session's sid with
  // transport=websocket unanswered forever (it hands it to the WebSocket transport, which ignores
  // it). Under ENGINE=official that one combination is not sent; ours must answer it.
  if ((H.official || process.env.FUZZ_AVOID_KNOWN_HANG) && r.sid === 'ws4' && transport === 'websocket') transport = 'polling';
  if (transport !== null) params.push(`transport=${transport}`);
  if (r.sid !== 'none') params.push(`sid=${encodeURIComponent(Object.hasOwn(live, r.sid) ? live[r.sid] : r.sid)}`);
  if (r.b64 !== null) params.push(`b64=${r.b64}`);
  if (r.j !== null) params.push(`j=${r.j}`);
  for (const [k, v] of r.extra) params.push(`${k}=${v}`);
  const headers = { Host: '127.0.0.1' };
  if (last) headers.Connection = 'close';
  if (r.contentType) headers['Content-Type'] = r.contentType;
  if (r.origin !== null) headers.Origin = r.origin;
  let body = null;
  if (r.method !== 'GET' && r.method !== 'HEAD' && r.method !== 'OPTIONS') {
    if (r.chunked) {
      headers['Transfer-Encoding'] = 'chunked';
      const cut = r.body.length >> 1;
      const parts = [r.body.subarray(0, cut), r.body.subarray(cut)].filter((p) => p.length);
      body = Buffer.concat([
        ...parts.flatMap((p) => [Buffer.from(`${p.length.toString(16)}\r\n`), p, Buffer.from('\r\n')]),
        Buffer.from('0\r\n\r\n'),
      ]);
    } else {
      headers['Content-Length'] = String(r.body.length);
      body = r.body;
    }
  }
  let head = `${r.method} ${r.path}?${params.join('&')} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  head += '\r\n';
  return body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
}

/** Random cut points to split a buffer into writes (empty: one merged write). */
const splitsArb = fc.oneof(fc.constant([]), fc.array(fc.nat(), { minLength: 1, maxLength: 6 }));

function splitBuffer(buf, cuts) {
  if (!cuts.length || buf.length < 2) return [buf];
  const points = [...new Set(cuts.map((c) => 1 + (c % (buf.length - 1))))].sort((a, b) => a - b);
  const out = [];
  let prev = 0;
  for (const p of points) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out;
}

/**
 * Writes `chunks` on a raw connection, one write per chunk with a turn of the event loop in
 * between, and collects the answer until the server closes (or `ms`).
 * Resolves { data, closed }.
 */
async function pipeline(port, chunks, ms) {
  const nextTurn = () => new Promise((r) => setImmediate(r));
  const { data, closed } = await H.rawExchange(port, chunks, { ms, pause: nextTurn });
  return { data, closed };
}

// ---------------------------------------------------------------------------------------------
// WebSocket frames.

/**
 * One frame description. `packet` frames carry an engine.io packet as text; the others are
 * protocol-level oddities.
 */
const wsFrameArb = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('message'), data: text }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('binary'), data: fc.uint8Array({ maxLength: 40 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('packet'), data: packetText }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fragmented'), data: text }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('control'), op: fc.constantFrom(9, 10), data: fc.uint8Array({ maxLength: 10 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('bad'),
      what: fc.constantFrom('utf8', 'rsv', 'opcode', 'unmasked', 'bigcontrol', 'continuation', 'close', 'raw'),
      data: fc.uint8Array({ minLength: 1, maxLength: 20 }),
    }),
  },
);

/** Whether a frame description is one the echo server must answer with the same message. */
function isEchoed(f) {
  return f.kind === 'message' || f.kind === 'binary' || f.kind === 'fragmented';
}

/** Whether a frame is harmless (the session must survive it). */
function isHarmless(f) {
  return isEchoed(f) || f.kind === 'control';
}

function frameBytes(f, eio) {
  switch (f.kind) {
    case 'message':
      return H.wsFrame(1, `4${f.data}`);
    case 'binary':
      return eio === 4 ? H.wsFrame(2, Buffer.from(f.data)) : H.wsFrame(2, Buffer.concat([Buffer.from([4]), Buffer.from(f.data)]));
    case 'packet':
      return H.wsFrame(1, f.data);
    case 'fragmented': {
      const b = Buffer.from(`4${f.data}`, 'utf8');
      const cut = b.length >> 1;
      return Buffer.concat([H.wsFrame(1, b.subarray(0, cut), { fin: false }), H.wsFrame(0, b.subarray(cut))]);
    }
    case 'control':
      return H.wsFrame(f.op, Buffer.from(f.data));
    case 'bad': {
      const d = Buffer.from(f.data);
      switch (f.what) {
        case 'utf8':
          return H.wsFrame(1, Buffer.concat([Buffer.from('4'), Buffer.from([0xc3, 0x28]), d]));
        case 'rsv':
          return H.wsFrame(1, Buffer.from('4x'), { rsv: 1 + (d[0] % 7) });
        case 'opcode':
          return H.wsFrame(3 + (d[0] % 5), d);
        case 'unmasked':
          return H.wsFrame(1, Buffer.from('4x'), { mask: false });
        case 'bigcontrol':
          return H.wsFrame(9, Buffer.alloc(126, 1));
        case 'continuation':
          return H.wsFrame(0, d);
        case 'close':
          return H.wsFrame(8, d.length === 1 ? Buffer.from([3, 232, d[0]]) : d);
        default:
          return d;
      }
    }
    default:
      throw new Error(`unknown frame kind ${f.kind}`);
  }
}

/** Parses server→client frames (unmasked, unfragmented in practice). Returns [{op, data}]. */
function parseServerFrames(buf) {
  const out = [];
  let i = 0;
  while (i + 2 <= buf.length) {
    const op = buf[i] & 0x0f;
    let len = buf[i + 1] & 0x7f;
    let p = i + 2;
    if (len === 126) {
      if (p + 2 > buf.length) break;
      len = buf.readUInt16BE(p);
      p += 2;
    } else if (len === 127) {
      if (p + 8 > buf.length) break;
      len = Number(buf.readBigUInt64BE(p));
      p += 8;
    }
    if (p + len > buf.length) break;
    out.push({ op, data: buf.subarray(p, p + len) });
    i = p + len;
  }
  return out;
}

/**
 * Fails with the property's error and the seed to replay it (the counterexample itself is a
 * batch of hundreds of inputs: its size is given, not its text).
 */
function fail(details) {
  const err = details.errorInstance || new Error(String(details.error));
  const size = JSON.stringify(details.counterexample || []).length;
  err.message = `${err.message}\n(fast-check seed ${details.seed}, path ${details.counterexamplePath}, run ${details.numRuns}; counterexample ${size} chars)`;
  throw err;
}

module.exports = {
  fc,
  fail,
  httpRequestArb,
  garbageTailArb,
  httpRequestToBytes,
  splitsArb,
  splitBuffer,
  pipeline,
  wsFrameArb,
  frameBytes,
  isEchoed,
  isHarmless,
  parseServerFrames,
  sleep,
};
