'use strict';
// Helpers for the codec tests: synchronous wrappers around the official parsers' callback APIs
// (the oracles), a comparable form of packets, and fast-check generators.
const fc = require('fast-check');
const ours = require('engine.io-ts/parser');
const official4 = require('engine.io-parser');
const official3 = require('engine.io-parser-v2');
// The v3 codec the official engine.io 6 server actually uses for EIO=3 peers (a port of 2.2.x
// that also counts typed-array views as binary).
// Not in the package's exports map, so loaded by file path.
const path = require('node:path');
const official3Server = require(path.join(path.dirname(require.resolve('engine.io')), 'parser-v3', 'index.js'));

const ERROR = { type: 'error', data: 'parser error' };

function isBinary(x) {
  return x instanceof ArrayBuffer || ArrayBuffer.isView(x);
}

/** Exactly the bytes of any binary value, as a Buffer (copy-free view). */
function bytesOf(x) {
  if (Buffer.isBuffer(x)) return x;
  if (x instanceof ArrayBuffer) return Buffer.from(x);
  return Buffer.from(x.buffer, x.byteOffset, x.byteLength);
}

/** A packet in a form deepStrictEqual can compare: binary becomes {bin: hex}. */
function norm(p) {
  if (!p || typeof p !== 'object') return p;
  const out = { type: p.type };
  if (p.data !== undefined) out.data = isBinary(p.data) ? { bin: bytesOf(p.data).toString('hex') } : p.data;
  return out;
}

function normAll(list) {
  return list.map(norm);
}

/** Encoded output in a comparable form: strings stay, binary becomes {bin: hex}. */
function normEncoded(x) {
  return typeof x === 'string' ? x : { bin: bytesOf(x).toString('hex') };
}

// --- official v4 (engine.io-parser 5.x): callbacks are called synchronously -----------------

const o4 = {
  encodePacket(packet, supportsBinary) {
    let out;
    official4.encodePacket(packet, supportsBinary, (x) => (out = x));
    return out;
  },
  decodePacket(data, binaryType) {
    return official4.decodePacket(data, binaryType);
  },
  encodePayload(packets) {
    let out;
    official4.encodePayload(packets, (x) => (out = x));
    return out;
  },
  decodePayload(payload, binaryType) {
    return official4.decodePayload(payload, binaryType);
  },
};

// --- official v3 (engine.io-parser 2.x) -------------------------------------------------------

function makeO3(impl) {
  return {
    encodePacket(packet, supportsBinary) {
      let out;
      impl.encodePacket(packet, supportsBinary, (x) => (out = x));
      return out;
    },
    decodePacket(data, binaryType) {
      return impl.decodePacket(data, binaryType);
    },
    encodePayload(packets, supportsBinary) {
      let out;
      impl.encodePayload(packets, supportsBinary, (x) => (out = x));
      return out;
    },
    /** Collects the per-packet callbacks; an error is reported as the last element. */
    decodePayload(data, binaryType) {
      const packets = [];
      let failed = false;
      impl.decodePayload(data, binaryType, (packet) => {
        if (failed) return false;
        if (packet.type === 'error') {
          failed = true;
          packets.push(ERROR);
          return false;
        }
        packets.push(packet);
        return true;
      });
      return packets;
    },
  };
}

const o3 = makeO3(official3);
const o3server = makeO3(official3Server);

// --- generators ---------------------------------------------------------------------------------

const TYPES = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'];

/** One UTF-16 unit or code point, biased towards the characters the wire formats care about. */
function unitArb({ loneSurrogates = true } = {}) {
  const parts = [
    { weight: 3, arbitrary: fc.constantFrom('\x1e', ':', 'b', '0', '4', '9', '€', '\u00e9', '=', '\x00', '\uffff', '\ufeff') },
    { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 0xd7ff }).map((c) => String.fromCharCode(c)) },
    { weight: 2, arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)) },
  ];
  if (loneSurrogates) parts.push({ weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) });
  return fc.oneof(...parts);
}

function textArb(opts) {
  return fc.string({ unit: unitArb(opts), maxLength: 40 });
}

const bytesArb = fc.uint8Array({ maxLength: 64 });

/**
 * Binary data in one of the input shapes the codec accepts, with the same bytes. `kinds` limits
 * the shapes (the official v2 parser mishandles some views, e.g. empty DataViews).
 */
function binaryArb(kinds = ['buffer', 'arraybuffer', 'uint8array', 'subarray', 'dataview', 'float32']) {
  return fc
    .tuple(bytesArb, fc.constantFrom(...kinds), fc.nat(7))
    .filter(([bytes, kind]) => (kind !== 'float32' || bytes.length % 4 === 0) && (kind !== 'dataview' || bytes.length > 0))
    .map(([bytes, kind, pad]) => makeBinary(bytes, kind, pad));
}

/** `bytes` as the given kind of binary value, placed at an offset inside a larger buffer. */
function makeBinary(bytes, kind, pad = 3) {
  switch (kind) {
    case 'buffer':
      return Buffer.from(bytes);
    case 'arraybuffer':
      return Uint8Array.from(bytes).buffer;
    case 'uint8array':
      return Uint8Array.from(bytes);
    case 'subarray': {
      const big = new Uint8Array(bytes.length + pad + 5).fill(0xee);
      big.set(bytes, pad);
      return big.subarray(pad, pad + bytes.length);
    }
    case 'dataview': {
      const big = new Uint8Array(bytes.length + pad + 5).fill(0xee);
      big.set(bytes, pad);
      return new DataView(big.buffer, pad, bytes.length);
    }
    case 'float32': {
      const offset = 8;
      const big = new Uint8Array(bytes.length + offset + 8).fill(0xee);
      big.set(bytes, offset);
      return new Float32Array(big.buffer, offset, bytes.length / 4);
    }
    default:
      throw new Error(kind);
  }
}

/** A packet: any type with optional text, or a binary message. */
function packetArb({ text = textArb(), binary = binaryArb(), withBinary = true, binaryTypes = ['message'] } = {}) {
  const textPacket = fc
    .tuple(fc.constantFrom(...TYPES), fc.option(text, { nil: undefined }))
    .map(([type, data]) => (data === undefined ? { type } : { type, data }));
  if (!withBinary) return textPacket;
  return fc.oneof(
    { weight: 3, arbitrary: textPacket },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...binaryTypes), binary).map(([type, data]) => ({ type, data })) },
  );
}

/** What a packet should decode to: text as is, binary as its bytes. */
function expected(packet) {
  return norm(packet);
}

/** The text with lone surrogates replaced by U+FFFD (what any UTF-8 round trip gives). */
function wellFormed(str) {
  return Buffer.from(str, 'utf8').toString('utf8');
}

module.exports = {
  fc,
  ours,
  o4,
  o3,
  o3server,
  official3,
  ERROR,
  TYPES,
  norm,
  normAll,
  normEncoded,
  bytesOf,
  isBinary,
  unitArb,
  textArb,
  bytesArb,
  binaryArb,
  makeBinary,
  packetArb,
  expected,
  wellFormed,
};
