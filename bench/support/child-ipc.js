'use strict';
// The IPC side of every benchmark server child (server-child.js, bare-ws-server.js,
// bare-http-server.js): it answers the parent's `snapshot`, `memory` and `exit` commands
// (bench/support/server-process.js) and reports `ready` with the port once listening.
// `state()` returns the child's counters { connections, messages, upgrades, clientsCount }.

function collect() {
  for (let i = 0; i < 4; i++) global.gc();
}

function serveIpc(httpServer, impl, state) {
  // Counters are read together with the CPU clock in one snapshot, in this process, so a
  // rate and a CPU-per-operation always cover exactly the same interval.
  function snapshot() {
    const cpu = process.cpuUsage();
    return {
      time: Number(process.hrtime.bigint()) / 1e6, // ms
      cpu: (cpu.user + cpu.system) / 1000, // ms
      ...state(),
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
        reply = { ...process.memoryUsage(), clientsCount: state().clientsCount };
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
}

module.exports = { serveIpc };
