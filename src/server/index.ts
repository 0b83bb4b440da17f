// The engine.io-ts module: callable like the Engine.IO README says.
//   eio(httpServer, opts)  -> attached Server      eio(opts) / eio() -> new Server
//   eio.listen(port, opts, fn), eio.attach(httpServer, opts), eio.Server (also callable
//   without `new`), eio.Socket, eio.Transport, eio.transports, eio.protocol, eio.parser
import { createServer } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import * as parser from '../parser';
import { Server as ServerClass } from './server';
import type { ServerOptions, AttachOptions } from './server';
import { Socket } from './socket';
import { Transport } from './transport';
import transports from './transports/index';

type Options = ServerOptions & AttachOptions;

/** `Server` as a class that may also be called without `new` (the README does `Server()`). */
type CallableServer = typeof ServerClass & ((opts?: Options) => ServerClass);
const Server = new Proxy(ServerClass, {
  apply(target, _thisArg, args: [Options?]) {
    return new target(...args);
  },
}) as CallableServer;

function isHttpServer(value: unknown): value is HttpServer {
  return !!value && typeof (value as HttpServer).listen === 'function' && typeof (value as HttpServer).on === 'function';
}

/** Creates a Server attached to `httpServer`. */
function attach(httpServer: HttpServer, options?: Options): ServerClass {
  const engine = new ServerClass(options);
  engine.attach(httpServer, options);
  return engine;
}

/** An http.Server of its own on `port` (501 Not Implemented outside the engine's path). */
function listen(port: number, options?: Options | (() => void), fn?: () => void): ServerClass {
  if (typeof options === 'function') {
    fn = options;
    options = {};
  }
  const httpServer = createServer((_req, res) => {
    res.writeHead(501);
    res.end('Not Implemented');
  });
  const engine = attach(httpServer, options);
  engine.httpServer = httpServer;
  httpServer.listen(port, fn);
  return engine;
}

function eio(httpServerOrOptions?: HttpServer | Options, options?: Options): ServerClass {
  if (isHttpServer(httpServerOrOptions)) return attach(httpServerOrOptions, options);
  return new ServerClass(httpServerOrOptions as Options | undefined);
}

const protocol = parser.protocol;

namespace eio {
  export type Server = ServerClass;
  export type Socket = import('./socket').Socket;
  export type Transport = import('./transport').Transport;
  export type ServerOpts = Options;
}

export = Object.assign(eio, {
  listen,
  attach,
  Server,
  Socket,
  Transport,
  transports,
  protocol,
  parser,
});
