// Executed after compiling: the same round trip from CommonJS, with the callable module.
import eio = require('engine.io-ts');
import eioClient = require('engine.io-ts/client');
import http = require('node:http');
import type { AddressInfo } from 'node:net';

const httpServer = http.createServer();
const engine: eio.Server = eio(httpServer, { transports: ['polling'] });
engine.on('connection', (socket: eio.Socket) => {
  socket.on('message', (data) => socket.send('echo:' + data.toString()));
});
httpServer.listen(0, '127.0.0.1', () => {
  const { port } = httpServer.address() as AddressInfo;
  const socket = eioClient(`http://127.0.0.1:${port}`, { transports: ['polling'] });
  socket.on('open', () => socket.send('cjs'));
  socket.on('message', (data) => {
    console.log(JSON.stringify({ reply: String(data), transport: socket.transport.name }));
    socket.close();
    engine.close();
    httpServer.close();
  });
});
