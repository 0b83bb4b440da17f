'use strict';
// Child process for the connect/disconnect cycle test (run with --expose-gc): a server, then
// CYCLES sessions opened and closed (WebSocket and polling, v4 and v3), then the heap after GC
// and the live handles compared with a baseline taken after a warm-up. Prints one JSON line.
const WebSocket = require('ws');
const { request, sleep } = require('./index');
const { startServer } = require('./servers');
const H = require('./hardening');

const CYCLES = Number(process.argv[2] || 20000);
const WARMUP = Number(process.env.CYCLES_WARMUP || 6000);
const PARALLEL = 32;

async function oneCycle(port, i) {
  const eio = i % 4 < 2 ? 4 : 3;
  if (i % 3 !== 2) {
    // WebSocket session: open, get the open packet, close
    const ws = new WebSocket(`ws://127.0.0.1:${port}${H.PATH}?EIO=${eio}&transport=websocket`);
    await new Promise((resolve, reject) => {
      // alternate a clean close handshake and a plain TCP close
      ws.once('message', () => (i & 1 ? ws.close() : ws.terminate()));
      ws.once('close', resolve);
      ws.once('error', reject);
    });
  } else {
    // polling session: handshake, then the client's close packet
    const { sid } = await H.pollHandshake(port, { eio });
    const res = await request(port, { method: 'POST', path: H.pollPath(eio, sid), body: H.payload(eio, ['1']) });
    if (res.status !== 200) throw new Error(`close POST answered ${res.status}`);
  }
}

async function run(port, from, count) {
  let next = from;
  const end = from + count;
  async function worker() {
    while (next < end) await oneCycle(port, next++);
  }
  await Promise.all(Array.from({ length: PARALLEL }, worker));
}

async function heapAfterGc() {
  for (let i = 0; i < 6; i++) {
    global.gc();
    await sleep(20);
  }
  return process.memoryUsage().heapUsed;
}

(async () => {
  // (not startEchoServer: its per-session records would grow with the cycles themselves)
  const srv = await startServer({ pingInterval: 1000, pingTimeout: 1000, allowEIO3: true });
  srv.server.on('connection', (socket) => socket.on('message', (m) => socket.send(m)));
  await run(srv.port, 0, WARMUP);
  await H.settleSessions(srv.server, 0, 5000);
  await H.settleConnections(srv.httpServer, 0, 5000);
  await sleep(100);
  const baseHeap = await heapAfterGc();
  const baseRes = H.resources();
  const t0 = Date.now();
  await run(srv.port, WARMUP, CYCLES);
  const ms = Date.now() - t0;
  await H.settleSessions(srv.server, 0, 5000);
  await H.settleConnections(srv.httpServer, 0, 5000);
  await sleep(100);
  const heap = await heapAfterGc();
  const res = H.resources();
  const out = { cycles: CYCLES, ms, baseHeap, heap, baseRes, res, clientsCount: srv.server.clientsCount, connections: await H.connections(srv.httpServer) };
  await srv.close();
  process.stdout.write(`${JSON.stringify(out)}\n`);
})().catch((err) => {
  process.stdout.write(`${JSON.stringify({ error: String((err && err.stack) || err) })}\n`);
  process.exitCode = 1;
});
