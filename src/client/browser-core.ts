// The client wired with browser transports (XHR long-polling, the browser's WebSocket). No Node
// code here: this is what the browser bundles contain.

import { Socket, SocketOptions, transports } from './socket';
import { XHRPolling } from './polling-xhr';
import { WS } from './websocket';

transports.polling = XHRPolling;
transports.websocket = WS;

/** `eio(uri, opts)`: the factory form of `new Socket(uri, opts)`. */
export function eio(uri?: string | SocketOptions | null, opts?: SocketOptions): Socket {
  return new Socket(uri, opts);
}
eio.Socket = Socket;
eio.protocol = Socket.protocol;
eio.transports = transports;

export { Socket, transports };
export const protocol = Socket.protocol;
