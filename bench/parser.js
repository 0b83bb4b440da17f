#!/usr/bin/env node
'use strict';
// Codec benchmark: engine.io-ts/parser against the official parsers (engine.io-parser 5 for
// v4, engine.io-parser 2 for v3) in the same process, case by case. Each case runs both
// implementations alternately in short timed rounds after a warm-up and reports the median
// ops/sec of each and the median ratio of back-to-back rounds.
// The official APIs are callback-based: they are called the way engine.io calls them, with a
// callback that keeps the result.
//
//   node scripts/build.js && node --expose-gc bench/parser.js [filter]
//   BENCH_ROUND_MS=200 BENCH_ROUNDS=7 ... for steadier numbers
//   BENCH_PARSER=/path/to/parser/index.js ... to measure another build of the codec
const ours = require(process.env.BENCH_PARSER || 'engine.io-ts/parser');
const official4 = require('engine.io-parser');
const official3 = require('engine.io-parser-v2');

const ROUND_MS = Number(process.env.BENCH_ROUND_MS) || 25;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 16;
const WARMUP_MS = 100;
const filter = process.argv[2] || '';

// --- inputs -------------------------------------------------------------------------------------

const small = 'hello world';
const kb = 'x'.repeat(512) + 'é€'.repeat(170) + 'abcdefgh'.repeat(21); // ~1 KB of mixed text
const binary = Buffer.alloc(1024);
for (let i = 0; i < binary.length; i++) binary[i] = (i * 31) & 255;

const pSmall = { type: 'message', data: small };
const pKb = { type: 'message', data: kb };
const pBin = { type: 'message', data: binary };
const ten = [];
for (let i = 0; i < 10; i++) ten.push({ type: 'message', data: `message number ${i} with some text` });
const tenMixed = ten.slice(0, 8).concat([pBin, { type: 'ping', data: 'probe' }]);

function v4enc(p, sb) {
  let out;
  official4.encodePacket(p, sb, (x) => (out = x));
  return out;
}
function v4encPayload(ps) {
  let out;
  official4.encodePayload(ps, (x) => (out = x));
  return out;
}
function v3enc(p, sb) {
  let out;
  official3.encodePacket(p, sb, (x) => (out = x));
  return out;
}
function v3encPayload(ps, sb) {
  let out;
  official3.encodePayload(ps, sb, (x) => (out = x));
  return out;
}

// Wire input as transports hand it over: flat strings decoded from network bytes (a string
// built with + is a rope until something flattens it).
const flat = (x) => (typeof x === 'string' ? Buffer.from(x, 'utf8').toString('utf8') : x);
const flatAll = (o) => {
  for (const k of Object.keys(o)) o[k] = flat(o[k]);
  return o;
};

const w4 = flatAll({
  small: ours.v4.encodePacket(pSmall, true),
  kb: ours.v4.encodePacket(pKb, true),
  bin: ours.v4.encodePacket(pBin, true),
  b64: ours.v4.encodePacket(pBin, false),
  ten: ours.v4.encodePayload(ten),
  tenMixed: ours.v4.encodePayload(tenMixed),
});
const w3 = flatAll({
  small: ours.v3.encodePacket(pSmall, true),
  kb: ours.v3.encodePacket(pKb, true),
  bin: ours.v3.encodePacket(pBin, true),
  b64: ours.v3.encodePacket(pBin, false),
  ten: ours.v3.encodePayload(ten, false),
  one: ours.v3.encodePayload([pSmall], false),
  xhr2: ours.v3.encodePayload(tenMixed, true),
});

// --- cases: [name, ours, official] --------------------------------------------------------------

// A sink the optimiser cannot prove unused.
let sink = 0;
const keep = (x) => {
  sink = (sink + (typeof x === 'string' ? x.length : x && x.length !== undefined ? x.length : 1)) | 0;
};

// The official v3 payload decoder hands packets to a callback; engine.io collects them.
function v3decPayload(data) {
  const packets = [];
  official3.decodePayload(data, (p) => {
    packets.push(p);
  });
  return packets;
}

const cases = [
  ['v4 encodePacket small text', () => keep(ours.v4.encodePacket(pSmall, true)), () => keep(v4enc(pSmall, true))],
  ['v4 encodePacket 1 KB text', () => keep(ours.v4.encodePacket(pKb, true)), () => keep(v4enc(pKb, true))],
  ['v4 encodePacket binary (ws)', () => keep(ours.v4.encodePacket(pBin, true)), () => keep(v4enc(pBin, true))],
  ['v4 encodePacket binary (base64)', () => keep(ours.v4.encodePacket(pBin, false)), () => keep(v4enc(pBin, false))],
  ['v4 decodePacket small text', () => keep(ours.v4.decodePacket(w4.small)), () => keep(official4.decodePacket(w4.small))],
  ['v4 decodePacket 1 KB text', () => keep(ours.v4.decodePacket(w4.kb)), () => keep(official4.decodePacket(w4.kb))],
  ['v4 decodePacket binary (ws)', () => keep(ours.v4.decodePacket(w4.bin)), () => keep(official4.decodePacket(w4.bin))],
  ['v4 decodePacket binary (base64)', () => keep(ours.v4.decodePacket(w4.b64)), () => keep(official4.decodePacket(w4.b64))],
  ['v4 encodePayload 1 small', () => keep(ours.v4.encodePayload([pSmall])), () => keep(v4encPayload([pSmall]))],
  ['v4 encodePayload 10 text', () => keep(ours.v4.encodePayload(ten)), () => keep(v4encPayload(ten))],
  ['v4 encodePayload 10 mixed', () => keep(ours.v4.encodePayload(tenMixed)), () => keep(v4encPayload(tenMixed))],
  ['v4 decodePayload 1 small', () => keep(ours.v4.decodePayload(w4.small)), () => keep(official4.decodePayload(w4.small))],
  ['v4 decodePayload 10 text', () => keep(ours.v4.decodePayload(w4.ten)), () => keep(official4.decodePayload(w4.ten))],
  ['v4 decodePayload 10 mixed', () => keep(ours.v4.decodePayload(w4.tenMixed)), () => keep(official4.decodePayload(w4.tenMixed))],

  ['v3 encodePacket small text', () => keep(ours.v3.encodePacket(pSmall, true)), () => keep(v3enc(pSmall, true))],
  ['v3 encodePacket 1 KB text', () => keep(ours.v3.encodePacket(pKb, true)), () => keep(v3enc(pKb, true))],
  ['v3 encodePacket binary (ws)', () => keep(ours.v3.encodePacket(pBin, true)), () => keep(v3enc(pBin, true))],
  ['v3 encodePacket binary (base64)', () => keep(ours.v3.encodePacket(pBin, false)), () => keep(v3enc(pBin, false))],
  ['v3 decodePacket small text', () => keep(ours.v3.decodePacket(w3.small)), () => keep(official3.decodePacket(w3.small))],
  ['v3 decodePacket 1 KB text', () => keep(ours.v3.decodePacket(w3.kb)), () => keep(official3.decodePacket(w3.kb))],
  ['v3 decodePacket binary (ws)', () => keep(ours.v3.decodePacket(w3.bin)), () => keep(official3.decodePacket(w3.bin))],
  ['v3 decodePacket binary (base64)', () => keep(ours.v3.decodePacket(w3.b64)), () => keep(official3.decodePacket(w3.b64))],
  ['v3 encodePayload 1 small', () => keep(ours.v3.encodePayload([pSmall], false)), () => keep(v3encPayload([pSmall], false))],
  ['v3 encodePayload 10 text', () => keep(ours.v3.encodePayload(ten, false)), () => keep(v3encPayload(ten, false))],
  ['v3 encodePayload 10 mixed (b64)', () => keep(ours.v3.encodePayload(tenMixed, false)), () => keep(v3encPayload(tenMixed, false))],
  ['v3 encodePayload 10 mixed (XHR2)', () => keep(ours.v3.encodePayload(tenMixed, true)), () => keep(v3encPayload(tenMixed, true))],
  ['v3 decodePayload 1 small', () => keep(ours.v3.decodePayload(w3.one)), () => keep(v3decPayload(w3.one))],
  ['v3 decodePayload 10 text', () => keep(ours.v3.decodePayload(w3.ten)), () => keep(v3decPayload(w3.ten))],
  ['v3 decodePayload 10 mixed (XHR2)', () => keep(ours.v3.decodePayload(w3.xhr2)), () => keep(v3decPayload(w3.xhr2))],
];

// --- measuring ----------------------------------------------------------------------------------

const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Ops/sec of `fn` over about `ms` milliseconds, in batches sized to keep timer calls rare. */
function round(fn, ms, batch) {
  let ops = 0;
  const start = now();
  let elapsed = 0;
  do {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    elapsed = now() - start;
  } while (elapsed < ms);
  return (ops / elapsed) * 1000;
}

/** A batch size that takes roughly 1 ms. */
function calibrate(fn) {
  let batch = 1;
  for (;;) {
    const start = now();
    for (let i = 0; i < batch; i++) fn();
    if (now() - start >= 1 || batch >= 1 << 20) return batch;
    batch *= 2;
  }
}

function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

function bench(mine, theirs) {
  const bMine = calibrate(mine);
  const bTheirs = calibrate(theirs);
  // Warm-up: both, so that neither runs with cold inline caches in the first round.
  round(mine, WARMUP_MS, bMine);
  round(theirs, WARMUP_MS, bTheirs);
  const a = [];
  const b = [];
  const ratios = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (global.gc) global.gc();
    // Short rounds, alternating order: each pair ran at nearly the same moment, so the
    // median of the pairwise ratios is robust against load from other processes.
    let x;
    let y;
    if (r % 2 === 0) {
      x = round(mine, ROUND_MS, bMine);
      y = round(theirs, ROUND_MS, bTheirs);
    } else {
      y = round(theirs, ROUND_MS, bTheirs);
      x = round(mine, ROUND_MS, bMine);
    }
    a.push(x);
    b.push(y);
    ratios.push(x / y);
  }
  return [median(a), median(b), median(ratios)];
}

function fmt(n) {
  if (n >= 1e6) return (n / 1e6).toFixed(2) + 'M';
  if (n >= 1e3) return (n / 1e3).toFixed(1) + 'k';
  return n.toFixed(0);
}

const rows = [];
const pad = (s, n) => String(s).padEnd(n);
const padL = (s, n) => String(s).padStart(n);
console.log(`${pad('case', 34)} ${padL('engine.io-ts', 13)} ${padL('official', 13)} ${padL('ratio', 7)}`);
let slower = 0;
for (const [name, mine, theirs] of cases) {
  if (filter && !name.includes(filter)) continue;
  const [a, b, ratio] = bench(mine, theirs);
  if (ratio < 1) slower++;
  rows.push({ name, ours: a, official: b, ratio });
  console.log(`${pad(name, 34)} ${padL(fmt(a) + '/s', 13)} ${padL(fmt(b) + '/s', 13)} ${padL(ratio.toFixed(2) + 'x', 7)}`);
}
const geo = Math.exp(rows.reduce((acc, r) => acc + Math.log(r.ratio), 0) / Math.max(1, rows.length));
console.log(`\nratio = median over ${ROUNDS} back-to-back round pairs of ours/official ops per second (>1: faster). geometric mean ${geo.toFixed(2)}x; ${slower} case(s) below 1.`);
if (sink === 42) console.log('');
