'use strict';
// Many idle Engine.IO v4 WebSocket sessions, in a process of their own (the memory and
// heartbeat rows of bench/server.js): its file descriptors, ports and CPU are not the
// benchmark process's, and 15,000 client sockets do not share a process with the server's
// 15,000. Each session is a plain TCP socket speaking just enough WebSocket: the upgrade
// request, the open packet, and a masked pong frame `3` for every ping `2`, which it counts.
// (The `ws` client's object graph and handshake cost more than the servers' here; see
// raw-http.js.)
//   const clients = await IdleClients.start(); await clients.open(port, 5000);
//   await clients.stats() -> { open, pings, lost }; await clients.close(); await clients.stop();
const net = require('node:net');
const { PATH } = require('./options');
const { ServerProcess } = require('./server-process');
const { answerCommands } = require('./child-ipc');

const WS_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const HEADER_END = Buffer.from('\r\n\r\n');
// FIN + text opcode, masked, 1-byte payload, all-zero mask: the payload as is ('3')
const PONG_FRAME = Buffer.from([0x81, 0x81, 0, 0, 0, 0, 0x33]);
const CONNECT_TIMEOUT_MS = 60000;

let pings = 0;
let lost = 0; // sessions whose socket closed while the harness still counted them open
const sessions = new Set();

class IdleSession {
  constructor(port, localAddress, onOpen, onError) {
    this.upgraded = false; // the 101 response has been read
    this.opened = false; // the open packet has been read
    this.buffer = null;
    this.onOpen = onOpen;
    this.onError = onError;
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setTimeout(CONNECT_TIMEOUT_MS);
    socket.on('connect', () => {
      socket.write(
        `GET ${PATH}?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${WS_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('timeout', () => this.fail(new Error('no open packet within 60 s')));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => {
      if (!this.opened) return this.fail(new Error(`connection closed before the open packet${this.buffer ? `, after ${JSON.stringify(this.buffer.toString("latin1").slice(0, 300))}` : ''}`));
      if (sessions.delete(this)) lost++;
    });
  }

  fail(err) {
    this.socket.destroy();
    if (this.onError !== null) {
      const onError = this.onError;
      this.onError = this.onOpen = null;
      onError(err);
    }
  }

  onData(chunk) {
    let data = this.buffer === null ? chunk : Buffer.concat([this.buffer, chunk]);
    this.buffer = null;
    let at = 0;
    if (!this.upgraded) {
      const end = data.indexOf(HEADER_END);
      if (end === -1) {
        this.buffer = data;
        return;
      }
      if (data.latin1Slice(9, 12) !== '101') return this.fail(new Error(`no upgrade: ${data.latin1Slice(0, end)}`));
      this.upgraded = true;
      at = end + 4;
    }
    // unmasked server frames: 2 header bytes, + 2 for a 16-bit length, + 8 for a 64-bit one
    while (at + 2 <= data.length) {
      let len = data[at + 1] & 0x7f;
      let start = at + 2;
      if (len === 126) {
        if (at + 4 > data.length) break;
        len = data.readUInt16BE(at + 2);
        start = at + 4;
      } else if (len === 127) {
        if (at + 10 > data.length) break;
        len = Number(data.readBigUInt64BE(at + 2));
        start = at + 10;
      }
      if (start + len > data.length) break;
      const opcode = data[at] & 0x0f;
      if (opcode === 1 && len === 1 && data[start] === 0x32) {
        pings++;
        this.socket.write(PONG_FRAME);
      } else if (opcode === 1 && !this.opened && data[start] === 0x30) {
        this.opened = true;
        this.socket.setTimeout(0);
        sessions.add(this);
        const onOpen = this.onOpen;
        this.onOpen = this.onError = null;
        onOpen();
      }
      at = start + len;
    }
    if (at < data.length) this.buffer = data.subarray(at);
  }
}

// Opens `count` sessions, `concurrency` handshakes in flight at a time; source addresses
// 127.0.0.1 .. 127.0.0.<sources> in turn when sources > 1 (more ephemeral ports).
function open(port, count, concurrency, sources) {
  return new Promise((resolve, reject) => {
    let started = 0;
    let done = 0;
    let failed = false;
    const next = () => {
      if (failed) return;
      if (done === count) return resolve();
      if (started === count) return;
      const localAddress = sources > 1 ? `127.0.0.${1 + (started % sources)}` : undefined;
      started++;
      new IdleSession(
        port,
        localAddress,
        () => {
          done++;
          next();
        },
        (err) => {
          failed = true;
          reject(err);
        },
      );
    };
    if (count === 0) return resolve();
    for (let i = 0; i < Math.min(concurrency, count); i++) next();
  });
}

function closeAll() {
  for (const session of sessions) session.socket.destroy();
  sessions.clear();
}

const stats = () => ({ open: sessions.size, pings, lost });

if (require.main === module) {
  // The child program: commands from the parent over IPC, answered by id.
  answerCommands({
    open(msg, reply) {
      open(msg.port, msg.count, msg.concurrency || 100, msg.sources || 1).then(
        () => reply(stats()),
        (err) => reply({ error: `opening idle sessions to port ${msg.port}: ${err.message} (${sessions.size} open)` }),
      );
    },
    stats(msg, reply) {
      reply(stats());
    },
    close(msg, reply) {
      closeAll();
      reply(stats());
    },
  });
  process.send({ ready: true });
}

// The parent side: a child process running this file, driven like a server child.
class IdleClients {
  static async start() {
    const clients = new IdleClients();
    clients.child = await ServerProcess.start('idle-clients', 'idle-clients', __filename, []);
    return clients;
  }

  open(port, count, { concurrency = 100, sources = 1 } = {}) {
    return this.child.request('open', { port, count, concurrency, sources });
  }

  stats() {
    return this.child.request('stats');
  }

  close() {
    return this.child.request('close');
  }

  stop() {
    return this.child.stop();
  }
}

module.exports = { IdleClients };
