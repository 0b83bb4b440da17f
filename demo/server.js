'use strict';
// The demo behind `npm start`: a shared drawing board with live cursors and a chat, served by our
// Engine.IO server and spoken to by our browser client (dist/engine.io.min.js).
//
//   node demo/server.js            → http://localhost:3000 (PORT overrides)
//   require('./demo/server').start({ port: 0 }) → { url, port, close() }   (for tests)
//
// Messages are small JSON texts: {t: 'draw' | 'cursor' | 'chat' | 'clear' | 'name' | 'ping', ...}.
// The server keeps a bounded history so newcomers see the board and the last chat lines.
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { once } = require('node:events');

const PUBLIC = path.join(__dirname, 'public');
const BUNDLE = path.join(__dirname, '..', 'dist', 'engine.io.min.js');
const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'application/javascript; charset=utf-8', '.svg': 'image/svg+xml' };

const MAX_SEGMENTS = 20000;
const MAX_CHAT = 60;
const ADJECTIVES = ['Swift', 'Quiet', 'Bright', 'Lucky', 'Brave', 'Clever', 'Sunny', 'Cosmic', 'Witty', 'Jolly', 'Gentle', 'Bold'];
const ANIMALS = ['Otter', 'Falcon', 'Panda', 'Lynx', 'Koala', 'Heron', 'Fox', 'Orca', 'Gecko', 'Bison', 'Puffin', 'Marten'];
const COLORS = ['#ef476f', '#f78c6b', '#ffd166', '#06d6a0', '#118ab2', '#8338ec', '#ff006e', '#3a86ff', '#fb5607', '#2ec4b6'];

const pick = (list) => list[Math.floor(Math.random() * list.length)];
const clamp01 = (v) => (typeof v === 'number' && v >= 0 && v <= 1 ? v : null);

function staticFile(req, res) {
  const url = new URL(req.url, 'http://localhost');
  const file = url.pathname === '/engine.io.min.js' ? BUNDLE : path.join(PUBLIC, url.pathname === '/' ? 'index.html' : path.normalize(url.pathname));
  if (!file.startsWith(PUBLIC) && file !== BUNDLE) {
    res.writeHead(404).end();
    return;
  }
  fs.readFile(file, (err, data) => {
    if (err) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(file === BUNDLE ? 'Run `node scripts/build.js` first.' : 'Not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-cache' });
    res.end(data);
  });
}

/** The board: who is here, what was drawn, what was said. */
class Room {
  constructor() {
    this.users = new Map(); // socket id → { id, name, color, socket }
    this.segments = [];
    this.chat = [];
  }

  join(socket) {
    const user = { id: socket.id, name: `${pick(ADJECTIVES)} ${pick(ANIMALS)}`, color: pick(COLORS), socket };
    this.users.set(socket.id, user);
    this.send(socket, {
      t: 'welcome',
      you: this.public(user),
      users: [...this.users.values()].map((u) => this.public(u)),
      segments: this.segments,
      chat: this.chat,
    });
    this.broadcast({ t: 'join', user: this.public(user) }, socket.id);
    socket.on('message', (data) => this.onMessage(user, data));
    socket.on('close', () => {
      this.users.delete(socket.id);
      this.broadcast({ t: 'leave', id: socket.id });
    });
    // Let everyone see transports change: polling first, then the upgrade to WebSocket.
    this.broadcast({ t: 'transport', id: socket.id, transport: socket.transport.name });
    socket.on('upgrade', (transport) => this.broadcast({ t: 'transport', id: socket.id, transport: transport.name }));
  }

  public(user) {
    return { id: user.id, name: user.name, color: user.color, transport: user.socket.transport.name };
  }

  send(socket, message) {
    socket.send(JSON.stringify(message));
  }

  broadcast(message, exceptId) {
    const text = JSON.stringify(message);
    for (const user of this.users.values()) if (user.id !== exceptId) user.socket.send(text);
  }

  onMessage(user, data) {
    if (typeof data !== 'string' || data.length > 20000) return;
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    switch (msg && msg.t) {
      case 'ping':
        // Round-trip time: echoed straight back to the sender.
        this.send(user.socket, { t: 'pong', ts: msg.ts });
        break;
      case 'cursor': {
        const x = clamp01(msg.x);
        const y = clamp01(msg.y);
        if (x === null || y === null) return;
        this.broadcast({ t: 'cursor', id: user.id, x, y }, user.id);
        break;
      }
      case 'draw': {
        if (!Array.isArray(msg.points) || msg.points.length < 4 || msg.points.length > 400) return;
        if (!msg.points.every((v) => clamp01(v) !== null)) return;
        const size = Math.min(40, Math.max(1, Number(msg.size) || 4));
        const color = /^#[0-9a-f]{6}$/i.test(msg.color) ? msg.color : user.color;
        const segment = { id: user.id, points: msg.points, size, color };
        this.segments.push(segment);
        if (this.segments.length > MAX_SEGMENTS) this.segments.splice(0, this.segments.length - MAX_SEGMENTS);
        this.broadcast({ t: 'draw', ...segment }, user.id);
        break;
      }
      case 'chat': {
        const text = String(msg.text || '').trim().slice(0, 300);
        if (!text) return;
        const line = { id: user.id, name: user.name, color: user.color, text, ts: Date.now() };
        this.chat.push(line);
        if (this.chat.length > MAX_CHAT) this.chat.shift();
        this.broadcast({ t: 'chat', ...line });
        break;
      }
      case 'name': {
        const name = String(msg.name || '').trim().slice(0, 24);
        if (!name) return;
        user.name = name;
        this.broadcast({ t: 'user', user: this.public(user) });
        break;
      }
      case 'clear':
        this.segments = [];
        this.broadcast({ t: 'clear', by: user.name });
        break;
    }
  }
}

/** Starts the demo. Resolves { server, engine, port, url, close() }. */
async function start({ port = 3000, host } = {}) {
  const eio = require('engine.io-ts');
  const server = http.createServer(staticFile);
  const engine = eio.attach(server, { pingInterval: 10000, pingTimeout: 5000 });
  const room = new Room();
  engine.on('connection', (socket) => room.join(socket));
  server.listen(port, host);
  await once(server, 'listening');
  const actual = server.address().port;
  return {
    server,
    engine,
    room,
    port: actual,
    url: `http://${host && host !== '0.0.0.0' ? host : 'localhost'}:${actual}`,
    async close() {
      engine.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

module.exports = { start };

if (require.main === module) {
  start({ port: Number(process.env.PORT) || 3000 }).then(
    ({ url }) => console.log(`engine.io-ts demo: open ${url} in two or more browser tabs`),
    (err) => {
      console.error(`demo: cannot start: ${err.message}`);
      process.exit(1);
    },
  );
}
