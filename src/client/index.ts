// engine.io-ts/client for Node: the client socket with Node transports (node:http long-polling,
// `ws` WebSocket). Callable like the official factory: `eio(uri, opts)` and `new eio.Socket(...)`.

import { Socket as SocketClass, SocketOptions as Options, transports as registry } from './socket';
import { Transport as TransportClass, TransportError as TransportErrorClass } from './transport';
import { Emitter as EmitterClass } from './emitter';
import { NodePolling } from './polling-node';
import { NodeWS } from './websocket-node';

registry.polling = NodePolling;
registry.websocket = NodeWS;

function eio(uri?: string | Options | null, opts?: Options): SocketClass {
  return new SocketClass(uri, opts);
}

// eslint-disable-next-line @typescript-eslint/no-namespace
namespace eio {
  export const Socket = SocketClass;
  export type Socket = SocketClass;
  export type SocketOptions = Options;
  export const Transport = TransportClass;
  export const TransportError = TransportErrorClass;
  export const Emitter = EmitterClass;
  export const transports = registry;
  export const protocol = SocketClass.protocol;
}

export = eio;
