#!/usr/bin/env node
'use strict';
// Server benchmark: engine.io-ts against the official engine.io@6, same options, same load,
// in one run.
//   node scripts/build.js && node --expose-gc bench/server.js
// Each server runs in its own child process, so its process.cpuUsage() is its own; the load
// comes from this process. For the throughput rows both servers are up at once and the load
// switches between them in short alternating slices (A B B A A B ...); the columns are
// medians over the slices and the ratio is the median of the ratios of adjacent slices,
// which cancels most of the drift of a shared, noisy machine (see docs/benchmarks.md).
// Environment: BENCH_SLICES (slices per server, default 10), BENCH_OURS=official (load the
// official server on both sides, to see how large the noise is), BENCH_ONLY=<words>
// (comma-separated: run only the phases whose name contains one, e.g. `polling echo`),
// BENCH_CPU_PROF=<dir> (V8 CPU profiles of the server processes), BENCH_OFFICIAL_MODULE=<path>
// (the package the 'official' side loads instead of engine.io: an earlier build of ours, to
// measure one change), BENCH_METRICS=off (the 'official' side is engine.io-ts with `metrics:
// false`, the 'ours' side engine.io-ts with its default counters: what metrics cost, e.g.
// `BENCH_METRICS=off BENCH_ONLY=echo`).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const { ServerProcess } = require('./support/server-process');
const scenarios = require('./support/scenarios');
const { median, percentile, formatNumber, printTable } = require('./support/stats');
const { agent } = require('./support/raw-clients');

const SLICES = Number(process.env.BENCH_SLICES) || 10;
const OURS_MODULE = process.env.BENCH_OURS === 'official' ? 'official' : 'ours';
const METRICS_AB = process.env.BENCH_METRICS === 'off';
const OTHER_MODULE = METRICS_AB ? 'ours-metrics-off' : 'official';
const PAYLOAD = 'hello engine.io, this is a 48 byte message body!';
const SIDES = ['ours', 'official'];

const THROUGHPUT = [
  {
    name: 'WebSocket echo',
    prepare: scenarios.wsEcho,
    cfg: { clients: 50, payload: PAYLOAD },
    warmupOps: 20000,
    rate: 'ws echoes/s (50 clients)',
    cpu: 'ws server CPU per echo',
  },
  {
    name: 'polling echo',
    prepare: scenarios.pollingEcho,
    cfg: { clients: 20, payload: PAYLOAD },
    warmupOps: 4000,
    rate: 'polling round trips/s (20 clients)',
    cpu: 'polling server CPU per round trip',
  },
  {
    name: 'polling handshakes',
    prepare: scenarios.pollingHandshakes,
    cfg: { concurrency: 20 },
    warmupOps: 4000,
    rate: 'polling handshakes/s',
    cpu: 'polling server CPU per handshake',
  },
  {
    name: 'WebSocket handshakes',
    prepare: scenarios.wsHandshakes,
    cfg: { concurrency: 20 },
    warmupOps: 2000,
    rate: 'ws handshakes/s',
    cpu: 'ws server CPU per handshake',
  },
];
const WARMUP_MIN_MS = 500; // per server, before the first slice, for the JIT
const WARMUP_MAX_MS = 4000;
const SETTLE_MS = 100; // after switching the load on, before the slice is measured
const SLICE_MS = 600;
const MEMORY = { connections: 2000, settleMs: 300, rounds: 2 };
const UPGRADE = { warmup: 10, perSlice: 10, concurrency: 5 };

const startServer = (side) => ServerProcess.start(side, side === 'ours' ? OURS_MODULE : OTHER_MODULE);
const sliceOrder = (i) => (i % 2 === 0 ? SIDES : [...SIDES].reverse());

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
  const servers = { ours: await startServer('ours'), official: await startServer('official') };
  try {
    const loads = {};
    for (const side of SIDES) loads[side] = await phase.prepare(servers[side], phase.cfg);
    for (const side of SIDES) await warmUp(servers[side], loads[side], phase.warmupOps);
    const slices = { ours: [], official: [] };
    for (let i = 0; i < SLICES; i++) {
      for (const side of sliceOrder(i)) slices[side].push(await measureSlice(servers[side], loads[side]));
    }
    for (const side of SIDES) loads[side].close();
    return [
      row(phase.rate, '/s', true, slices, (s) => s.rate),
      row(phase.cpu, 'µs', false, slices, (s) => s.cpuPerOpUs),
    ];
  } finally {
    await stopAll(servers);
  }
}

function row(metric, unit, higherIsBetter, runs, pick) {
  const values = { ours: runs.ours.map(pick), official: runs.official.map(pick) };
  // Slice i of ours and slice i of official ran back to back, under nearly the same
  // machine load: the median of these paired ratios is steadier than a ratio of medians.
  const paired = values.ours.map((v, i) => (higherIsBetter ? v / values.official[i] : values.official[i] / v));
  return { metric, unit, higherIsBetter, ours: median(values.ours), official: median(values.official), ratio: median(paired), values };
}

// Memory needs a fresh process per measurement (a clean baseline), one side after the other.
async function memory() {
  const runs = { ours: [], official: [] };
  for (let i = 0; i < MEMORY.rounds; i++) {
    for (const side of sliceOrder(i)) {
      const server = await startServer(side);
      try {
        runs[side].push(await scenarios.idleMemory(server, MEMORY));
      } finally {
        await stopAll({ server });
      }
    }
  }
  return [
    row(`heap+external per idle ws conn (${MEMORY.connections})`, 'B', false, runs, (r) => r.heapPerConn),
    row(`RSS per idle ws conn (${MEMORY.connections})`, 'B', false, runs, (r) => r.rssPerConn),
  ];
}

async function upgrade() {
  const servers = { ours: await startServer('ours'), official: await startServer('official') };
  try {
    for (const side of SIDES) await scenarios.upgradeBatch(servers[side], UPGRADE.warmup, UPGRADE.concurrency);
    const times = { ours: [], official: [] };
    for (let i = 0; i < SLICES; i++) {
      for (const side of sliceOrder(i)) {
        times[side].push(...(await scenarios.upgradeBatch(servers[side], UPGRADE.perSlice, UPGRADE.concurrency)));
      }
    }
    const all = { ours: [times.ours], official: [times.official] };
    return [
      row('upgrade time, median', 'ms', false, all, (t) => median(t)),
      row('upgrade time, p90', 'ms', false, all, (t) => percentile(t, 0.9)),
    ];
  } finally {
    await stopAll(servers);
  }
}

function officialVersion() {
  const file = path.join(__dirname, '..', 'node_modules', 'engine.io', 'package.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')).version;
}

async function main() {
  const started = Date.now();
  const ours = OURS_MODULE === 'ours' ? 'engine.io-ts (dist/)' : 'OFFICIAL engine.io as "ours" (calibration run)';
  const other = METRICS_AB ? 'engine.io-ts with metrics: false' : `engine.io@${officialVersion()}`;
  console.log(`server benchmark: ${ours} vs ${other}`);
  console.log(`node ${process.version}, ${os.cpus().length} cpus, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ${SLICES} alternating slices of ${SLICE_MS} ms per server per row`);
  const only = (process.env.BENCH_ONLY || '').toLowerCase();
  const phases = [
    ...THROUGHPUT.map((phase) => ({ name: phase.name, run: () => throughput(phase) })),
    { name: 'idle WebSocket memory', run: memory },
    { name: 'upgrade', run: upgrade },
  ].filter((phase) => !only || only.split(',').some((word) => phase.name.toLowerCase().includes(word.trim())));
  const rows = [];
  for (const phase of phases) {
    const t = Date.now();
    const phaseRows = await phase.run();
    rows.push(...phaseRows);
    console.log(`  ${phase.name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    for (const r of phaseRows) {
      if (r.values.ours.length < 2) continue;
      console.log(`    ${r.metric}: ours [${r.values.ours.map(formatNumber).join(' ')}] official [${r.values.official.map(formatNumber).join(' ')}]`);
    }
  }
  console.log('');
  printTable(rows, console.log, METRICS_AB ? ['metrics on (default)', 'metrics: false'] : undefined);
  console.log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error('server benchmark harness failed:', err);
    process.exit(1);
  },
);
