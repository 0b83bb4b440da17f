// Every use of `ws` internals (its private API, as of ws 8) in one place. The WebSocket
// transport's fast path writes a whole frame with one socket write through the connection's
// Sender, skipping ws's per-message option objects and the cork/writev of a separate header,
// which cost more than the frame itself for small messages. The Receiver tells whether input
// is still being decoded, and it and the TCP socket get an end() that spares ws's close path
// its discarded errors (quietRedundantEnds). test/ws-internals.test.js checks these members on
// a real connection and buildFrame against ws's own framing, so a ws upgrade that changes them
// fails there, loudly. A socket without them (another ws-compatible engine given as
// `wsEngine`) gets no fast path: the transport sends through the public `send()`.

/** ws's Sender (ws/lib/sender.js), the members used. */
export interface WsSender {
  /** Writes one frame, given as one Buffer (or header + payload), then calls `cb`. */
  sendFrame(list: readonly Buffer[], cb?: (err?: Error) => void): void;
  /** 0 (DEFAULT) unless a message is being compressed or read from a Blob (ws >= 8.17). */
  _state?: number;
  /** Whether a message is being compressed (ws before 8.17 had this instead of _state). */
  _deflating?: boolean;
  /** Messages waiting behind the one being compressed. */
  _queue?: readonly unknown[];
}

/** What the transport uses of a ws-compatible WebSocket: its public API, and ws's Sender. */
export interface WsSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string | Uint8Array, options: { compress: boolean }, cb?: (err?: Error) => void): void;
  close(code?: number): void;
  terminate?(): void;
  on(event: string, listener: (...args: any[]) => void): unknown;
  once(event: string, listener: (...args: any[]) => void): unknown;
  /** Set by ws when the connection is established (WebSocket#setSocket). */
  _sender?: WsSender | null;
  /** ws's Receiver, a Writable fed with the bytes read from the TCP socket. */
  _receiver?: WsReceiver | null;
  /** The TCP (or TLS) socket under the WebSocket, set with the Sender. */
  _socket?: EndableStream | null;
}

/** ws's Receiver (ws/lib/receiver.js), the members used: it is a Writable. */
export interface WsReceiver extends EndableStream {
  readonly writableLength: number;
}

/** What endUnlessEnded needs of a Writable (ws's Receiver, a net.Socket). */
interface EndableStream {
  readonly writableEnded?: boolean;
  readonly writableCorked?: number;
  end?: (...args: unknown[]) => unknown;
}

/**
 * The end() given to the streams below: a call without arguments on a stream that has already
 * ended, and is not corked, returns at once. Only there does Writable#end() have no effect but
 * one: it builds an error (ERR_STREAM_ALREADY_FINISHED or ERR_STREAM_DESTROYED, with a captured
 * stack) that nobody receives, for there is no callback. Every other call is the stream's own end().
 */
function endUnlessEnded(this: EndableStream): unknown {
  if (arguments.length === 0 && this.writableEnded === true && this.writableCorked === 0) return this;
  // `arguments` and not rest parameters: no array for every call
  return Reflect.apply(Object.getPrototypeOf(this).end as (...args: unknown[]) => unknown, this, arguments);
}

function giveEndUnlessEnded(stream: EndableStream | null | undefined): void {
  if (
    stream != null &&
    typeof stream.end === 'function' &&
    typeof stream.writableEnded === 'boolean' &&
    typeof stream.writableCorked === 'number'
  ) {
    // not enumerable: the TCP socket is the application's too (socket.request.socket)
    Object.defineProperty(stream, 'end', { value: endUnlessEnded, writable: true, configurable: true });
  }
}

/**
 * ws's close path calls end() on streams that have already ended: on its Receiver, which ends
 * itself when the peer's close frame arrives, once when the TCP socket ends and once when it
 * closes; and on the TCP socket when it ends, which has often finished by then (the server
 * ended it after its own close frame). Each such call builds an error nobody sees, and those
 * errors took about a quarter of the server's CPU per WebSocket connect (open, open packet,
 * close) in bench/server.js. So both streams get endUnlessEnded as their own end(), which
 * changes nothing else about them.
 */
export function quietRedundantEnds(socket: WsSocket): void {
  giveEndUnlessEnded(socket._receiver);
  giveEndUnlessEnded(socket._socket);
}

/**
 * Whether bytes already read from the network are still being turned into messages: ws's
 * receiver counts a chunk in its writableLength until every frame in it has been handled,
 * including the inflation of compressed messages, which runs on the thread pool. Engines
 * without that receiver never hold input back.
 */
export function inputPending(socket: WsSocket): boolean {
  const receiver = socket._receiver;
  return receiver !== undefined && receiver !== null && typeof receiver.writableLength === 'number' && receiver.writableLength > 0;
}

/** The socket's Sender when it has the members the fast path needs, else null (no fast path). */
export function frameSender(socket: WsSocket): WsSender | null {
  const sender = socket._sender;
  return sender != null && typeof sender.sendFrame === 'function' ? sender : null;
}

/**
 * Whether a frame may go straight to the Sender now: the socket is open and nothing is queued
 * or being compressed there (such a message would otherwise be overtaken).
 */
export function senderIdle(socket: WsSocket, sender: WsSender): boolean {
  if (socket.readyState !== 1 || sender._deflating === true) return false;
  if (typeof sender._state === 'number' && sender._state !== 0) return false;
  const queue = sender._queue;
  return !(queue && queue.length > 0);
}

/**
 * One whole unmasked frame (FIN set, opcode text or binary, no compression) in a single Buffer:
 * what ws's Sender.frame() writes as header + payload, for sendFrame.
 */
export function buildFrame(data: string | Buffer): Buffer {
  const isString = typeof data === 'string';
  const length = isString ? Buffer.byteLength(data as string) : (data as Buffer).length;
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = isString ? 0x81 : 0x82;
  if (header === 2) {
    frame[1] = length;
  } else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(0, 2);
    frame.writeUInt32BE(length, 6);
  }
  if (isString) frame.write(data as string, header, length, 'utf8');
  else (data as Buffer).copy(frame, header);
  return frame;
}
