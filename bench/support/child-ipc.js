'use strict';
// The IPC side of the benchmark children. answerCommands() serves any child's commands
// (the server children here, the idle clients, bench/socketio.js's servers); serveIpc() is
// what every server child (server-child.js, bare-ws-server.js, bare-http-server.js) answers:
// `snapshot`, `memory` and `exit` (bench/support/server-process.js), and `ready` with the port
// once listening. `state()` returns the child's counters { connections, messages, upgrades,
// clientsCount }.

function collect() {
  for (let i = 0; i < 4; i++) global.gc();
}

/**
 * Answers the parent's commands, each `{ id, cmd, ... }`, with `handlers[cmd](msg, reply)`;
 * `reply(fields)` sends `{ id, ...fields }`. `exit` ends the process normally (so that
 * --cpu-prof, BENCH_CPU_PROF, can write its profile), an unknown command is answered with an
 * error, and the parent going away ends the process: never an orphan left behind.
 */
function answerCommands(handlers) {
  process.on('message', (msg) => {
    const reply = (fields) => process.send({ id: msg.id, ...fields });
    if (msg.cmd === 'exit') process.exit(0);
    else if (Object.hasOwn(handlers, msg.cmd)) handlers[msg.cmd](msg, reply);
    else reply({ error: `unknown command ${msg.cmd}` });
  });
  process.on('disconnect', () => process.exit(0));
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

  answerCommands({
    snapshot(msg, reply) {
      reply(snapshot());
    },
    memory(msg, reply) {
      if (msg.gc !== false) collect();
      reply({ ...process.memoryUsage(), clientsCount: state().clientsCount });
    },
  });

  httpServer.listen(0, '127.0.0.1', () => {
    collect();
    process.send({ ready: true, port: httpServer.address().port, impl });
  });
}

module.exports = { answerCommands, serveIpc };
