'use strict';
// The WebSocket limit: a bare `ws` server speaking just enough Engine.IO v4 to be driven by
// the benchmark's WebSocket clients, so that every WebSocket row can show how far an engine
// is from what `ws` alone costs. It answers a `transport=websocket` handshake with an open
// packet, echoes every message packet (`4...`) as a text frame (one that starts `4B` goes to
// every session instead, for the broadcast row), and pings every session on an interval.
// Nothing else: no polling, no upgrade, no session map, no per-session timer (one interval
// walks all clients, as in the `ws` README's "detect broken connections" example, so a
// session that has not answered the previous ping by the next tick is terminated).
// A child program like server-child.js: `fork(__filename, ['bare-ws'])`, same IPC.
const http = require('node:http');
const { WebSocketServer } = require('ws');
const { childOptions, PATH } = require('./options');
const { serveIpc } = require('./child-ipc');
const { bareId } = require('./bare-id');

const options = childOptions();
const OPEN_TAIL = `","upgrades":[],"pingInterval":${options.pingInterval},"pingTimeout":${options.pingTimeout},"maxPayload":${options.maxHttpBufferSize}}`;
const TEXT = Object.freeze({ binary: false });
const MESSAGE = 0x34; // '4'
const PONG = 0x33; // '3'
const PING = 0x32; // '2'
const BROADCAST = 0x42; // 'B': a message `4B…` goes to every session (the broadcast row)

let connections = 0;
let messages = 0;
let broadcasts = 0;

const httpServer = http.createServer((req, res) => {
  res.writeHead(400, { 'Content-Type': 'application/json' });
  res.end('{"code":3,"message":"Bad request"}');
});
const wss = new WebSocketServer({ server: httpServer, path: PATH, perMessageDeflate: false, maxPayload: options.maxHttpBufferSize });

// One listener function for every socket (`this` is the socket), no closure per session.
function onMessage(data) {
  const type = data[0];
  if (type === MESSAGE) {
    messages++;
    if (data[1] === BROADCAST) {
      broadcasts++;
      for (const ws of wss.clients) ws.send(data, TEXT);
    } else {
      this.send(data, TEXT);
    }
  } else if (type === PONG) {
    this.alive = true;
  } else if (type === PING) {
    this.send('3', TEXT); // a v3-style ping from the client; v4 clients never send one
  }
}

wss.on('connection', (ws) => {
  connections++;
  ws.alive = true;
  ws.on('message', onMessage);
  ws.send(`0{"sid":"${bareId()}${OPEN_TAIL}`, TEXT);
});

setInterval(() => {
  for (const ws of wss.clients) {
    if (!ws.alive) {
      ws.terminate();
      continue;
    }
    ws.alive = false;
    ws.send('2', TEXT);
  }
}, options.pingInterval);

serveIpc(httpServer, process.argv[2] || 'bare-ws', () => ({ connections, messages, broadcasts, upgrades: 0, clientsCount: wss.clients.size }));
