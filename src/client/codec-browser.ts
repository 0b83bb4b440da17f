// The codec of the browser bundle: the same wire formats as engine.io-ts/parser (v4 and v3,
// including v3's XHR2 binary payloads), written for size with the browser's atob/btoa and
// TextEncoder/TextDecoder. test/client-codec.test.js checks it against the parser.

import type { BinaryData, BinaryType, DecodedPacket, Packet, PacketType } from '../parser/packet';
import { ERROR_PACKET, PACKET_TYPES } from '../parser/packet';
import type { Codec } from './codec';

type Decoded = DecodedPacket;

/** Packet type of the id character (or byte) `c`; undefined for anything else. */
const typeOf = (c: string | number): PacketType | undefined =>
  /^[0-6]$/.test(c as string) ? PACKET_TYPES[+c] : undefined;

const idOf = (type: PacketType): number => PACKET_TYPES.indexOf(type);

const isBinary = (data: unknown): data is BinaryData => data instanceof ArrayBuffer || ArrayBuffer.isView(data);

const bytesOf = (data: BinaryData): Uint8Array =>
  data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/** Decoded bytes as the socket's binaryType: a Uint8Array on request, else an exact ArrayBuffer. */
const output = (bytes: Uint8Array, binaryType: BinaryType): BinaryData =>
  binaryType === 'uint8array' ? bytes : (bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);

function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
  return btoa(text);
}

function fromBase64(text: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

const textOf = (packet: Packet): string => idOf(packet.type) + (packet.data == null ? '' : String(packet.data));

/** A text packet `<id><data>`, after any binary prefix has been handled. */
function decodeText(text: string): Decoded {
  const type = typeOf(text[0]);
  return !type ? ERROR_PACKET : text.length > 1 ? { type, data: text.slice(1) } : { type };
}

function message(bytes: Uint8Array | null, binaryType: BinaryType, type: PacketType | undefined): Decoded {
  return bytes && type ? { type, data: output(bytes, binaryType) } : ERROR_PACKET;
}

const encodePacket4 = (packet: Packet, supportsBinary: boolean): string | Uint8Array => {
  const data = packet.data;
  if (!isBinary(data)) return textOf(packet);
  return supportsBinary ? bytesOf(data) : 'b' + toBase64(bytesOf(data));
};

const decodePacket4 = (data: string | BinaryData, binaryType: BinaryType): Decoded => {
  if (typeof data !== 'string') return message(bytesOf(data), binaryType, 'message');
  return data[0] === 'b' ? message(fromBase64(data.slice(1)), binaryType, 'message') : decodeText(data);
};

const encodePacket3 = (packet: Packet, supportsBinary: boolean): string | Uint8Array => {
  const data = packet.data;
  if (!isBinary(data)) return textOf(packet);
  const bytes = bytesOf(data);
  if (!supportsBinary) return 'b' + idOf(packet.type) + toBase64(bytes);
  const frame = new Uint8Array(bytes.length + 1);
  frame[0] = idOf(packet.type);
  frame.set(bytes, 1);
  return frame;
};

const decodePacket3 = (data: string | BinaryData, binaryType: BinaryType): Decoded => {
  if (typeof data === 'string') {
    return data[0] === 'b' ? message(fromBase64(data.slice(2)), binaryType, typeOf(data[1])) : decodeText(data);
  }
  const bytes = bytesOf(data);
  return message(bytes.subarray(1), binaryType, typeOf(bytes[0]));
};

const lengthPrefixed = (text: string): string => text.length + ':' + text;

/** v3 XHR2 payload: per packet `<0 text | 1 binary><length digits as bytes><255><bytes>`. */
function encodeBinaryPayload3(packets: Packet[]): Uint8Array {
  const parts: number[] = [];
  for (const packet of packets) {
    const binary = isBinary(packet.data);
    const bytes = binary ? (encodePacket3(packet, true) as Uint8Array) : new TextEncoder().encode(textOf(packet));
    parts.push(binary ? 1 : 0, ...String(bytes.length).split('').map(Number), 255, ...bytes);
  }
  return new Uint8Array(parts);
}

function decodePayload3(data: string | Uint8Array, binaryType: BinaryType): Decoded[] {
  const packets: Decoded[] = [];
  const len = data.length;
  const fail = () => (packets.push(ERROR_PACKET), packets);
  if (!len) return fail();
  let i = 0;
  while (i < len) {
    let n = 0;
    let start = i;
    let body: string | Uint8Array;
    if (typeof data === 'string') {
      // <length in UTF-16 units>:<packet>; "0:" carries no packet.
      while (/\d/.test(data[i] || '')) n = n * 10 + +data[i++];
      if (i === start || data[i++] !== ':' || i + n > len) return fail();
      body = data.substr(i, n);
    } else {
      const kind = data[i++];
      start = i;
      while (data[i] < 10) n = n * 10 + data[i++];
      if (kind > 1 || i === start || data[i++] !== 255 || i + n > len) return fail();
      body = data.subarray(i, i + n);
      if (!kind) body = new TextDecoder().decode(body);
    }
    i += n;
    if (n) {
      const packet = decodePacket3(body, binaryType);
      packets.push(packet);
      if (packet === ERROR_PACKET) break;
    }
  }
  return packets;
}

const codecs: Record<3 | 4, Codec> = {
  4: {
    encodePacket: encodePacket4,
    decodePacket: decodePacket4,
    encodePayload: (packets) => packets.map((packet) => encodePacket4(packet, false)).join('\x1e'),
    decodePayload(data, binaryType) {
      const packets: Decoded[] = [];
      for (const part of (data as string).split('\x1e')) {
        const packet = decodePacket4(part, binaryType);
        packets.push(packet);
        if (packet === ERROR_PACKET) break;
      }
      return packets;
    },
  },
  3: {
    encodePacket: encodePacket3,
    decodePacket: decodePacket3,
    encodePayload: (packets, supportsBinary) =>
      supportsBinary && packets.some((packet) => isBinary(packet.data))
        ? encodeBinaryPayload3(packets)
        : packets.map((packet) => lengthPrefixed(encodePacket3(packet, false) as string)).join('') || '0:',
    decodePayload: decodePayload3,
  },
};

export function codec(protocol: 3 | 4): Codec {
  return codecs[protocol];
}
