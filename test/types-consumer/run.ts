// Executed after compiling: an echo round trip over polling then WebSocket, ES module side.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'engine.io-ts';
import { Socket } from 'engine.io-ts/client';

const httpServer = createServer();
const engine = Server();
engine.attach(httpServer);
engine.on('connection', (socket) => {
  socket.on('message', (data) => socket.send('echo:' + data.toString()));
});
httpServer.listen(0, '127.0.0.1', () => {
  const { port } = httpServer.address() as AddressInfo;
  const socket = new Socket(`http://127.0.0.1:${port}`);
  socket.on('upgrade', () => socket.send('esm'));
  socket.on('message', (data) => {
    console.log(JSON.stringify({ reply: String(data), transport: socket.transport.name }));
    socket.close();
    engine.close();
    httpServer.close();
  });
});
