// The packet model shared by both protocol revisions, the server and the client.
// Pure types and constants: no I/O, no Node built-ins (the browser bundle uses this file).

export type PacketType = 'open' | 'close' | 'ping' | 'pong' | 'message' | 'upgrade' | 'noop';

/** Binary data accepted on input: Buffer, ArrayBuffer and every ArrayBufferView. */
export type BinaryData = ArrayBuffer | ArrayBufferView;

/** What a packet may carry: text, or binary (messages only). */
export type PacketData = string | BinaryData;

export interface PacketOptions {
  /** Whether the transport may compress this packet (default true). */
  compress?: boolean;
}

export interface Packet {
  type: PacketType;
  data?: PacketData;
  options?: PacketOptions;
}

/** The one packet a decoder returns for input it cannot read. */
export interface ErrorPacket {
  type: 'error';
  data: 'parser error';
}

export type DecodedPacket = Packet | ErrorPacket;

/** How decoded binary is handed out: Node's Buffer, an ArrayBuffer, or a Uint8Array view. */
export type BinaryType = 'nodebuffer' | 'arraybuffer' | 'uint8array';

export interface DecodeOptions {
  /** Defaults to 'nodebuffer' where Buffer exists, 'arraybuffer' elsewhere. */
  binaryType?: BinaryType;
  /** Refuse (with the error packet) input larger than this many bytes or UTF-16 units. */
  maxPayload?: number;
}

export const PACKET_TYPES: readonly PacketType[] = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'];

export const PACKET_TYPE_IDS: Readonly<Record<PacketType, number>> = {
  open: 0,
  close: 1,
  ping: 2,
  pong: 3,
  message: 4,
  upgrade: 5,
  noop: 6,
};

export const ERROR_PACKET: ErrorPacket = Object.freeze({ type: 'error', data: 'parser error' }) as ErrorPacket;
