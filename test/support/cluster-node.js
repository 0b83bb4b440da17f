'use strict';
// One node of a test cluster, run as a child process (test/support/cluster.js starts it): an
// http.Server on 127.0.0.1 port 0 with engine.io-ts attached and `cluster: redisCluster(...)`.
// Its configuration comes in the environment variable CLUSTER_NODE (JSON); it tells the parent
// `{ type: 'ready', port, tag, nodeId }` over IPC, then answers a few commands.
//
// What a session can ask its owner (text messages):
//   'whoami'        -> 'node:<nodeId>'
//   'c:<i>'         -> nothing; the owner checks that i is the next number (exactly once, in order)
//   'c:end'         -> 'report:{"count","inOrder","first"}' for the numbers received since the last c:end
//   'burst:<n>'     -> 's:0' .. 's:<n-1>', then 's:end'
//   'info'          -> 'info:{...}': the owner's view of the session (socket.request, remoteAddress)
//   'bin'           -> the binary message it got last, echoed back
const http = require('node:http');
const { Server } = require('engine.io-ts');
const { redisCluster, clusterClient } = require('engine.io-ts/cluster');

const config = JSON.parse(process.env.CLUSTER_NODE || '{}');
const { createClient } = require(config.redisModule || 'redis');

async function main() {
  // noCluster: the same node alone, without the cluster layer (the benchmark's baseline)
  const redis = config.noCluster ? null : createClient({ url: config.redisUrl || 'redis://127.0.0.1:6379' });
  if (redis) {
    redis.on('error', () => {});
    await redis.connect();
  }
  const httpServer = http.createServer((req, res) => {
    res.writeHead(404);
    res.end();
  });
  await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const port = httpServer.address().port;
  const cluster = config.noCluster ? null : redisCluster({
    redis,
    nodeId: config.nodeId,
    prefix: config.prefix,
    secret: config.secret,
    advertise: config.direct === false ? undefined : `http://127.0.0.1:${port}`,
  });
  const engine = new Server({
    allowEIO3: true,
    pingInterval: config.pingInterval || 10000,
    pingTimeout: config.pingTimeout || 10000,
    maxHttpBufferSize: config.maxHttpBufferSize || 1e6,
    ...(config.cors ? { cors: config.cors } : {}),
    ...(cluster ? { cluster } : {}),
  });
  if (config.customIds) {
    let n = 0;
    engine.generateId = async () => `custom-${config.nodeId}-${process.pid}-${++n}-${Math.random().toString(36).slice(2)}`;
  }
  engine.attach(httpServer);
  // after attach: these listeners see every request too (the engine's own ran first)
  const stats = { requests: 0, foreign: 0, foreignUpgrades: 0 };
  httpServer.on('request', (req) => {
    if (!req.url.startsWith('/engine.io')) return;
    stats.requests++;
    const sid = new URL(req.url, 'http://x').searchParams.get('sid');
    if (sid && engine.clients[sid] === undefined) stats.foreign++;
  });
  httpServer.on('upgrade', (req) => {
    stats.requests++;
    const sid = new URL(req.url, 'http://x').searchParams.get('sid');
    if (sid && engine.clients[sid] === undefined) stats.foreignUpgrades++;
  });
  // a request forwarded by a member shows the client it was made for (test header)
  engine.on('headers', (headers, req) => {
    const client = clusterClient(req);
    if (client) headers['x-test-forwarded-for'] = `${client.address}:${client.port} via ${client.via}`;
    headers['x-test-served-by'] = config.nodeId;
  });
  engine.on('connection', (socket) => {
    let next = 0;
    let inOrder = true;
    let first = null;
    let lastBinary = null;
    process.send({ type: 'connection', id: socket.id, nodeId: config.nodeId, transport: socket.transport.name });
    socket.on('message', (data) => {
      if (typeof data !== 'string') {
        lastBinary = data;
        socket.send(data);
        return;
      }
      if (data.startsWith('c:')) {
        if (data === 'c:end') {
          socket.send('report:' + JSON.stringify({ count: next, inOrder, first }));
          // the next exchange counts from 0 again
          next = 0;
          inOrder = true;
          first = null;
          return;
        }
        const i = Number(data.slice(2));
        if (i !== next && inOrder) {
          inOrder = false;
          first = { expected: next, got: i };
        }
        next++;
        return;
      }
      if (data === 'whoami') return socket.send('node:' + config.nodeId);
      if (data.startsWith('burst:')) {
        const n = Number(data.slice(6));
        for (let i = 0; i < n; i++) socket.send('s:' + i);
        socket.send('s:end');
        return;
      }
      if (data === 'info') {
        const r = socket.request;
        socket.send('info:' + JSON.stringify({ nodeId: config.nodeId, remoteAddress: socket.remoteAddress, url: r.url, headers: r.headers, query: r._query, transport: socket.transport.name }));
        return;
      }
      if (data === 'bin' && lastBinary) socket.send(lastBinary);
    });
    socket.on('close', (reason) => process.send({ type: 'close', id: socket.id, reason }));
  });
  if (cluster) await cluster.ready;
  process.on('message', async (msg) => {
    if (msg.type === 'drain') engine.drain({ timeout: msg.timeout }).then(() => process.send({ type: 'drained' }));
    else if (msg.type === 'stats') process.send({ type: 'stats', stats, clientsCount: engine.clientsCount, tag: cluster ? cluster.tag : null });
    else if (msg.type === 'stop') {
      engine.close();
      if (cluster) await cluster.close();
      httpServer.closeAllConnections();
      httpServer.close();
      // the cluster left, and the user's client is still the user's
      const redisOpen = redis ? redis.isReady : null;
      if (redis) await redis.quit();
      process.send({ type: 'stopped', redisOpen }, () => process.exit(0));
    }
  });
  process.send({ type: 'ready', port, tag: cluster ? cluster.tag : null, nodeId: config.nodeId, pid: process.pid });
}

// the test process went away without stopping us: so do we
process.on('disconnect', () => process.exit(0));

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
