#!/usr/bin/env node
'use strict';
// Cluster benchmark: three engine.io-ts nodes on Redis behind round-robin nginx, in direct and
// in relayed mode, against one node of ours without the cluster behind the same nginx, in one
// run. Nodes are child processes (test/support/cluster-node.js), Redis a private redis-server
// on an ephemeral port (its INFO commandstats count the commands), the load comes from here.
//   node scripts/build.js && node bench/cluster.js        (BENCH_CLUSTER_MS: ms per phase, default 3000;
//   BENCH_CLUSTER_WARMUP: unmeasured rounds first, default 2)
// Rows: polling round trips/s and p50/p99 (a message up in a POST, its answer down in a GET,
// 20 clients), polling handshakes/s, WebSocket echo through a node that does not own the session
// (upgrade spliced or relayed), the latency a forwarded request adds over one sent to the owner,
// Redis commands per polling request.
const http = require('node:http');
const net = require('node:net');
const { spawn } = require('node:child_process');
const { once } = require('node:events');
const WebSocket = require('ws');
const { Group, uniquePrefix, freePort } = require('../test/support/cluster');
const { percentile, formatNumber } = require('./support/stats');

const MS = Number(process.env.BENCH_CLUSTER_MS) || 3000;
/** Unmeasured phases of the polling and ws load before the measured ones (BENCH_CLUSTER_WARMUP). */
const WARMUP_ROUNDS = process.env.BENCH_CLUSTER_WARMUP !== undefined ? Number(process.env.BENCH_CLUSTER_WARMUP) : 2;
const CLIENTS = 20;
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function req(port, method, path, body) {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port, method, path, agent, headers: body ? { 'content-type': 'text/plain;charset=UTF-8', 'content-length': Buffer.byteLength(body) } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
    });
    r.on('error', reject);
    r.end(body);
  });
}

const url = (sid) => `/engine.io/?EIO=4&transport=polling${sid ? '&sid=' + sid : ''}`;

async function handshake(port) {
  const res = await req(port, 'GET', url());
  return JSON.parse(res.text.slice(1)).sid;
}

/** `clients` loops of `op` for MS ms; resolves { rate (ops/s), p50, p99 (ms) }. */
async function load(clients, setup, op) {
  const times = [];
  const end = Date.now() + MS;
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      const state = await setup(i);
      while (Date.now() < end) {
        const t0 = process.hrtime.bigint();
        await op(state);
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  return { rate: times.length / (MS / 1000), p50: percentile(times, 0.5), p99: percentile(times, 0.99), count: times.length };
}

async function pollRoundTrip(port, sid) {
  const post = await req(port, 'POST', url(sid), '4whoami');
  if (post.status !== 200) throw new Error(`POST ${post.status} ${post.text}`);
  for (;;) {
    const get = await req(port, 'GET', url(sid));
    if (get.status !== 200) throw new Error(`GET ${get.status} ${get.text}`);
    if (get.text.includes('4node:')) return;
  }
}

/** A WebSocket to `port` for a session handshaken on `ownerPort` (upgrade with probe). */
async function upgradedWebSocket(ownerPort, port) {
  const sid = await handshake(ownerPort);
  const ws = new WebSocket(`ws://127.0.0.1:${port}/engine.io/?EIO=4&transport=websocket&sid=${sid}`, { perMessageDeflate: false });
  await once(ws, 'open');
  ws.send('2probe');
  await once(ws, 'message');
  ws.send('5');
  return ws;
}

function wsEcho(ws) {
  return new Promise((resolve) => {
    ws.once('message', resolve);
    ws.send('4whoami');
  });
}

async function commandStats(port) {
  const text = await new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = '';
    s.on('data', (c) => {
      buf += c;
      const m = /^\$(\d+)\r\n/.exec(buf);
      if (m && buf.length >= m[0].length + Number(m[1])) {
        s.destroy();
        resolve(buf.slice(m[0].length, m[0].length + Number(m[1])));
      }
    });
    s.on('error', reject);
    s.write('INFO commandstats\r\n');
  });
  let calls = 0;
  for (const line of text.split('\r\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (m) calls += Number(m[2]);
  }
  return calls;
}

async function scenario(group, name, redisPort, { nodes: count, noCluster = false, direct = true }) {
  const prefix = uniquePrefix('bench');
  const nodes = await Promise.all(
    Array.from({ length: count }, (_, i) => group.node({ nodeId: `n${i}`, prefix, secret: 'bench', redisUrl: `redis://127.0.0.1:${redisPort}`, noCluster, direct, pingInterval: 60000, pingTimeout: 60000 })),
  );
  // BENCH_CLUSTER_NGINX_KEEPALIVE=0: nginx opens a new connection to a node per request
  const lb = await group.nginx(nodes.map((n) => n.port), { keepalive: process.env.BENCH_CLUSTER_NGINX_KEEPALIVE !== '0' });
  const result = { name };
  // warm-up, the same for every scenario: three node processes each see a third of the load,
  // so their code gets hot later than a single node's (a cold 3 s phase measured 1/3 of it)
  for (let i = 0; i < WARMUP_ROUNDS; i++) {
    await load(CLIENTS, async () => handshake(lb.port), (sid) => pollRoundTrip(lb.port, sid));
    await load(CLIENTS, () => upgradedWebSocket(nodes[0].port, (nodes[1] || nodes[0]).port), wsEcho);
  }
  const before = await commandStats(redisPort);
  const rt = await load(CLIENTS, async () => handshake(lb.port), (sid) => pollRoundTrip(lb.port, sid));
  const after = await commandStats(redisPort);
  Object.assign(result, { pollRate: rt.rate, pollP50: rt.p50, pollP99: rt.p99 });
  // each round trip is at least 2 requests (POST + GET); the INFO call itself counts 1
  result.redisPerRequest = (after - before - 1) / (rt.count * 2);
  const hs = await load(CLIENTS, async () => null, () => handshake(lb.port));
  result.handshakeRate = hs.rate;
  // WebSocket echo: through a node that is not the owner (the baseline: to its only node)
  const other = nodes.length > 1 ? nodes[1] : nodes[0];
  const ws = await load(CLIENTS, () => upgradedWebSocket(nodes[0].port, other.port), wsEcho);
  Object.assign(result, { wsRate: ws.rate, wsP50: ws.p50, wsP99: ws.p99 });
  if (nodes.length > 1) {
    // one client, sequential: a POST to the owner, against the same POST to another node
    const sid = await handshake(nodes[0].port);
    const local = await load(1, async () => sid, () => req(nodes[0].port, 'POST', url(sid), '4x'));
    const remote = await load(1, async () => sid, () => req(nodes[1].port, 'POST', url(sid), '4x'));
    Object.assign(result, { localP50: local.p50, remoteP50: remote.p50, addedP50: remote.p50 - local.p50, addedP99: remote.p99 - local.p99 });
  }
  await Promise.all(nodes.map((n) => n.stop()));
  lb.child.kill('SIGTERM');
  await once(lb.child, 'exit');
  return result;
}

async function main() {
  const group = new Group();
  const redisPort = await freePort();
  const redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise((resolve) => {
        const s = net.connect(redisPort, '127.0.0.1');
        s.once('connect', () => (s.destroy(), resolve(true)));
        s.once('error', () => resolve(false));
      });
      if (ok) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const results = [];
    results.push(await scenario(group, 'one node, no cluster', redisPort, { nodes: 1, noCluster: true }));
    // BENCH_CLUSTER_ORDER=relayed-first runs the relayed phase before the direct one (order effects)
    const modes = process.env.BENCH_CLUSTER_ORDER === 'relayed-first' ? [false, true] : [true, false];
    const byMode = {};
    for (const direct of modes) byMode[direct] = await scenario(group, direct ? '3 nodes, direct' : '3 nodes, relayed', redisPort, { nodes: 3, direct });
    results.push(byMode[true], byMode[false]);
    const rows = [
      ['polling round trips/s (20 clients, via nginx)', 'pollRate', ''],
      ['polling round trip p50', 'pollP50', ' ms'],
      ['polling round trip p99', 'pollP99', ' ms'],
      ['polling handshakes/s (20 concurrent, via nginx)', 'handshakeRate', ''],
      ['ws echoes/s via a non-owner node (20 clients)', 'wsRate', ''],
      ['ws echo p50 via a non-owner node', 'wsP50', ' ms'],
      ['ws echo p99 via a non-owner node', 'wsP99', ' ms'],
      ['POST to the owner, p50 (1 client)', 'localP50', ' ms'],
      ['same POST via another node, p50', 'remoteP50', ' ms'],
      ['latency a forwarded request adds, p50', 'addedP50', ' ms'],
      ['latency a forwarded request adds, p99', 'addedP99', ' ms'],
      ['Redis commands per polling request', 'redisPerRequest', ''],
    ];
    const header = ['metric', ...results.map((r) => r.name)];
    const lines = rows.map(([label, key, unit]) => [label, ...results.map((r) => (r[key] === undefined ? '-' : formatNumber(r[key]) + unit))]);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    const fmt = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    console.log(fmt(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const l of lines) console.log(fmt(l));
    console.log(`(${MS} ms per phase; the baseline's ws row goes to its only node, the owner)`);
  } finally {
    agent.destroy();
    await group.stopAll();
    redis.kill('SIGKILL');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
