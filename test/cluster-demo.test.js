'use strict';
// `npm run start:cluster` (demo/cluster.js): three nodes behind the demo's round-robin balancer
// answer the page, and a session reports one owner while its requests are received by
// different nodes; stopping the demo stops its node processes and leaves Redis clean.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { once } = require('node:events');
const { request } = require('./support/index');
const { uniquePrefix, openRedis, dropPrefix } = require('./support/cluster');
const { open, nextMessage, close } = require('./support/cluster-clients');

for (const relayed of [false, true]) {
  describe(`the cluster demo (${relayed ? 'relayed' : 'direct'} mode)`, () => {
    it('serves the page; a session keeps one owner while its requests land on several nodes', async () => {
      const prefix = uniquePrefix('demo');
      const demo = spawn(process.execPath, [path.join(__dirname, '..', 'demo', 'cluster.js')], {
        env: { ...process.env, PORT: '0', EIO_PREFIX: prefix, RELAYED: relayed ? '1' : '' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const redis = await openRedis();
      try {
        let out = '';
        const port = await new Promise((resolve, reject) => {
          demo.stdout.on('data', (c) => {
            out += c;
            const m = /http:\/\/localhost:(\d+)/.exec(out);
            if (m) resolve(Number(m[1]));
          });
          demo.once('exit', (code) => reject(new Error(`demo exited with ${code}: ${out}`)));
        });
        const page = await request(port, { path: '/' });
        assert.equal(page.status, 200);
        assert.match(page.text, /Three nodes, round-robin, no sticky sessions/);
        const bundle = await request(port, { path: '/engine.io.min.js' });
        assert.equal(bundle.status, 200);
        const socket = await open(6, `http://127.0.0.1:${port}`, { transports: ['polling'] });
        const owners = new Set();
        const vias = new Set();
        for (let i = 0; i < 9; i++) {
          const answer = nextMessage(socket, () => true);
          socket.send('where');
          const info = JSON.parse(await answer);
          owners.add(info.owner);
          vias.add(info.via);
        }
        assert.equal(owners.size, 1, 'one owner for the whole session');
        assert.ok(vias.size >= 2, `requests received by several nodes (${[...vias]})`);
        await close(socket);
      } finally {
        if (demo.exitCode === null) {
          demo.kill('SIGTERM');
          await once(demo, 'exit');
        }
        // the nodes leave the cluster as they stop
        const deadline = Date.now() + 10000;
        while ((await redis.keys(`${prefix}:node:*`)).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        assert.deepEqual(await redis.keys(`${prefix}:node:*`), []);
        await dropPrefix(redis, prefix);
      }
    });
  });
}
