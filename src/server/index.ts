// The engine.io-ts module: callable like the Engine.IO README says.
//   eio(httpServer, opts)  -> attached Server      eio(opts) / eio() -> new Server
//   eio.listen(port, opts, fn), eio.attach(httpServer, opts), eio.Server (also callable
//   without `new`), eio.Socket, eio.Transport, eio.transports, eio.protocol, eio.parser
import { createServer } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import * as parserModule from '../parser';
import { Server as ServerClass } from './server';
import type { ServerOptions as ServerOpts, AttachOptions as AttachOpts } from './server';
import { Socket as SocketClass } from './socket';
import { Transport as TransportClass } from './transport';
import transportsRegistry from './transports/index';

type Options = ServerOpts & AttachOpts;

/** `Server` as a class that may also be called without `new` (the README does `Server()`). */
type CallableServer = typeof ServerClass & ((opts?: Options) => ServerClass);
const CallableServer = new Proxy(ServerClass, {
  apply(target, _thisArg, args: [Options?]) {
    return new target(...args);
  },
}) as CallableServer;

function isHttpServer(value: unknown): value is HttpServer {
  return !!value && typeof (value as HttpServer).listen === 'function' && typeof (value as HttpServer).on === 'function';
}

/** Creates a Server attached to `httpServer`. */
function attachTo(httpServer: HttpServer, options?: Options): ServerClass {
  const engine = new ServerClass(options);
  engine.attach(httpServer, options);
  return engine;
}

/** An http.Server of its own on `port` (501 Not Implemented outside the engine's path). */
function listenOn(port: number, options?: Options | (() => void), fn?: () => void): ServerClass {
  if (typeof options === 'function') {
    fn = options;
    options = {};
  }
  const httpServer = createServer((_req, res) => {
    res.writeHead(501);
    res.end('Not Implemented');
  });
  const engine = attachTo(httpServer, options);
  engine.httpServer = httpServer;
  httpServer.listen(port, fn);
  return engine;
}

/** `eio(httpServer, opts)`: a Server attached to httpServer; `eio(opts)` / `eio()`: a new Server. */
function eio(httpServer: HttpServer, options?: Options): ServerClass;
function eio(options?: Options): ServerClass;
function eio(httpServerOrOptions?: HttpServer | Options, options?: Options): ServerClass {
  if (isHttpServer(httpServerOrOptions)) return attachTo(httpServerOrOptions, options);
  return new ServerClass(httpServerOrOptions as Options | undefined);
}

// The module's properties, and its types: each class is a value and a type of the same name,
// so `eio.Server` works in `new eio.Server()` and in `const s: eio.Server` alike (the types
// are erased; the values are what require() has always returned).
// eslint-disable-next-line @typescript-eslint/no-namespace
namespace eio {
  export const Server = CallableServer;
  export type Server = ServerClass;
  export const Socket = SocketClass;
  export type Socket = SocketClass;
  export const Transport = TransportClass;
  export type Transport = TransportClass;
  export const listen = listenOn;
  export const attach = attachTo;
  export const transports = transportsRegistry;
  export const protocol = parserModule.protocol;
  export import parser = parserModule;

  export type ServerOptions = ServerOpts;
  export type AttachOptions = AttachOpts;
  /** ServerOptions & AttachOptions, what `eio()`, `attach()`, `listen()` and `new Server()` take. */
  export type ServerOpts = Options;
  export type ResolvedOptions = import('./server').ResolvedOptions;
  export type TransportName = import('./server').TransportName;
  export type Middleware = import('./server').Middleware;
  export type AllowRequest = import('./server').AllowRequest;
  export type ServerEvents = import('./events').ServerEvents;
  export type SocketEvents = import('./events').SocketEvents;
  export type ConnectionError = import('./events').ConnectionError;
  export type ErrorCode = import('./errors').ErrorCode;
  export type ErrorContext = import('./errors').ErrorContext;
  export type CloseReason = import('./socket').CloseReason;
  export type SocketState = import('./socket').SocketState;
  export type SendOptions = import('./socket').SendOptions;
  export type SendCallback = import('./socket').SendCallback;
  export type EngineRequest = import('./transport').EngineRequest;
  export type CorsOptions = import('./cors').CorsOptions;
  export type CookieOptions = import('./cookie').CookieOptions;
  export type MetricsSnapshot = import('./metrics').MetricsSnapshot;
  export type HistogramSnapshot = import('./metrics').HistogramSnapshot;
  export type DrainOptions = import('./drain').DrainOptions;
  export type HealthReport = import('./health').HealthReport;
  export type ReadinessCheck = import('./health').ReadinessCheck;
}

export = eio;
