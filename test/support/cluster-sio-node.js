'use strict';
// One node of a socket.io cluster, run as a child process: engine.io-ts with
// `cluster: redisCluster(...)` at /socket.io/, socket.io@4 bound to it (io.bind), and
// @socket.io/redis-adapter for broadcasts across nodes. Configuration in CLUSTER_NODE (JSON);
// tells the parent `{ type: 'ready', port, tag, nodeId }` over IPC.
//   'whoami' (ack)      -> the owner's nodeId
//   'seq' i (ack)       -> acks { ok }: whether i was the next number of this socket
//   'shout' text        -> io.emit('shouted', text, nodeId): every socket on every node
const http = require('node:http');
const { Server: Engine } = require('engine.io-ts');
const { redisCluster } = require('engine.io-ts/cluster');
const { Server: IoServer } = require('socket.io');
const { createAdapter } = require('@socket.io/redis-adapter');

const config = JSON.parse(process.env.CLUSTER_NODE || '{}');
const { createClient } = require(config.redisModule || 'redis');

async function main() {
  const redis = createClient({ url: 'redis://127.0.0.1:6379' });
  redis.on('error', () => {});
  await redis.connect();
  const pub = redis.duplicate();
  const sub = redis.duplicate();
  pub.on('error', () => {});
  sub.on('error', () => {});
  await Promise.all([pub.connect(), sub.connect()]);
  const httpServer = http.createServer();
  await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const port = httpServer.address().port;
  const cluster = redisCluster({
    redis,
    nodeId: config.nodeId,
    prefix: config.prefix,
    secret: config.secret,
    advertise: config.direct === false ? undefined : `http://127.0.0.1:${port}`,
  });
  const engine = new Engine({ cluster, pingInterval: 10000, pingTimeout: 10000 });
  engine.attach(httpServer, { path: '/socket.io/' });
  const io = new IoServer({ serveClient: false, adapter: createAdapter(pub, sub, { key: config.prefix + '-sio' }) });
  io.bind(engine);
  io.on('connection', (socket) => {
    let next = 0;
    socket.on('whoami', (ack) => ack(config.nodeId));
    socket.on('seq', (i, ack) => {
      const ok = i === next;
      next++;
      ack({ ok });
    });
    socket.on('shout', (text) => io.emit('shouted', text, config.nodeId));
  });
  await cluster.ready;
  process.on('message', async (msg) => {
    if (msg.type === 'stats') process.send({ type: 'stats', stats: {}, clientsCount: engine.clientsCount, tag: cluster.tag });
    else if (msg.type === 'stop') {
      io.close();
      engine.close();
      await cluster.close();
      httpServer.closeAllConnections();
      await Promise.all([pub.quit(), sub.quit(), redis.quit()]).catch(() => {});
      process.send({ type: 'stopped' }, () => process.exit(0));
    }
  });
  process.send({ type: 'ready', port, tag: cluster.tag, nodeId: config.nodeId, pid: process.pid });
}

// the test process went away without stopping us: so do we
process.on('disconnect', () => process.exit(0));

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
