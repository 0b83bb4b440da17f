// An ES module consumer: named and default imports, classes as values and as types, typed events.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EventEmitter, once } from 'node:events';
import eio, { Server, Socket, attach } from 'engine.io-ts';
import type { ServerOptions, AttachOptions, ConnectionError, CloseReason, ServerEvents, SocketEvents } from 'engine.io-ts';
import type { MetricsSnapshot, HealthReport, DrainOptions } from 'engine.io-ts';
import client, { Socket as ClientSocket } from 'engine.io-ts/client';
import type { SocketOptions, CloseReason as ClientCloseReason, MessageData } from 'engine.io-ts/client';
import { encodePacket, decodePacket, v3 } from 'engine.io-ts/parser';
import type { Packet, PacketType, DecodedPacket } from 'engine.io-ts/parser';
import { registerMetrics } from 'engine.io-ts/prometheus';
import type { RegisteredMetrics } from 'engine.io-ts/prometheus';
import { Registry } from 'prom-client';

const opts: ServerOptions & AttachOptions = { pingInterval: 10000, transports: ['polling', 'websocket'], path: '/engine.io' };
const attached: Server = eio(createServer(), opts);
const created: Server = eio();
const called: Server = Server();
const constructed: Server = new Server({ cors: { origin: '*' }, maxHttpBufferSize: 1e5 });
const viaNamespace: eio.Server = eio.Server({ allowEIO3: false });
const viaAttach: Server = attach(createServer(), { path: '/x', destroyUpgrade: false });
// the README's way to choose session ids: a subclass overriding generateId
class CustomIds extends Server {
  override generateId(req: IncomingMessage): Promise<string> {
    return Promise.resolve(String(req.headers['x-id']));
  }
}
const subclassed: Server = new CustomIds({ pingTimeout: 2000 });

attached.on('connection', (socket) => {
  const s: Socket = socket;
  const id: string = s.id;
  s.on('message', (data) => {
    const text: string = typeof data === 'string' ? data : data.toString('utf8');
    s.send(text + id);
  });
  s.on('close', (reason, description) => {
    const r: CloseReason = reason;
    void [r, description];
  });
  s.once('upgrade', (transport) => void transport.name);
  s.on('packet', (packet: DecodedPacket) => void packet.type);
  // @ts-expect-error: misspelt event
  s.on('mesage', () => {});
  // @ts-expect-error: the payload is string | Buffer, not a number
  s.on('message', (data: number) => void data);
  // @ts-expect-error: not a close reason
  s.on('close', (reason: 'bye') => void reason);
});
attached.on('connection_error', (err) => {
  const e: ConnectionError = err;
  void [e.code, e.message, e.req.url, e.context];
});
attached.on('headers', (headers, req) => {
  headers['X-Engine'] = req.url;
});
// a framework's middleware, typed with its own request and response (as Express's are)
type FrameworkRequest = IncomingMessage & { session?: { views?: number } };
type FrameworkResponse = ServerResponse & { locals: Record<string, unknown> };
const frameworkMiddleware = (req: FrameworkRequest, res: FrameworkResponse, next: (err?: any) => void): void => next();
attached.use(frameworkMiddleware);
attached.use((req, res, next) => {
  res.setHeader('X-Seen', String(req.headers.host));
  next();
});
// @ts-expect-error: not a middleware
attached.use((req: string) => void req);
// @ts-expect-error: unknown server event
attached.on('conection', () => {});
// @ts-expect-error: a connection listener gets a Socket
attached.on('connection', (socket: string) => void socket);
// @ts-expect-error: misspelt option
new Server({ pingIntervall: 1000 });
// @ts-expect-error: not a transport
new Server({ transports: ['flashsocket'] });
// @ts-expect-error: misspelt attach option
attached.attach(createServer(), { pth: '/x' });
const onConnection: ServerEvents['connection'] = (socket) => socket.close();
const onMessage: SocketEvents['message'] = (data) => void data;
attached.off('connection', onConnection);
void onMessage;

const cs: ClientSocket = client('http://127.0.0.1:1', { transports: ['websocket'], autoUnref: true });
// still an EventEmitter for Node's helpers and for code typed loosely (as socket.io's bind() is)
const asEmitter: EventEmitter = attached;
const pending: Promise<unknown[]> = once(attached, 'connection');
void [asEmitter, pending];
const co: SocketOptions = { path: '/engine.io', ca: 'pem', rejectUnauthorized: false, withCredentials: true };
cs.on('message', (data: MessageData) => void data);
cs.on('close', (reason: ClientCloseReason, details) => void details);
cs.on('upgradeError', (err) => void err.transport);
// @ts-expect-error: misspelt client event
cs.on('opne', () => {});
// @ts-expect-error: misspelt client option
client({ transprots: ['polling'] });
// @ts-expect-error: not a transport
new client.Socket({ transports: ['xhr'] });
cs.close();

const type: PacketType = 'message';
const packet: Packet = { type, data: 'hi' };
const encoded: string | Uint8Array = encodePacket(packet, true);
void [decodePacket(encoded), v3.encodePacket(packet, true)];
// @ts-expect-error: not a packet type
const badType: PacketType = 'mesage';
void [created, called, constructed, viaNamespace, viaAttach, co, badType];
// operations: metrics, drain, health, Prometheus
const snapshot: MetricsSnapshot = constructed.metrics();
const wsV4: number = snapshot.sessions.byTransportAndProtocol.websocket.v4 + snapshot.transports.polling.bytesSent;
const health: HealthReport = constructed.health();
const ready: boolean = health.ready && !health.draining && health.eventLoopDelayMs >= 0;
attached.on('draining', () => void attached.draining);
const drainOptions: DrainOptions = { timeout: 1000, retryAfter: 2 };
const drained: Promise<void> = created.drain(drainOptions);
// @ts-expect-error: the timeout is a number of ms
created.drain({ timeout: '1s' });
const registered: RegisteredMetrics = registerMetrics(constructed, { registry: new Registry(), node: 'web-1' });
// @ts-expect-error: not an engine
registerMetrics({}, {});
void [wsV4, ready, drained, registered.names];
for (const s of [attached, created, called, constructed, viaNamespace, viaAttach, subclassed]) s.close();
