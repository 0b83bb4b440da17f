'use strict';
// The workloads. A throughput workload is a `prepare(server, cfg)` that returns a load
// `{ start(), stop(), close() }` for one server; bench/server.js switches the load between
// the two servers in short alternating slices. Rates and CPU costs come from two
// snapshots taken inside the server process (its own clock, its own counters, its own
// process.cpuUsage()).
const { setTimeout: sleep } = require('node:timers/promises');
const {
  openWebSocket,
  nextMessage,
  pollingHandshake,
  pollingGet,
  PollingEchoClient,
  WsEchoClient,
  WsBroadcastTrigger,
  openListener,
  wsHandshake,
} = require('./raw-clients');

async function inBatches(count, batch, fn) {
  const results = [];
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i);
    results.push(...(await Promise.all(Array.from({ length: n }, (_, j) => fn(i + j)))));
  }
  return results;
}

// `cfg.clients` echo clients of one kind, opened 50 at a time.
function openEchoClients(Client, server, cfg) {
  return inBatches(cfg.clients, 50, async () => {
    const c = new Client(server.port, cfg.payload);
    await c.open();
    return c;
  });
}

// N WebSocket sessions, each keeping one message in flight; counted by the server's
// `messages` counter (one per echo).
async function wsEcho(server, cfg) {
  const clients = await openEchoClients(WsEchoClient, server, cfg);
  return {
    counter: 'messages',
    start() {
      for (const c of clients) c.start();
    },
    async stop() {
      for (const c of clients) c.stop();
      await sleep(30); // let the frames in flight come back
    },
    close() {
      for (const c of clients) c.close();
    },
  };
}

// One message to every session: `cfg.triggers` sessions each keep one broadcast in flight (the
// server sends a `4B…` message to all its sessions, the sender included), `cfg.listeners` more
// only receive; counted by the server's `broadcasts` counter. Closing checks that every
// listener received every broadcast of the row, so no server passes by sending less.
async function wsBroadcast(server, cfg) {
  const listeners = await inBatches(cfg.listeners, 50, () => openListener(server.port));
  const triggers = await inBatches(cfg.triggers, 50, async (i) => {
    const t = new WsBroadcastTrigger(server.port, i, cfg.payload);
    await t.open();
    return t;
  });
  return {
    counter: 'broadcasts',
    start() {
      for (const t of triggers) t.start();
    },
    async stop() {
      for (const t of triggers) t.stop();
      await sleep(50); // let the broadcasts in flight arrive
    },
    async close() {
      const { broadcasts } = await server.snapshot();
      const started = Date.now();
      while (listeners.some((ws) => ws.received < broadcasts) && Date.now() - started < 2000) await sleep(20);
      for (const ws of listeners) ws.terminate();
      for (const t of triggers) t.close();
      const short = listeners.filter((ws) => ws.received !== broadcasts).length;
      if (short > 0) throw new Error(`${short} of ${listeners.length} listeners did not receive all ${broadcasts} broadcasts`);
    },
  };
}

// N polling sessions, each keeping one round trip (POST `4...` + GET with the echo) in
// flight; counted by the server's `messages` counter.
async function pollingEcho(server, cfg) {
  const clients = await openEchoClients(PollingEchoClient, server, cfg);
  return {
    counter: 'messages',
    start() {
      for (const c of clients) c.start();
    },
    async stop() {
      await Promise.all(clients.map((c) => c.stop()));
    },
    close() {},
  };
}

// `concurrency` loops, each opening a handshake after another; counted by the server's
// `connections` counter. `open(port)` performs one handshake.
function handshakeLoops(server, cfg, open) {
  let running = false;
  let loops = [];
  const loop = async () => {
    while (running) await open(server.port);
  };
  return {
    counter: 'connections',
    start() {
      running = true;
      loops = Array.from({ length: cfg.concurrency }, loop);
    },
    async stop() {
      running = false;
      await Promise.all(loops);
    },
    close() {},
  };
}

// GET ?EIO=4&transport=polling, read the open packet. The sessions stay open (idle).
async function pollingHandshakes(server, cfg) {
  return handshakeLoops(server, cfg, pollingHandshake);
}

// A WebSocket session opened (over raw TCP), its open packet read, closed again.
async function wsHandshakes(server, cfg) {
  return handshakeLoops(server, cfg, wsHandshake);
}

// One upgrade as engine.io-client does it: a polling session with a GET pending, then a
// WebSocket with the sid: `2probe` -> `3probe`, the pending GET released, `5`. Measured
// from the WebSocket connect (the probe start) until the server has switched transports,
// proven by a message echoed back on the WebSocket after `5`.
async function upgradeOnce(port) {
  const sid = await pollingHandshake(port);
  const pending = pollingGet(port, sid);
  const start = process.hrtime.bigint();
  const ws = await openWebSocket(port, sid);
  const pong = nextMessage(ws);
  ws.send('2probe');
  if ((await pong) !== '3probe') throw new Error('no 3probe');
  await pending;
  const echo = nextMessage(ws);
  ws.send('5');
  ws.send('4u');
  const reply = await echo;
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (reply !== '4u') throw new Error(`expected the echo after the upgrade, got ${JSON.stringify(reply)}`);
  ws.terminate();
  return ms;
}

// `count` upgrades, `concurrency` at a time; returns every duration in ms.
function upgradeBatch(server, count, concurrency) {
  return inBatches(count, concurrency, () => upgradeOnce(server.port));
}

module.exports = { wsEcho, wsBroadcast, pollingEcho, pollingHandshakes, wsHandshakes, upgradeBatch };
