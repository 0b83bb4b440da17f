// The events of the client socket and of its transports, as listener signatures keyed by event
// name (the type parameter of their Emitter). Types only.

import type { DecodedPacket, Packet } from '../parser/packet';
import type { Transport, TransportError } from './transport';

/** Why a client socket closed (the first argument of its `close` event). */
export type CloseReason = 'transport close' | 'transport error' | 'ping timeout' | 'forced close';

/** What a message from the server carries: text, or binary as the socket's `binaryType` says
 * (a Buffer in Node by default, an ArrayBuffer in browsers). */
export type MessageData = string | Buffer | ArrayBuffer | Uint8Array;

/** The handshake the server sent (the `handshake` event). */
export interface HandshakeData {
  sid: string;
  upgrades: string[];
  pingInterval: number;
  pingTimeout: number;
  maxPayload?: number;
}

/** An upgrade probe that failed (the `upgradeError` event). */
export interface UpgradeError extends Error {
  /** The transport that was probed. */
  transport?: string;
}

/** The events of a client `Socket`. */
export interface SocketEvents {
  /** The session is open (handshake received). */
  open: () => void;
  handshake: (data: HandshakeData) => void;
  /** A message from the server. */
  message: (data: MessageData) => void;
  /** Same as `message`. */
  data: (data: MessageData) => void;
  /** The session is over; `details` says what the platform reported. */
  close: (reason: CloseReason, details?: unknown) => void;
  /** A transport failed (a TransportError), the server sent an error packet, or no transport
   * is available (a string); `close` follows, except for the last. */
  error: (err: Error | string) => void;
  /** A probe succeeded; the switch to `transport` is under way. */
  upgrading: (transport: Transport) => void;
  /** The socket now runs on `transport`. */
  upgrade: (transport: Transport) => void;
  /** A probe failed; the session carries on. */
  upgradeError: (err: UpgradeError) => void;
  /** v4: the server pinged; v3: we pinged. */
  ping: () => void;
  /** v4: we answered a ping; v3: the server answered ours. */
  pong: () => void;
  /** Any packet from the server. */
  heartbeat: () => void;
  packet: (packet: DecodedPacket) => void;
  /** A packet is about to be queued for sending. */
  packetCreate: (packet: Packet) => void;
  /** Buffered packets were handed to the transport. */
  flush: () => void;
  /** Everything buffered has been written. */
  drain: () => void;
}

/** The events of a client transport (what the socket listens to). */
export interface TransportEvents {
  open: () => void;
  close: (details?: unknown) => void;
  /** A TransportError, or what the platform threw while opening. */
  error: (err: TransportError | Error) => void;
  packet: (packet: DecodedPacket) => void;
  drain: () => void;
  /** Polling: a GET was sent. */
  poll: () => void;
  /** Polling: a GET was answered. */
  pollComplete: () => void;
}
