#!/usr/bin/env node
'use strict';
// Server benchmark: engine.io-ts against the official engine.io@6, same options, same load,
// in one run, with a bare reference next to them as the limit: a bare `ws` server for the
// WebSocket rows (bench/support/bare-ws-server.js), a bare `node:http` handler for the polling
// rows (bench/support/bare-http-server.js), each speaking just enough Engine.IO v4.
//   node scripts/build.js && node --expose-gc bench/server.js
// Each server runs in its own child process, so its process.cpuUsage() is its own; the load
// comes from this process (the many idle sessions of the memory and heartbeat rows from a
// client process of their own, bench/support/idle-clients.js). For the throughput rows all
// servers are up at once and the load switches between them in short alternating slices
// (ours official limit, limit official ours, ...); the columns are medians over the slices
// and a quotient (ours / official, limit / official) is the median of the quotients of
// adjacent slices, which cancels most of the drift of a shared, noisy machine (see
// docs/benchmarks.md).
// Environment: BENCH_SLICES (slices per server, default 10), BENCH_OURS=official (load the
// official server on both sides, to see how large the noise is), BENCH_ONLY=<words>
// (comma-separated: run only the phases whose name contains one, e.g. `polling echo`),
// BENCH_LIMIT=off (no bare references), BENCH_MEMORY_SIZES (idle sessions, comma-separated,
// default 5000,15000), BENCH_MEMORY_ROUNDS (default 2), BENCH_HEARTBEAT_SESSIONS (default
// 15000), BENCH_HEARTBEAT_INTERVAL (the pingInterval of the heartbeat row in ms, default 25000;
// a shorter one is normalised to 25 s), BENCH_HEARTBEAT_SLICES (windows of one interval,
// default 6),
// BENCH_SOURCE_ADDRESSES (idle sessions connect from 127.0.0.1..N in turn; default: as many
// as the ephemeral port range needs), BENCH_CPU_PROF=<dir> (V8 CPU profiles of the server
// processes), BENCH_OFFICIAL_MODULE=<path> (the package the 'official' side loads instead of
// engine.io: an earlier build of ours, to measure one change), BENCH_METRICS=off (the
// 'official' side is engine.io-ts with `metrics: false`, the 'ours' side engine.io-ts with its
// default counters: what metrics cost, e.g. `BENCH_METRICS=off BENCH_ONLY=echo`; no limit).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const { ServerProcess } = require('./support/server-process');
const { IdleClients } = require('./support/idle-clients');
const scenarios = require('./support/scenarios');
const { median, percentile, formatNumber, printTable } = require('./support/stats');
const { agent } = require('./support/raw-clients');

const SLICES = Number(process.env.BENCH_SLICES) || 10;
const OURS_MODULE = process.env.BENCH_OURS === 'official' ? 'official' : 'ours';
const METRICS_AB = process.env.BENCH_METRICS === 'off';
const OTHER_MODULE = METRICS_AB ? 'ours-metrics-off' : 'official';
const WITH_LIMIT = process.env.BENCH_LIMIT !== 'off' && !METRICS_AB;
const PAYLOAD = 'hello engine.io, this is a 48 byte message body!';
const BARE_WS = 'bare-ws';
const BARE_HTTP = 'bare-http';
const BARE_NAMES = { [BARE_WS]: 'ws', [BARE_HTTP]: 'http' };

const THROUGHPUT = [
  {
    name: 'WebSocket echo',
    prepare: scenarios.wsEcho,
    cfg: { clients: 50, payload: PAYLOAD },
    limit: BARE_WS,
    warmupOps: 20000,
    rate: 'ws echoes/s (50 clients)',
    cpu: 'ws server CPU per echo',
  },
  {
    name: 'WebSocket broadcast',
    prepare: scenarios.wsBroadcast,
    cfg: { listeners: 100, triggers: 4, payload: PAYLOAD },
    limit: BARE_WS,
    warmupOps: 2000,
    rate: 'ws broadcasts/s (to 104 sessions)',
    cpu: 'ws server CPU per broadcast (104 sessions)',
  },
  {
    name: 'polling echo',
    prepare: scenarios.pollingEcho,
    cfg: { clients: 20, payload: PAYLOAD },
    limit: BARE_HTTP,
    warmupOps: 4000,
    rate: 'polling round trips/s (20 clients)',
    cpu: 'polling server CPU per round trip',
  },
  {
    name: 'polling handshakes',
    prepare: scenarios.pollingHandshakes,
    cfg: { concurrency: 20 },
    limit: BARE_HTTP,
    warmupOps: 4000,
    rate: 'polling handshakes/s',
    cpu: 'polling server CPU per handshake',
  },
  {
    name: 'WebSocket handshakes',
    prepare: scenarios.wsHandshakes,
    cfg: { concurrency: 20 },
    limit: BARE_WS,
    warmupOps: 2000,
    rate: 'ws handshakes/s',
    cpu: 'ws server CPU per handshake',
  },
];
const WARMUP_MIN_MS = 500; // per server, before the first slice, for the JIT
const WARMUP_MAX_MS = 4000;
const SETTLE_MS = 100; // after switching the load on, before the slice is measured
const SLICE_MS = 600;
const numbers = (text) => text.split(',').map(Number).filter((n) => n > 0);
const MEMORY = {
  sizes: numbers(process.env.BENCH_MEMORY_SIZES || '5000,15000').sort((a, b) => a - b),
  rounds: Number(process.env.BENCH_MEMORY_ROUNDS) || 2,
  settleMs: 300,
};
const HEARTBEAT = {
  sessions: Number(process.env.BENCH_HEARTBEAT_SESSIONS) || 15000,
  // The default interval itself: with a shorter one the pings cost less each (less of their
  // garbage lives long enough to reach the old space and a full GC), so normalising a shorter
  // interval to 25 s understates the cost (docs/benchmarks.md).
  pingInterval: Number(process.env.BENCH_HEARTBEAT_INTERVAL) || 25000,
  slices: Number(process.env.BENCH_HEARTBEAT_SLICES) || 6,
  intervalsPerSlice: 1, // a window of one interval holds one ping per session
  normalTo: 25000, // the default pingInterval the result is given for
};
const UPGRADE = { warmup: 10, perSlice: 10, concurrency: 5 };

// The sides of a phase: ours and official, and the phase's bare reference as 'limit'.
const sidesOf = (limit) => (limit && WITH_LIMIT ? ['ours', 'official', 'limit'] : ['ours', 'official']);
const moduleOf = (side, limit) => (side === 'ours' ? OURS_MODULE : side === 'official' ? OTHER_MODULE : limit);
const startServer = (side, limit, overrides) => ServerProcess.start(side, moduleOf(side, limit), undefined, undefined, overrides);
// official is always in the middle, so that both quotients pair adjacent slices
const sliceOrder = (i, sides) => (i % 2 === 0 ? sides : [...sides].reverse());
const byside = (sides, make) => Object.fromEntries(sides.map((side) => [side, make(side)]));

async function stopAll(servers) {
  await Promise.all(Object.values(servers).map((s) => s.stop()));
  agent.destroy(); // no keep-alive socket may outlive its server
}

// Loads one server until it has done `ops` operations (or WARMUP_MAX_MS has passed): on a
// loaded machine the JIT needs far longer than on an idle one, so a fixed time is not enough.
async function warmUp(server, load, ops) {
  const started = Date.now();
  const first = await server.snapshot();
  load.start();
  await sleep(WARMUP_MIN_MS);
  while (Date.now() - started < WARMUP_MAX_MS) {
    const now = await server.snapshot();
    if (now[load.counter] - first[load.counter] >= ops) break;
    await sleep(100);
  }
  await load.stop();
}

async function measureSlice(server, load) {
  load.start();
  await sleep(SETTLE_MS);
  const a = await server.snapshot();
  await sleep(SLICE_MS);
  const b = await server.snapshot();
  await load.stop();
  const ops = b[load.counter] - a[load.counter];
  return { rate: (ops * 1000) / (b.time - a.time), cpuPerOpUs: ((b.cpu - a.cpu) * 1000) / ops };
}

async function throughput(phase) {
  const sides = sidesOf(phase.limit);
  const servers = {};
  try {
    for (const side of sides) servers[side] = await startServer(side, phase.limit);
    const loads = {};
    for (const side of sides) loads[side] = await phase.prepare(servers[side], phase.cfg);
    for (const side of sides) await warmUp(servers[side], loads[side], phase.warmupOps);
    const slices = byside(sides, () => []);
    for (let i = 0; i < SLICES; i++) {
      for (const side of sliceOrder(i, sides)) slices[side].push(await measureSlice(servers[side], loads[side]));
    }
    for (const side of sides) await loads[side].close();
    return [
      row(phase.rate, '/s', phase.limit, slices, (s) => s.rate),
      row(phase.cpu, 'µs', phase.limit, slices, (s) => s.cpuPerOpUs),
    ];
  } finally {
    await stopAll(servers);
  }
}

// runs: { ours: [...], official: [...], limit?: [...] }, run i of every side measured back
// to back (or at the same time). The quotients are of values: ours / official is below 1 for a
// cost (µs, B) where ours is cheaper, above 1 for a rate (/s) where ours is faster.
function row(metric, unit, limit, runs, pick) {
  const values = byside(Object.keys(runs), (side) => runs[side].map(pick));
  // Run i of ours and run i of official ran back to back, under nearly the same machine
  // load: the median of these paired quotients is steadier than a quotient of medians.
  const quotient = (side) => median(values[side].map((v, i) => v / values.official[i]));
  const r = { metric, unit, ours: median(values.ours), official: median(values.official), oursQ: quotient('ours'), values };
  if (values.limit !== undefined) {
    r.limitName = BARE_NAMES[limit];
    r.limit = median(values.limit);
    r.limitQ = quotient('limit');
  }
  return r;
}

// How many descriptors a process may open (the server and the client process each hold one
// per session), and how many ephemeral ports one source address has.
function capacity() {
  const r = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const fds = r.stdout.trim() === 'unlimited' ? Infinity : Number(r.stdout.trim()) || 1024;
  let ports = 28232;
  try {
    const [low, high] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    ports = high - low + 1;
  } catch {}
  return { fds, ports };
}

// The source addresses idle sessions connect from: enough that no address needs more than
// 80% of the ephemeral ports (each server listens on a port of its own, and connections to
// different ports may share a local port, so the count is per server).
function sourcesFor(sessions, cap) {
  const wanted = Number(process.env.BENCH_SOURCE_ADDRESSES);
  if (wanted > 0) return wanted;
  return Math.max(1, Math.ceil(sessions / (0.8 * cap.ports)));
}

function checkCapacity(sessions, cap) {
  if (sessions + 200 > cap.fds) {
    throw new Error(`${sessions} idle sessions need more file descriptors than \`ulimit -n\` allows (${cap.fds}); raise it or lower BENCH_MEMORY_SIZES / BENCH_HEARTBEAT_SESSIONS`);
  }
}

// Memory per idle WebSocket session at each size, in one fresh server process per side and
// round: full GCs, the baseline, then sessions opened up to each size in turn (from a client
// process), full GCs again: the increase over the baseline ÷ the sessions.
async function memorySide(side, cap) {
  const server = await startServer(side, BARE_WS);
  const clients = await IdleClients.start();
  try {
    const before = await server.memory();
    const result = {};
    let open = 0;
    for (const size of MEMORY.sizes) {
      await clients.open(server.port, size - open, { sources: sourcesFor(size, cap) });
      open = size;
      await sleep(MEMORY.settleMs);
      const after = await server.memory();
      if (after.clientsCount !== size) throw new Error(`${side}: expected ${size} sessions, the server has ${after.clientsCount}`);
      result[size] = { heapUsed: (after.heapUsed - before.heapUsed) / size, rss: (after.rss - before.rss) / size };
    }
    await clients.close();
    return result;
  } finally {
    await clients.stop();
    await stopAll({ server });
  }
}

async function memory() {
  const cap = capacity();
  checkCapacity(MEMORY.sizes[MEMORY.sizes.length - 1], cap);
  const sides = sidesOf(BARE_WS);
  const runs = byside(sides, () => []);
  for (let i = 0; i < MEMORY.rounds; i++) {
    for (const side of sliceOrder(i, sides)) runs[side].push(await memorySide(side, cap));
  }
  const rows = [];
  for (const kind of ['heapUsed', 'rss']) {
    for (const size of MEMORY.sizes) {
      rows.push(row(`${kind} per idle ws session (${size.toLocaleString('en-US')})`, 'B', BARE_WS, runs, (r) => r[size][kind]));
    }
  }
  return rows;
}

// The CPU that idle sessions cost for their heartbeats alone. Every side's server runs at
// once with HEARTBEAT.sessions idle sessions (each side's own client process answering every
// ping with a pong); windows of one pingInterval, the same windows for all sides, hold one
// ping per session. The server's CPU in the windows ÷ the pings its clients received is the
// cost of one ping and its pong, and × sessions / 25 s what the sessions cost per second at
// the default pingInterval of 25 s (the interval measured, unless BENCH_HEARTBEAT_INTERVAL
// set a shorter one).
async function heartbeat() {
  const cap = capacity();
  const n = HEARTBEAT.sessions;
  checkCapacity(n, cap);
  const sides = sidesOf(BARE_WS);
  const servers = {};
  const clients = {};
  try {
    for (const side of sides) {
      servers[side] = await startServer(side, BARE_WS, { pingInterval: HEARTBEAT.pingInterval });
      clients[side] = await IdleClients.start();
      await clients[side].open(servers[side].port, n, { sources: sourcesFor(n, cap) });
    }
    // Full GCs first, so that the garbage of opening the sessions is not collected inside a
    // window and counted as heartbeat; then one interval, so that every session has had a
    // ping (the JIT is warm, and their per-session state is as it stays).
    await Promise.all(sides.map((side) => servers[side].memory()));
    await sleep(HEARTBEAT.pingInterval + 500);
    const snap = () => Promise.all(sides.map((side) => Promise.all([servers[side].snapshot(), clients[side].stats()])));
    const slices = byside(sides, () => []);
    for (let i = 0; i < HEARTBEAT.slices; i++) {
      const a = await snap();
      await sleep(HEARTBEAT.pingInterval * HEARTBEAT.intervalsPerSlice);
      const b = await snap();
      sides.forEach((side, k) => {
        const [sa, ca] = a[k];
        const [sb, cb] = b[k];
        if (cb.lost !== 0 || sb.clientsCount !== n) throw new Error(`${side}: ${cb.lost} idle sessions lost, the server has ${sb.clientsCount} of ${n}`);
        const pings = cb.pings - ca.pings;
        slices[side].push({ cpuMs: sb.cpu - sa.cpu, pings, cpuPerPingUs: ((sb.cpu - sa.cpu) * 1000) / pings });
      });
    }
    const expected = n * HEARTBEAT.intervalsPerSlice;
    const perWindow = (pick) => sides.map((side) => `${side} [${slices[side].map(pick).join(' ')}]`).join(' ');
    const notes = [
      `heartbeat CPU per ping + pong, each window (µs): ${perWindow((s) => formatNumber(s.cpuPerPingUs))}`,
      `pings per window (${expected} expected): ${perWindow((s) => s.pings)}`,
    ];
    // The figure is the total over all windows (CPU ÷ pings), not a median of windows: the
    // garbage the pings make is collected by an occasional full GC (hundreds of ms of CPU on
    // a heap of 15,000 sessions), which lands in one window, and is part of what they cost.
    const total = byside(sides, (side) => {
      const cpu = slices[side].reduce((sum, s) => sum + s.cpuMs, 0);
      const pings = slices[side].reduce((sum, s) => sum + s.pings, 0);
      const cpuPerPingUs = (cpu * 1000) / pings;
      return [{ cpuPerPingUs, msPerSecond: (cpuPerPingUs * n) / HEARTBEAT.normalTo }];
    });
    const count = n.toLocaleString('en-US');
    return Object.assign(
      [
        row(`heartbeat CPU per ping + pong (${count} sessions)`, 'µs', BARE_WS, total, (s) => s.cpuPerPingUs),
        row(`heartbeat CPU of ${count} idle sessions, pingInterval 25 s`, 'ms/s', BARE_WS, total, (s) => s.msPerSecond),
      ],
      { notes },
    );
  } finally {
    await Promise.all(Object.values(clients).map((c) => c.stop()));
    await stopAll(servers);
  }
}

async function upgrade() {
  const sides = sidesOf(null);
  const servers = {};
  try {
    for (const side of sides) servers[side] = await startServer(side);
    for (const side of sides) await scenarios.upgradeBatch(servers[side], UPGRADE.warmup, UPGRADE.concurrency);
    const times = byside(sides, () => []);
    for (let i = 0; i < SLICES; i++) {
      for (const side of sliceOrder(i, sides)) {
        times[side].push(...(await scenarios.upgradeBatch(servers[side], UPGRADE.perSlice, UPGRADE.concurrency)));
      }
    }
    const all = byside(sides, (side) => [times[side]]);
    return [
      row('upgrade time, median', 'ms', null, all, (t) => median(t)),
      row('upgrade time, p90', 'ms', null, all, (t) => percentile(t, 0.9)),
    ];
  } finally {
    await stopAll(servers);
  }
}

function officialVersion() {
  const file = path.join(__dirname, '..', 'node_modules', 'engine.io', 'package.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')).version;
}

const loadAverage = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

async function main() {
  const started = Date.now();
  const ours = OURS_MODULE === 'ours' ? 'engine.io-ts (dist/)' : 'OFFICIAL engine.io as "ours" (calibration run)';
  const other = METRICS_AB ? 'engine.io-ts with metrics: false' : `engine.io@${officialVersion()}`;
  const limit = WITH_LIMIT ? ', limit: bare ws (WebSocket rows) and bare node:http (polling rows)' : '';
  console.log(`server benchmark: ${ours} vs ${other}${limit}`);
  console.log(`node ${process.version}, ${os.cpus().length} cpus, load average ${loadAverage()}; ${SLICES} alternating slices of ${SLICE_MS} ms per server per row`);
  const cap = capacity();
  console.log(
    `idle sessions: memory at ${MEMORY.sizes.join(', ')} (${MEMORY.rounds} rounds), heartbeat ${HEARTBEAT.sessions} at pingInterval ${HEARTBEAT.pingInterval} ms ` +
      `(${HEARTBEAT.slices} windows of ${HEARTBEAT.intervalsPerSlice} interval${HEARTBEAT.intervalsPerSlice > 1 ? 's' : ''}` +
      `${HEARTBEAT.pingInterval === HEARTBEAT.normalTo ? '' : ', normalised to 25 s'}); ulimit -n ${cap.fds}, ${cap.ports} ephemeral ports`,
  );
  const only = (process.env.BENCH_ONLY || '').toLowerCase();
  const phases = [
    ...THROUGHPUT.map((phase) => ({ name: phase.name, run: () => throughput(phase) })),
    { name: 'idle WebSocket memory', run: memory },
    { name: 'idle WebSocket heartbeat', run: heartbeat },
    { name: 'upgrade', run: upgrade },
  ].filter((phase) => !only || only.split(',').some((word) => phase.name.toLowerCase().includes(word.trim())));
  const rows = [];
  for (const phase of phases) {
    const t = Date.now();
    const phaseRows = await phase.run();
    rows.push(...phaseRows);
    console.log(`  ${phase.name} (${((Date.now() - t) / 1000).toFixed(1)} s, load average ${loadAverage()})`);
    for (const r of phaseRows) {
      if (r.values.ours.length < 2) continue;
      const list = (side) => `${side} [${r.values[side].map(formatNumber).join(' ')}]`;
      console.log(`    ${r.metric}: ${Object.keys(r.values).map(list).join(' ')}`);
    }
    for (const note of phaseRows.notes || []) console.log(`    ${note}`);
  }
  console.log('');
  printTable(rows, console.log, METRICS_AB ? ['metrics on (default)', 'metrics: false'] : undefined);
  console.log(`total ${((Date.now() - started) / 1000).toFixed(1)} s, load average ${loadAverage()}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error('server benchmark harness failed:', err);
    process.exit(1);
  },
);
