'use strict';
// Helpers for the cluster tests: node processes (test/support/cluster-node.js), a balancer
// (Debian's nginx or HAProxy, started here as a child process with a generated config in a
// temp dir, plain round-robin, on an ephemeral port), unique Redis key prefixes, and one
// `stopAll()` that ends every process and removes the temp dirs.
const { fork, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const http = require('node:http');
const { once } = require('node:events');
const { randomBytes } = require('node:crypto');

const NGINX = '/usr/sbin/nginx';
const HAPROXY = '/usr/sbin/haproxy';

function uniquePrefix(name) {
  return `eio-test-${name}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** A port nothing listens on right now (bound on 0, then closed) for a process that needs a number. */
async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

class Group {
  constructor() {
    this.children = [];
    this.dirs = [];
    // a test process that ends abruptly leaves no balancer behind (nodes exit on disconnect)
    this.onExit = () => {
      for (const child of this.children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    process.once('exit', this.onExit);
  }

  /** Starts one node (`script`: the engine.io one, or cluster-sio-node.js); resolves `{ port, tag, nodeId, child, events, request(msg) }` once it listens. */
  async node(config, script = 'cluster-node.js') {
    const child = fork(path.join(__dirname, script), [], {
      env: { ...process.env, CLUSTER_NODE: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.children.push(child);
    const events = [];
    const waiters = [];
    child.on('message', (msg) => {
      events.push(msg);
      for (const w of waiters.slice()) if (w.match(msg)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(msg);
      }
    });
    const wait = (match, ms = 10000) =>
      new Promise((resolve, reject) => {
        const hit = events.find(match);
        if (hit) return resolve(hit);
        const timer = setTimeout(() => reject(new Error(`node ${config.nodeId}: no awaited message within ${ms} ms`)), ms);
        waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      });
    const exited = once(child, 'exit');
    const ready = await Promise.race([
      wait((m) => m.type === 'ready', 20000),
      exited.then(([code]) => {
        throw new Error(`node ${config.nodeId} exited with ${code}`);
      }),
    ]);
    const node = {
      ...ready,
      child,
      events,
      wait,
      exited,
      async stats() {
        const seen = events.length;
        child.send({ type: 'stats' });
        return wait((m) => m.type === 'stats' && events.indexOf(m) >= seen);
      },
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.send({ type: 'stop' });
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      },
    };
    return node;
  }

  async tempDir(name) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `eio-${name}-`));
    this.dirs.push(dir);
    return dir;
  }

  /** nginx doing plain round-robin over `ports`; resolves `{ port, url }` once it answers. */
  async nginx(ports, { keepalive = true } = {}) {
    const dir = await this.tempDir('nginx');
    const port = await freePort();
    const conf = `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  # keep-alive connections to the nodes, upgraded ones for WebSockets
  map $http_upgrade $connection_upgrade { default upgrade; '' ${keepalive ? "''" : 'close'}; }
  upstream engine { ${ports.map((p) => `server 127.0.0.1:${p};`).join(' ')} ${keepalive ? 'keepalive 32;' : ''} }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://engine;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 3600s;
    }
  }
}
`;
    fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
    const child = spawn(NGINX, ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'inherit'] });
    this.children.push(child);
    await waitForPort(port, child, () => fs.readFileSync(path.join(dir, 'error.log'), 'utf8'));
    return { port, url: `http://127.0.0.1:${port}`, child };
  }

  /** HAProxy doing plain round-robin over `ports` (http mode, WebSocket-capable). */
  async haproxy(ports) {
    const dir = await this.tempDir('haproxy');
    const port = await freePort();
    const conf = `
global
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 3600s
  timeout server 3600s
  timeout tunnel 3600s
  option http-server-close
frontend fe
  bind 127.0.0.1:${port}
  default_backend nodes
backend nodes
  balance roundrobin
${ports.map((p, i) => `  server n${i} 127.0.0.1:${p}`).join('\n')}
`;
    fs.writeFileSync(path.join(dir, 'haproxy.cfg'), conf);
    const child = spawn(HAPROXY, ['-db', '-f', path.join(dir, 'haproxy.cfg')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    this.children.push(child);
    await waitForPort(port, child, () => stderr);
    return { port, url: `http://127.0.0.1:${port}`, child };
  }

  /** Ends every process (a node politely first, then SIGKILL) and removes the temp dirs. */
  async stopAll() {
    await Promise.all(
      this.children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        if (child.connected) child.send({ type: 'stop' });
        else child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }),
    );
    for (const dir of this.dirs) fs.rmSync(dir, { recursive: true, force: true });
    process.removeListener('exit', this.onExit);
  }
}

/** Resolves once something accepts connections on `port`; fails when `child` exits first. */
async function waitForPort(port, child, log) {
  const deadline = Date.now() + 15000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`balancer exited with ${child.exitCode}: ${log()}`);
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`balancer not listening on ${port}: ${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * One throwaway request through the balancer at `port`: moves its round-robin on by one, so the
 * next session's handshake lands on another node than a fixed request pattern would give.
 */
function shift(port, base = '/engine.io/') {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: `${base}?EIO=4&transport=polling&sid=shift`, agent: false }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.setTimeout(5000, () => req.destroy());
    req.on('error', resolve);
    req.on('close', resolve);
    req.end();
  });
}

/** A node-redis client on the shared test Redis (127.0.0.1:6379), connected. */
async function openRedis() {
  const { createClient } = require('redis');
  const redis = createClient({ url: 'redis://127.0.0.1:6379' });
  await redis.connect();
  return redis;
}

/** Deletes every key under `prefix` (a test's own), then closes `redis` (nothing if it never opened). */
async function dropPrefix(redis, prefix) {
  if (!redis) return;
  const left = await redis.keys(prefix + ':*');
  if (left.length) await redis.del(left);
  await redis.quit();
}

module.exports = { Group, uniquePrefix, freePort, shift, openRedis, dropPrefix, NGINX, HAPROXY };
