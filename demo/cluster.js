'use strict';
// `npm run start:cluster`: three engine.io-ts nodes on Redis behind a round-robin balancer with
// no stickiness (demo/round-robin.js), each page showing which node owns its session and which
// node received its last request. Open several tabs; kill a node (its pid is printed) and watch
// its pages reconnect to the others.
//   REDIS_URL (default redis://127.0.0.1:6379), PORT (default 3000; 0: any free port), RELAYED=1
//   (no advertise: requests for another node's session travel over Redis pub/sub), EIO_PREFIX
//   (Redis key prefix, default eio-demo)
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { fork } = require('node:child_process');

const BUNDLE = path.join(__dirname, '..', 'dist', 'engine.io.min.js');
const PAGE = path.join(__dirname, 'public', 'cluster.html');

async function node(nodeId) {
  const { Server } = require('engine.io-ts');
  const { redisCluster, clusterClient } = require('engine.io-ts/cluster');
  const { createClient } = require('redis');
  const redis = createClient({ url: process.env.REDIS_URL || 'redis://127.0.0.1:6379' });
  redis.on('error', (err) => console.error(`${nodeId}: redis: ${err.message}`));
  await redis.connect();
  const httpServer = http.createServer((req, res) => {
    const file = req.url === '/engine.io.min.js' ? BUNDLE : PAGE;
    fs.readFile(file, (err, data) => {
      if (err) return res.writeHead(404).end('Run `node scripts/build.js` first.');
      res.writeHead(200, { 'content-type': file === BUNDLE ? 'application/javascript' : 'text/html; charset=utf-8', 'x-demo-node': nodeId });
      res.end(data);
    });
  });
  await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const port = httpServer.address().port;
  const cluster = redisCluster({ redis, nodeId, prefix: process.env.EIO_PREFIX || 'eio-demo', advertise: process.env.RELAYED === '1' ? undefined : `http://127.0.0.1:${port}` });
  const engine = new Server({ cluster });
  engine.attach(httpServer);
  // which node received each request of a session (the owner itself, or the member that forwarded it)
  const lastVia = new Map();
  engine.on('headers', (_headers, req) => {
    const sid = req._query && req._query.sid;
    if (sid) lastVia.set(sid, (clusterClient(req) || { via: nodeId }).via);
  });
  engine.on('connection', (socket) => {
    lastVia.set(socket.id, nodeId);
    socket.on('message', (m) => {
      if (m === 'where') socket.send(JSON.stringify({ owner: nodeId, via: lastVia.get(socket.id), transport: socket.transport.name, clients: engine.clientsCount }));
    });
    socket.on('close', () => lastVia.delete(socket.id));
  });
  await cluster.ready;
  process.send({ port });
  const stop = async () => {
    engine.close();
    await cluster.close();
    await redis.quit();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function main() {
  const { roundRobin } = require('./round-robin');
  const children = ['node-1', 'node-2', 'node-3'].map((id) => fork(__filename, [id], { stdio: 'inherit' }));
  const ports = await Promise.all(children.map((c) => new Promise((resolve) => c.once('message', (m) => resolve(m.port)))));
  const balancer = roundRobin(ports);
  balancer.listen(process.env.PORT !== undefined ? Number(process.env.PORT) : 3000, () => {
    const port = balancer.address().port;
    console.log(`cluster demo: http://localhost:${port}  (round-robin over ${ports.map((p, i) => `node-${i + 1} :${p} pid ${children[i].pid}`).join(', ')})`);
  });
  const stop = () => {
    for (const c of children) c.kill('SIGTERM');
    balancer.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[2]) node(process.argv[2]).catch((err) => (console.error(err), process.exit(1)));
else main().catch((err) => (console.error(err), process.exit(1)));
