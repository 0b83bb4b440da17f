// engine.io-ts/client for Node: the client socket with Node transports (node:http long-polling,
// `ws` WebSocket). Callable like the official factory: `eio(uri, opts)` and `new eio.Socket(...)`.

import { Socket as SocketClass, SocketOptions as Options, transports as registry } from './socket';
import { Transport as TransportClass, TransportError as TransportErrorClass } from './transport';
import { Emitter as EmitterClass } from './emitter';
import type { EventsMap, Listener } from './emitter';
import { NodePolling } from './polling-node';
import { NodeWS } from './websocket-node';

registry.polling = NodePolling;
registry.websocket = NodeWS;

/** A client socket: `eio(uri, opts)`, `eio(opts)`, like `new eio.Socket(...)`. */
function eio(uri?: string | Options | null, opts?: Options): SocketClass {
  return new SocketClass(uri, opts);
}

// Each class is a value and a type of the same name (`new eio.Socket()`, `const s: eio.Socket`).
// eslint-disable-next-line @typescript-eslint/no-namespace
namespace eio {
  export const Socket = SocketClass;
  export type Socket = SocketClass;
  export type SocketOptions = Options;
  export const Transport = TransportClass;
  export type Transport = TransportClass;
  export const TransportError = TransportErrorClass;
  export type TransportError = TransportErrorClass;
  export const Emitter = EmitterClass;
  export type Emitter<Events extends { [E in keyof Events]: Listener } = EventsMap> = EmitterClass<Events>;
  export const transports = registry;
  export const protocol = SocketClass.protocol;

  export type SocketState = import('./socket').SocketState;
  export type SocketEvents = import('./events').SocketEvents;
  export type TransportEvents = import('./events').TransportEvents;
  export type CloseReason = import('./events').CloseReason;
  export type MessageData = import('./events').MessageData;
  export type HandshakeData = import('./events').HandshakeData;
  export type UpgradeError = import('./events').UpgradeError;
  export type TransportOptions = import('./transport').TransportOptions;
  export type Packet = import('../parser/packet').Packet;
  export type PacketType = import('../parser/packet').PacketType;
  export type BinaryType = import('../parser/packet').BinaryType;
}

export = eio;
