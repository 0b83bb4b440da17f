'use strict';
// Our client in Node against the official engine.io 6 server and against ours, in protocol v4
// and v3 (allowEIO3): every transport, the upgrade, binary both ways, closing from each side.
const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const eio = require('engine.io-ts/client');
const { ENGINES, collect, next } = require('./support/client');
const { startServer } = require('./support/servers');

const HEARTBEAT = { pingInterval: 300, pingTimeout: 1000 };
const MODES = [
  { name: 'polling', transports: ['polling'], final: 'polling' },
  { name: 'websocket', transports: ['websocket'], final: 'websocket' },
  { name: 'polling → websocket', transports: ['polling', 'websocket'], final: 'websocket' },
];

/** Opens a client on `server` and resolves once the server has the matching socket too. */
async function connect(server, opts) {
  const serverSocket = next(server.engine, 'connection');
  const socket = eio(server.url, opts);
  const [[remote]] = await Promise.all([serverSocket, next(socket, 'open')]);
  return { socket, remote };
}

/** Waits until both ends run on `name` (after the upgrade, if any). */
async function settled(socket, remote, name) {
  if (socket.transport.name !== name) await next(socket, 'upgrade');
  if (remote.transport.name !== name) await next(remote, 'upgrade');
  assert.equal(socket.transport.name, name);
  assert.equal(remote.transport.name, name);
}

for (const kind of ENGINES) {
  for (const protocol of [4, 3]) {
    describe(`client v${protocol} ↔ ${kind} server`, () => {
      for (const mode of MODES) {
        test(`${mode.name}: handshake, text and binary both ways, in order`, async () => {
          const server = await startServer({ allowEIO3: true, ...HEARTBEAT }, undefined, { eio: kind });
          try {
            const { socket, remote } = await connect(server, { protocol, transports: mode.transports });
            assert.equal(socket.readyState, 'open');
            assert.equal(socket.id, remote.id);
            assert.equal(socket.protocol, protocol);
            assert.equal(remote.protocol, protocol);
            await settled(socket, remote, mode.final);

            // Client → server.
            const atServer = collect(remote, 'message', 4);
            socket.send('hello');
            socket.send(Buffer.from([1, 2, 3]));
            socket.send(new Uint8Array([250, 0, 9]).buffer);
            socket.send('é☃💡');
            const received = await atServer;
            assert.equal(received[0], 'hello');
            assert.deepEqual([...received[1]], [1, 2, 3]);
            assert.deepEqual([...received[2]], [250, 0, 9]);
            assert.equal(received[3], 'é☃💡');

            // Server → client: Buffers by default in Node.
            const atClient = collect(socket, 'message', 3);
            remote.send('world');
            remote.send(Buffer.from([4, 5, 6, 255]));
            remote.send('ünï');
            const got = await atClient;
            assert.equal(got[0], 'world');
            assert.ok(Buffer.isBuffer(got[1]));
            assert.deepEqual([...got[1]], [4, 5, 6, 255]);
            assert.equal(got[2], 'ünï');

            // binaryType 'arraybuffer' as in browsers.
            socket.binaryType = 'arraybuffer';
            const [[ab]] = await Promise.all([next(socket, 'message'), remote.send(Buffer.from([7, 8]))]);
            assert.ok(ab instanceof ArrayBuffer);
            assert.deepEqual([...new Uint8Array(ab)], [7, 8]);
            socket.close();
          } finally {
            await server.close();
          }
        });
      }

      test('upgrade: events in order, writes around the upgrade arrive once and in order', async () => {
        const server = await startServer({ allowEIO3: true, ...HEARTBEAT }, undefined, { eio: kind });
        try {
          const events = [];
          const serverSocket = next(server.engine, 'connection');
          const socket = eio(server.url, { protocol });
          for (const name of ['open', 'upgrading', 'upgrade']) socket.on(name, (t) => events.push(t ? `${name}:${t.name}` : name));
          // Writes start at once and continue through probe, pause and switch.
          const total = 60;
          let sent = 0;
          const timer = setInterval(() => {
            for (let i = 0; i < 3 && sent < total; i++) socket.send(String(sent++));
            if (sent === total) clearInterval(timer);
          }, 2);
          const [remote] = await serverSocket;
          const got = await collect(remote, 'message', total);
          await settled(socket, remote, 'websocket');
          assert.deepEqual(got, Array.from({ length: total }, (_, i) => String(i)));
          assert.deepEqual(events, ['open', 'upgrading:websocket', 'upgrade:websocket']);
          assert.equal(remote.transport.name, 'websocket');
          socket.close();
        } finally {
          await server.close();
        }
      });

      test('close from the client: "forced close" here, "transport close" there', async () => {
        for (const transports of [['polling'], ['websocket']]) {
          const server = await startServer({ allowEIO3: true, ...HEARTBEAT }, undefined, { eio: kind });
          try {
            const { socket, remote } = await connect(server, { protocol, transports });
            const remoteClosed = next(remote, 'close');
            const closed = next(socket, 'close');
            socket.close();
            const [reason] = await closed;
            assert.equal(reason, 'forced close');
            assert.equal(socket.readyState, 'closed');
            assert.equal(socket.id, null);
            const [remoteReason] = await remoteClosed;
            assert.equal(remoteReason, 'transport close', `${transports}`);
          } finally {
            await server.close();
          }
        }
      });

      test('close() in the middle of the upgrade waits for it, then closes both ends', async () => {
        const server = await startServer({ allowEIO3: true, ...HEARTBEAT }, undefined, { eio: kind });
        try {
          const serverSocket = next(server.engine, 'connection');
          const socket = eio(server.url, { protocol });
          const [remote] = await serverSocket;
          const got = [];
          remote.on('message', (m) => got.push(m));
          await next(socket, 'upgrading');
          socket.send('during');
          socket.close();
          socket.send('after close: dropped');
          const [[reason], remoteClose] = await Promise.all([next(socket, 'close'), next(remote, 'close')]);
          assert.equal(reason, 'forced close');
          assert.equal(remoteClose[0], 'transport close');
          // The write made during the upgrade went out first; the one after close() never did.
          assert.deepEqual(got, ['during']);
        } finally {
          await server.close();
        }
      });

      test('close from the server: "transport close"', async () => {
        for (const transports of [['polling'], ['websocket'], ['polling', 'websocket']]) {
          const server = await startServer({ allowEIO3: true, ...HEARTBEAT }, undefined, { eio: kind });
          try {
            const { socket, remote } = await connect(server, { protocol, transports });
            await settled(socket, remote, transports[transports.length - 1]);
            const closed = next(socket, 'close');
            remote.close();
            const [reason] = await closed;
            assert.equal(reason, 'transport close', `${transports}`);
            assert.equal(socket.readyState, 'closed');
          } finally {
            await server.close();
          }
        }
      });

      test('writes buffered before open and a close right after are all delivered', async () => {
        const server = await startServer({ allowEIO3: true, ...HEARTBEAT }, undefined, { eio: kind });
        try {
          const serverSocket = next(server.engine, 'connection');
          const socket = eio(server.url, { protocol, transports: ['polling'] });
          socket.send('a');
          socket.send('b');
          const [remote] = await serverSocket;
          const got = collect(remote, 'message', 3);
          await next(socket, 'open');
          socket.send('c');
          socket.close();
          assert.deepEqual(await got, ['a', 'b', 'c']);
        } finally {
          await server.close();
        }
      });

      test(`heartbeat: ${protocol === 4 ? 'server pings, client answers' : 'client pings, server answers'}`, async () => {
        const server = await startServer({ allowEIO3: true, pingInterval: 50, pingTimeout: 1000 }, undefined, { eio: kind });
        try {
          const { socket } = await connect(server, { protocol, transports: ['websocket'] });
          const events = [];
          socket.on('ping', () => events.push('ping'));
          socket.on('pong', () => events.push('pong'));
          let heartbeats = 0;
          socket.on('heartbeat', () => heartbeats++);
          // v4: 'ping' (received) then 'pong' (answered); v3: 'ping' (sent) then 'pong' (answer).
          await collect(socket, 'pong', 3);
          assert.deepEqual(events.slice(0, 6), ['ping', 'pong', 'ping', 'pong', 'ping', 'pong']);
          assert.ok(heartbeats >= 3);
          assert.equal(socket.readyState, 'open');
          socket.close();
        } finally {
          await server.close();
        }
      });
    });
  }
}
