// The WebSocket server the engine hands its upgrades to (`server.ws`): `ws`'s WebSocketServer,
// or the one of the `wsEngine` option (a module name or a constructor with ws's interface).
// Typed here by what the engine and applications use of it, so that the package's declarations
// need no type package for `ws`.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';

export interface WebSocketServerLike {
  /** The options it was created with (ws). */
  readonly options?: Record<string, unknown>;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, callback: (websocket: any, req: IncomingMessage) => void): void;
  /** ws's 'headers' event: the 101's header lines, which a listener may add to. */
  on(event: 'headers', listener: (headers: string[], req: IncomingMessage) => void): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  close?(callback?: (err?: Error) => void): void;
}

export type WsEngine = string | (new (opts: any) => any);

/** A new WebSocket server in noServer mode, from the `wsEngine` option (default: ws). */
export function createWebSocketServer(engine: WsEngine | undefined, options: Record<string, unknown>): WebSocketServerLike {
  let Ctor: new (opts: any) => any = WebSocketServer;
  if (typeof engine === 'string') {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const mod = require(engine);
    Ctor = mod.Server || mod.WebSocketServer || mod;
  } else if (typeof engine === 'function') {
    Ctor = engine;
  }
  return new Ctor({ noServer: true, clientTracking: false, ...options });
}
