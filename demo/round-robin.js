'use strict';
// The demo's load balancer: plain round-robin per request (and per WebSocket), no stickiness of
// any kind, in a few lines so the demo runs where nginx is not installed. Each HTTP request goes
// to the next node in turn over keep-alive connections; an upgrade is piped to the next node.
const http = require('node:http');
const net = require('node:net');

function roundRobin(ports) {
  let next = 0;
  const pick = () => ports[next++ % ports.length];
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const up = http.request({ host: '127.0.0.1', port: pick(), method: req.method, path: req.url, headers: req.headers, agent }, (upRes) => {
      res.writeHead(upRes.statusCode, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  server.on('upgrade', (req, socket, head) => {
    const up = net.connect(pick(), '127.0.0.1', () => {
      let lines = `${req.method} ${req.url} HTTP/1.1\r\n`;
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
      up.write(lines + '\r\n');
      if (head.length) up.write(head);
      socket.pipe(up).pipe(socket);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
    socket.on('close', () => up.destroy());
  });
  server.on('close', () => agent.destroy());
  return server;
}

module.exports = { roundRobin };
