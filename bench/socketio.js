#!/usr/bin/env node
'use strict';
// Socket.IO benchmark: the official socket.io@4 server bound (io.bind) to engine.io-ts,
// against socket.io@4 on its own engine (engine.io@6), same options, same load, one run.
//   node scripts/build.js && node --expose-gc bench/socketio.js
// The socket.io server runs in a child process (this file with --child), so its
// process.cpuUsage() is the server's alone; the clients live in this process. The clients
// are light raw WebSocket clients speaking the Engine.IO v4 / Socket.IO v5 wire protocol
// (what socket.io-client@4 sends), so the server rather than the clients is the bottleneck.
// Both servers stay up with their clients connected; rounds alternate between them
// (A B B A A B ...) and a row is the median over rounds, its ratio the median of the ratios of paired rounds.
// Environment: SIO_BENCH_ROUNDS (rounds per engine, default 5), SIO_BENCH_OURS=official (the
// official engine on both sides, to see the noise of the harness).
const http = require('node:http');
const { answerCommands } = require('./support/child-ipc');

const SIO_PATH = '/socket.io/';
// One options object for both engines. Slow heartbeats (no ping inside a measurement) and
// no compression: the official engine.io@6 defaults for perMessageDeflate/httpCompression
// are off, ours are on; both run without here.
const ENGINE_OPTIONS = Object.freeze({
  pingInterval: 25000,
  pingTimeout: 20000,
  maxHttpBufferSize: 1e6,
  perMessageDeflate: false,
  httpCompression: false,
});

// ---------------------------------------------------------------- server child ----
if (process.argv[2] === '--child') {
  const impl = process.argv[3];
  const eio = impl === 'ours' ? require('engine.io-ts') : require('engine.io');
  const { Server } = require('socket.io');
  const httpServer = http.createServer();
  const engine = new eio.Server({ ...ENGINE_OPTIONS });
  engine.attach(httpServer, { path: SIO_PATH });
  const io = new Server({ serveClient: false });
  io.bind(engine);
  let echoes = 0;
  io.on('connection', (socket) => {
    socket.on('echo', (data, ack) => {
      echoes++;
      ack(data);
    });
  });
  const payloadOf = (n) => ({ text: 'x'.repeat(n), n });

  const snapshot = () => {
    const cpu = process.cpuUsage();
    return { cpuMs: (cpu.user + cpu.system) / 1000, echoes, sockets: io.of('/').sockets.size };
  };
  answerCommands({
    gc(msg, reply) {
      for (let i = 0; i < 3; i++) global.gc?.();
      reply(snapshot());
    },
    snapshot(msg, reply) {
      reply(snapshot());
    },
    broadcast(msg, reply) {
      // emit `count` broadcasts, yielding to I/O between them as a real server would
      const payload = payloadOf(msg.size);
      let seq = 0;
      const start = snapshot();
      const next = () => {
        io.emit('b', seq++, payload);
        if (seq < msg.count) setImmediate(next);
        else reply({ start });
      };
      next();
    },
  });
  httpServer.listen(0, '127.0.0.1', () => process.send({ ready: true, port: httpServer.address().port }));
  return;
}

// ---------------------------------------------------------------- parent ----
const fs = require('node:fs');
const path = require('node:path');
const WebSocket = require('ws');
const { ServerProcess } = require('./support/server-process');

/** The installed version of a dependency (some packages do not export package.json). */
function versionOf(name) {
  const file = path.join(path.dirname(require.resolve(name)), '..');
  for (let dir = file; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      const json = JSON.parse(fs.readFileSync(pj, 'utf8'));
      if (json.name === name) return json.version;
    }
  }
  return '?';
}

const ROUNDS = Number(process.env.SIO_BENCH_ROUNDS) || 5;
const OURS_MODULE = process.env.SIO_BENCH_OURS === 'official' ? 'official' : 'ours';
const BROADCAST = { clients: 1000, count: 50, warmup: 10, size: 100 };
const ECHO = { clients: 100, perClient: 100, warmup: 10, size: 100 };
const DEADLINE_MS = 110_000; // the whole run stays under ~2 minutes
const started = Date.now();

/**
 * A socket.io client reduced to its wire protocol: WebSocket transport, Engine.IO v4
 * (answers pings), Socket.IO v5 CONNECT to '/', event packets, acknowledgements.
 */
class WireClient {
  constructor(port) {
    this.ws = new WebSocket(`ws://127.0.0.1:${port}${SIO_PATH}?EIO=4&transport=websocket`, { perMessageDeflate: false });
    this.events = 0;
    this.lastEvent = null;
    this.onEvent = null;
    this.onAck = null;
    this.ready = new Promise((resolve, reject) => {
      this.ws.on('error', reject);
      this.ws.on('message', (data) => {
        const text = data.toString();
        const c0 = text.charCodeAt(0);
        if (c0 === 52 /* '4' message */) {
          const c1 = text.charCodeAt(1);
          if (c1 === 50 /* '2' EVENT */) {
            this.events++;
            this.lastEvent = text;
            if (this.onEvent !== null) this.onEvent();
          } else if (c1 === 51 /* '3' ACK */) {
            if (this.onAck !== null) this.onAck(text);
          } else if (c1 === 48 /* '0' CONNECT */) {
            resolve(this);
          } else if (c1 === 52 /* '4' CONNECT_ERROR */) {
            reject(new Error(`connect error: ${text}`));
          }
        } else if (c0 === 50 /* '2' ping */) {
          this.ws.send('3');
        } else if (c0 === 48 /* '0' open */) {
          this.ws.send('40');
        }
      });
    });
  }
  close() {
    this.ws.terminate();
  }
}

async function connectClients(port, n, batch = 100) {
  const clients = [];
  for (let i = 0; i < n; i += batch) {
    const group = [];
    for (let j = i; j < Math.min(n, i + batch); j++) group.push(new WireClient(port));
    await Promise.all(group.map((c) => c.ready));
    clients.push(...group);
  }
  return clients;
}

function closeClients(clients) {
  for (const c of clients) c.close();
}

/** Resolves when the clients together have received `total` more events. */
function deliveries(clients, total) {
  return new Promise((resolve) => {
    let left = total;
    const onEvent = () => {
      if (--left === 0) {
        for (const c of clients) c.onEvent = null;
        resolve();
      }
    };
    for (const c of clients) c.onEvent = onEvent;
  });
}

/** Both engines' children, each with its clients connected, kept for every round. */
async function startSide(module) {
  const child = await ServerProcess.start(module, module, __filename, ['--child', module]);
  const clients = await connectClients(child.port, BROADCAST.clients);
  return { child, clients, warm: { broadcast: false, echo: false } };
}

async function stopSide(side) {
  closeClients(side.clients);
  await side.child.stop();
}

async function broadcastRound(side) {
  const { child, clients } = side;
  const { clients: n, count, warmup, size } = BROADCAST;
  if (!side.warm.broadcast) {
    // the first time: a warm-up for the JIT
    const done = deliveries(clients, n * warmup);
    await child.request('broadcast', { count: warmup, size });
    await done;
    side.warm.broadcast = true;
  }
  for (const c of clients) c.events = 0;
  const before = await child.request('gc');
  const done = deliveries(clients, n * count);
  const t0 = process.hrtime.bigint();
  await child.request('broadcast', { count, size });
  await done;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const after = await child.request('snapshot');
  // correctness, cheaply: every client got every broadcast, the last one intact
  for (const c of clients) {
    if (c.events !== count) throw new Error(`a client got ${c.events} of ${count} broadcasts`);
    const [, seq, payload] = JSON.parse(c.lastEvent.slice(2));
    if (seq !== count - 1 || payload.text.length !== size) throw new Error(`bad last broadcast: ${c.lastEvent.slice(0, 60)}`);
  }
  return { rate: (count * 1000) / ms, cpuUs: ((after.cpuMs - before.cpuMs) * 1000) / count, ms };
}

/** Each client keeps one acknowledged emit in flight, `perClient` times. */
function echoRun(clients, perClient, size) {
  const body = JSON.stringify('e'.repeat(size));
  return Promise.all(
    clients.map(
      (c) =>
        new Promise((resolve, reject) => {
          let sent = 0;
          const send = () => c.ws.send(`42${sent}["echo",${body}]`);
          c.onAck = (text) => {
            if (!text.startsWith(`43${sent}[`)) return reject(new Error(`unexpected ack ${text.slice(0, 40)}`));
            if (++sent === perClient) {
              c.onAck = null;
              resolve();
            } else send();
          };
          send();
        }),
    ),
  );
}

async function echoRound(side) {
  const { child } = side;
  // the first ECHO.clients of the connected clients; the others stay connected and idle
  const clients = side.clients.slice(0, ECHO.clients);
  const { clients: n, perClient, warmup, size } = ECHO;
  if (!side.warm.echo) {
    await echoRun(clients, warmup, size);
    side.warm.echo = true;
  }
  const before = await child.request('gc');
  const t0 = process.hrtime.bigint();
  await echoRun(clients, perClient, size);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const after = await child.request('snapshot');
  const trips = n * perClient;
  if (after.echoes - before.echoes !== trips) throw new Error(`server counted ${after.echoes - before.echoes} echoes, expected ${trips}`);
  return { rate: (trips * 1000) / ms, cpuUs: ((after.cpuMs - before.cpuMs) * 1000) / trips, ms };
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (v) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(Math.abs(v) >= 10 ? 1 : 2));

async function measure(name, round, sides) {
  const results = { ours: [], official: [] };
  for (let i = 0; i < ROUNDS; i++) {
    if (Date.now() - started > DEADLINE_MS) {
      console.log(`(${name}: stopped after ${i} rounds per engine, time budget reached)`);
      break;
    }
    const order = i % 2 === 0 ? ['ours', 'official'] : ['official', 'ours'];
    for (const side of order) {
      global.gc?.();
      const t0 = Date.now();
      const r = await round(sides[side]);
      results[side].push(r);
      console.log(`  ${name} round ${i + 1} ${side.padEnd(8)} ${fmt(r.rate).padStart(7)}/s  ${fmt(r.cpuUs).padStart(7)} µs CPU/op  (round took ${Date.now() - t0} ms)`);
    }
  }
  return results;
}

function rows(name, results, rateUnit, cpuUnit) {
  const { ours, official } = results;
  const pairs = Math.min(ours.length, official.length);
  const pairRatios = (pick, higherIsBetter) =>
    median(Array.from({ length: pairs }, (_, i) => (higherIsBetter ? pick(ours[i]) / pick(official[i]) : pick(official[i]) / pick(ours[i]))));
  return [
    {
      metric: `${name}: ${rateUnit}`,
      ours: median(ours.map((r) => r.rate)),
      official: median(official.map((r) => r.rate)),
      ratio: pairRatios((r) => r.rate, true),
    },
    {
      metric: `${name}: ${cpuUnit}`,
      ours: median(ours.map((r) => r.cpuUs)),
      official: median(official.map((r) => r.cpuUs)),
      ratio: pairRatios((r) => r.cpuUs, false),
    },
  ];
}

function printTable(all) {
  const header = ['metric', 'socket.io on engine.io-ts', 'socket.io on engine.io@6', 'ratio'];
  const lines = all.map((r) => [r.metric, fmt(r.ours), fmt(r.official), `${r.ratio.toFixed(2)}x`]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(line(l));
  console.log('ratio > 1 means socket.io on engine.io-ts did better (more per second, or less server CPU per operation).');
  console.log(`Values are medians over ${ROUNDS} rounds per engine; the ratio is the median of the ratios of paired rounds.`);
}

async function main() {
  console.log(
    `socket.io@${versionOf('socket.io')} on ${OURS_MODULE === 'ours' ? 'engine.io-ts' : 'engine.io (calibration: official on both sides)'} vs on engine.io@${versionOf('engine.io')}`,
  );
  console.log(
    `broadcast: ${BROADCAST.clients} WebSocket clients, ${BROADCAST.count} broadcasts of ~${BROADCAST.size} B (io.emit); echo: ${ECHO.clients} clients x ${ECHO.perClient} acknowledged emits, one in flight each`,
  );
  console.log(`engine options (both): ${JSON.stringify(ENGINE_OPTIONS)}; server in a child process, CPU = its process.cpuUsage()\n`);
  const sides = {};
  let broadcast;
  let echo;
  try {
    sides.ours = await startSide(OURS_MODULE);
    sides.official = await startSide('official');
    console.log(`(${BROADCAST.clients} clients connected to each server in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    broadcast = await measure('broadcast', broadcastRound, sides);
    echo = await measure('echo', echoRound, sides);
  } finally {
    await Promise.all(Object.values(sides).map(stopSide));
  }
  const all = [
    ...rows('broadcast to 1,000', broadcast, 'broadcasts/s delivered to all', 'server CPU µs per broadcast'),
    ...rows('echo (100 clients)', echo, 'ack round trips/s', 'server CPU µs per round trip'),
  ];
  printTable(all);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
