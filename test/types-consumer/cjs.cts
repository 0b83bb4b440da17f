// A CommonJS consumer: `import x = require()`, and the module's namespace for the types.
import eio = require('engine.io-ts');
import eioClient = require('engine.io-ts/client');
import parser = require('engine.io-ts/parser');
import http = require('node:http');

const server: eio.Server = eio(http.createServer(), { path: '/engine.io' });
const other: eio.Server = new eio.Server();
const called: eio.Server = eio.Server();
const opts: eio.ServerOptions = { pingTimeout: 1000, transports: ['websocket'] };
const attachOpts: eio.AttachOptions = { path: '/io' };
server.on('connection', (socket: eio.Socket) => {
  socket.on('data', (data) => void (typeof data === 'string' ? data.length : data.byteLength));
  socket.on('close', (reason: eio.CloseReason, description) => void [reason, description]);
  // @ts-expect-error: misspelt event
  socket.on('closed', () => {});
});
server.on('connection_error', (err: eio.ConnectionError) => void err.code);
const listener: eio.ServerEvents['drain'] = (socket) => void socket.id;
server.on('drain', listener);
const s: eioClient.Socket = new eioClient.Socket('ws://127.0.0.1:1', { autoUnref: true });
s.on('open', () => s.send('hi'));
const o: eioClient.SocketOptions = { upgrade: false };
const p: parser.Packet = { type: 'ping' };
const t: parser.PacketType = 'pong';
// @ts-expect-error: misspelt option
const bad: eio.ServerOptions = { pingTimout: 1 };
// @ts-expect-error: not a transport
const badTransport: eioClient.SocketOptions = { transports: ['flashsocket'] };
s.close();
for (const e of [server, other, called]) e.close();
void [opts, attachOpts, o, p, t, bad, badTransport];
