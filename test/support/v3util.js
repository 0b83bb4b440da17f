'use strict';
// Small helpers shared by the protocol-v3 and options tests.
const { once } = require('node:events');
const { collect, asBuffer } = require('./index');

const official = process.env.ENGINE === 'official';

/** Options for a server that must accept v3 clients whatever the engine's default. */
function v3opts(extra = {}) {
  return { allowEIO3: true, ...extra };
}

/** Resolves when a client socket (v3 or v4 official client) has emitted `open`. */
async function opened(client, ms = 5000) {
  const timer = setTimeout(() => client.emit('error', new Error('open timed out')), ms);
  try {
    await Promise.race([
      once(client, 'open'),
      once(client, 'error').then(([err]) => {
        throw err instanceof Error ? err : new Error(`client error: ${JSON.stringify(err)}`);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Parses a v3 string payload `<len>:<packet>...` (lengths in UTF-16 code units). */
function parseV3StringPayload(text) {
  const packets = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) throw new Error(`bad v3 payload at ${i}: ${JSON.stringify(text)}`);
    const len = Number(text.slice(i, colon));
    if (!Number.isInteger(len)) throw new Error(`bad v3 length at ${i}: ${JSON.stringify(text)}`);
    packets.push(text.slice(colon + 1, colon + 1 + len));
    i = colon + 1 + len;
  }
  return packets;
}

/** Builds a v3 string payload from encoded packets. */
function v3StringPayload(packets) {
  return packets.map((p) => `${p.length}:${p}`).join('');
}

/** Parses a v3 XHR2 binary payload into [{ binary: boolean, data: Buffer }]. */
function parseV3BinaryPayload(buf) {
  const out = [];
  let i = 0;
  while (i < buf.length) {
    const binary = buf[i] === 1;
    if (buf[i] !== 0 && buf[i] !== 1) throw new Error(`bad v3 binary payload marker ${buf[i]} at ${i}`);
    i++;
    let digits = '';
    while (buf[i] !== 255) {
      if (i >= buf.length || buf[i] > 9) throw new Error('bad v3 binary payload length');
      digits += String(buf[i]);
      i++;
    }
    i++;
    const len = Number(digits);
    out.push({ binary, data: buf.subarray(i, i + len) });
    i += len;
  }
  return out;
}

/** Builds a v3 XHR2 binary payload from entries of string (text packet) or Buffer (binary packet incl. type byte). */
function v3BinaryPayload(entries) {
  const parts = [];
  for (const e of entries) {
    const bytes = typeof e === 'string' ? Buffer.from(e, 'utf8') : e;
    // In this form a text packet's length counts its UTF-8 bytes (unlike the string form's UTF-16 units).
    parts.push(Buffer.from([typeof e === 'string' ? 0 : 1, ...String(bytes.length).split('').map(Number), 255]), bytes);
  }
  return Buffer.concat(parts);
}

module.exports = {
  official,
  v3opts,
  collect,
  asBuffer,
  opened,
  parseV3StringPayload,
  v3StringPayload,
  parseV3BinaryPayload,
  v3BinaryPayload,
};
