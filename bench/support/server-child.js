'use strict';
// One Engine.IO server in its own process, so its CPU time (process.cpuUsage) belongs to
// the server alone and not to the load generator. Started by bench/server.js with
// `fork(__filename, [impl])`; it echoes every message back, and answers snapshots over IPC.
//   impl: 'ours' (engine.io-ts, the built dist/), 'ours-metrics-off' (the same with the option
//   `metrics: false`, to measure what the counters cost) or 'official' (engine.io@6 from npm)
const http = require('node:http');
const { SERVER_OPTIONS } = require('./options');

const impl = process.argv[2];
const isOurs = impl === 'ours' || impl === 'ours-metrics-off';
const eio = isOurs ? require('engine.io-ts') : require(process.env.BENCH_OFFICIAL_MODULE || 'engine.io');

// Counters are read together with the CPU clock in one snapshot, in this process, so a
// rate and a CPU-per-operation always cover exactly the same interval.
let connections = 0;
let messages = 0;
let upgrades = 0;

const httpServer = http.createServer();
const engine = eio.attach(httpServer, impl === 'ours-metrics-off' ? { ...SERVER_OPTIONS, metrics: false } : { ...SERVER_OPTIONS });

function onMessage(data) {
  messages++;
  this.send(data);
}
function onUpgrade() {
  upgrades++;
}
engine.on('connection', (socket) => {
  connections++;
  socket.on('message', onMessage);
  socket.on('upgrade', onUpgrade);
});

function collect() {
  for (let i = 0; i < 4; i++) global.gc();
}

function snapshot() {
  const cpu = process.cpuUsage();
  return {
    time: Number(process.hrtime.bigint()) / 1e6, // ms
    cpu: (cpu.user + cpu.system) / 1000, // ms
    connections,
    messages,
    upgrades,
    clientsCount: engine.clientsCount,
  };
}

process.on('message', (msg) => {
  let reply;
  switch (msg.cmd) {
    case 'snapshot':
      reply = snapshot();
      break;
    case 'memory':
      if (msg.gc !== false) collect();
      reply = { ...process.memoryUsage(), clientsCount: engine.clientsCount };
      break;
    case 'exit':
      // A normal exit, so that --cpu-prof (BENCH_CPU_PROF) can write its profile.
      process.exit(0);
      break;
    default:
      reply = { error: `unknown command ${msg.cmd}` };
  }
  process.send({ id: msg.id, ...reply });
});

// The parent going away must never leave an orphan server behind.
process.on('disconnect', () => process.exit(0));

httpServer.listen(0, '127.0.0.1', () => {
  collect();
  process.send({ ready: true, port: httpServer.address().port, impl });
});
