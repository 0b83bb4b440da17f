// The events of the server and of its sessions, as listener signatures keyed by event name.
// Types only: server.ts and socket.ts merge an interface into their classes that overloads
// on/once/off/emit... with these maps, so a listener gets typed arguments, a misspelt event is a
// compile error, and nothing changes at run time (the methods are Node's EventEmitter's).
//
// Adding an event: add a line to its map. The classes' own emit() calls are checked against it.
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Packet, DecodedPacket } from '../parser';
import type { ErrorCode, ErrorContext } from './errors';
import type { Socket, CloseReason } from './socket';
import type { Transport } from './transport';

/** The object of the server's `connection_error` event (a refused request). */
export interface ConnectionError {
  req: IncomingMessage;
  code: ErrorCode;
  message: string;
  /** Why, e.g. `{ name: 'TRANSPORT_MISMATCH' }`, `{ sid }`, `{ name: 'ORIGIN_NOT_ALLOWED' }`. */
  context?: ErrorContext;
}

/** The events of a `Server`. */
export interface ServerEvents {
  /** A new session completed its handshake. */
  connection: (socket: Socket) => void;
  /** A request or upgrade was refused. */
  connection_error: (err: ConnectionError) => void;
  /** The headers of the handshake response (add or change them). */
  initial_headers: (headers: OutgoingHttpHeaders, req: IncomingMessage) => void;
  /** The headers of every polling response and WebSocket handshake. */
  headers: (headers: OutgoingHttpHeaders, req: IncomingMessage) => void;
  /** A session is about to hand its write buffer to its transport. */
  flush: (socket: Socket, buffer: Packet[]) => void;
  /** A session handed its write buffer to its transport. */
  drain: (socket: Socket) => void;
  /** server.drain() was called: handshakes are refused from now on (code 6). */
  draining: () => void;
}

/** The events of a server `Socket` (one session). */
export interface SocketEvents {
  open: () => void;
  /** A message from the client: text, or binary as a Buffer. */
  message: (data: string | Buffer) => void;
  /** Same as `message`. */
  data: (data: string | Buffer) => void;
  /** The session is over; `description` is the Error behind a `transport error`. */
  close: (reason: CloseReason, description?: unknown) => void;
  /** Only emitted when someone listens: what a `message` listener or a send callback threw. */
  error: (err: unknown) => void;
  /** Any packet from the client. */
  packet: (packet: DecodedPacket) => void;
  /** A packet is about to be queued for sending. */
  packetCreate: (packet: Packet) => void;
  /** The write buffer is about to be handed to the transport. */
  flush: (buffer: Packet[]) => void;
  /** The write buffer was handed to the transport. */
  drain: () => void;
  /** The client showed it is alive (a pong in v4, a ping in v3). */
  heartbeat: () => void;
  /** The client probed `transport` successfully; the switch is under way. */
  upgrading: (transport: Transport) => void;
  /** The session now runs on `transport`. */
  upgrade: (transport: Transport) => void;
}

/** The arguments a listener of that signature receives. */
export type EventArgs<F> = F extends (...args: infer A) => unknown ? A : never;
