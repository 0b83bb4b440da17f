'use strict';
// One Engine.IO server in its own process, so its CPU time (process.cpuUsage) belongs to
// the server alone and not to the load generator. Started by bench/server.js with
// `fork(__filename, [impl])`; it echoes every message back (or broadcasts it, see onMessage),
// and answers snapshots over IPC (child-ipc.js).
//   impl: 'ours' (engine.io-ts, the built dist/), 'ours-metrics-off' (the same with the option
//   `metrics: false`, to measure what the counters cost) or 'official' (engine.io@6 from npm)
const http = require('node:http');
const { childOptions } = require('./options');
const { serveIpc } = require('./child-ipc');

const impl = process.argv[2];
const isOurs = impl === 'ours' || impl === 'ours-metrics-off';
const eio = isOurs ? require('engine.io-ts') : require(process.env.BENCH_OFFICIAL_MODULE || 'engine.io');

let connections = 0;
let messages = 0;
let broadcasts = 0;
let upgrades = 0;

const httpServer = http.createServer();
const options = childOptions();
const engine = eio.attach(httpServer, impl === 'ours-metrics-off' ? { ...options, metrics: false } : options);

// Echoes every message, except that `B…` (the broadcast row) goes to every session.
function onMessage(data) {
  messages++;
  if (typeof data === 'string' && data.charCodeAt(0) === 0x42) {
    broadcasts++;
    const clients = engine.clients;
    for (const id in clients) clients[id].send(data);
  } else {
    this.send(data);
  }
}
function onUpgrade() {
  upgrades++;
}
engine.on('connection', (socket) => {
  connections++;
  socket.on('message', onMessage);
  socket.on('upgrade', onUpgrade);
});

serveIpc(httpServer, impl, () => ({ connections, messages, broadcasts, upgrades, clientsCount: engine.clientsCount }));
