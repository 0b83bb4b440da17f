'use strict';
// Differential tests: the official parsers from npm are the oracles. engine.io-parser 5 for
// protocol v4, engine.io-parser 2 for protocol v3 (and, for typed-array views in XHR2 payloads,
// the v3 codec the official engine.io 6 server uses). For generated packets and payloads, what
// we encode they decode to the same packets, what they encode we decode to the same packets,
// and (where the format leaves no choice) the encodings are identical.
const test = require('node:test');
const assert = require('node:assert/strict');
const {
  fc,
  ours,
  o4,
  o3,
  o3server,
  norm,
  normAll,
  normEncoded,
  textArb,
  unitArb,
  binaryArb,
  packetArb,
  wellFormed,
} = require('./support/parser');

const { v3, v4 } = ours;
const RUNS = Number(process.env.PARSER_RUNS) || 1000;
const opts = { numRuns: RUNS };

/** What a packet decodes back to: empty text leaves no data on the wire. */
function expected(packet, { utf8 = false } = {}) {
  const n = norm(packet);
  if (n.data === '') delete n.data;
  if (utf8 && typeof n.data === 'string') n.data = wellFormed(n.data);
  return n;
}
const expectedAll = (packets, o) => packets.map((p) => expected(p, o));

const supportsBinaryArb = fc.boolean();
const binaryTypeArb = fc.constantFrom(undefined, 'nodebuffer', 'arraybuffer');

// ---------------------------------------------------------------------------------------------
// v4

test('v4 packets: same encoding as engine.io-parser 5, and each decodes the other', () => {
  fc.assert(
    fc.property(packetArb(), supportsBinaryArb, binaryTypeArb, (packet, sb, binaryType) => {
      const mine = v4.encodePacket(packet, sb);
      const theirs = o4.encodePacket(packet, sb);
      assert.deepEqual(normEncoded(mine), normEncoded(theirs));
      assert.deepEqual(norm(o4.decodePacket(mine, binaryType)), expected(packet));
      assert.deepEqual(norm(v4.decodePacket(theirs, binaryType)), expected(packet));
    }),
    opts,
  );
});

test('v4 payloads: same encoding as engine.io-parser 5, and each decodes the other', () => {
  // A record separator inside a text packet cannot survive a v4 payload (in either codec).
  const text = textArb().filter((s) => !s.includes('\x1e'));
  fc.assert(
    fc.property(fc.array(packetArb({ text }), { minLength: 1, maxLength: 10 }), binaryTypeArb, (packets, binaryType) => {
      const mine = v4.encodePayload(packets);
      assert.equal(mine, o4.encodePayload(packets));
      assert.deepEqual(normAll(o4.decodePayload(mine, binaryType)), expectedAll(packets));
      assert.deepEqual(normAll(v4.decodePayload(mine, { binaryType })), expectedAll(packets));
    }),
    opts,
  );
});

/** Strings that look like packets, payloads or base64, and plain noise. */
const wireTextArb = fc.oneof(
  fc.tuple(fc.constantFrom('', 'b', '0', '4', '6', '7', 'x', '\x1e'), textArb()).map(([a, b]) => a + b),
  fc.base64String({ maxLength: 40 }).map((s) => 'b' + s),
  fc.array(fc.tuple(fc.constantFrom('4', '2', 'b', '9', ''), fc.string({ unit: unitArb(), maxLength: 6 })), { maxLength: 6 }).map((parts) =>
    parts.map(([a, b]) => a + b).join('\x1e'),
  ),
);

/** Whether `rest` is base64 the way an encoder writes it (our decoder insists on that). */
function isCanonicalBase64(rest) {
  const canonical = Buffer.from(rest, 'base64').toString('base64');
  return canonical === rest || canonical.replace(/=+$/, '') === rest;
}

test('v4 decoding arbitrary text agrees with engine.io-parser 5 (ours is only stricter on base64)', () => {
  fc.assert(
    fc.property(wireTextArb, (s) => {
      const mine = v4.decodePacket(s);
      const theirs = o4.decodePacket(s);
      if (mine.type !== 'error') assert.deepEqual(norm(mine), norm(theirs));
      else if (theirs.type !== 'error') assert.ok(s[0] === 'b' && !isCanonicalBase64(s.slice(1)), JSON.stringify(s));

      const minePayload = v4.decodePayload(s);
      const theirsPayload = o4.decodePayload(s);
      const last = minePayload.length - 1;
      assert.deepEqual(normAll(minePayload.slice(0, last)), normAll(theirsPayload.slice(0, last)));
      if (minePayload[last].type !== 'error') assert.deepEqual(normAll(minePayload), normAll(theirsPayload));
    }),
    opts,
  );
});

// ---------------------------------------------------------------------------------------------
// v3

// v3 binary packets carry their type (a type byte or the digit after 'b'), so any type may be binary.
const V3_BINARY_TYPES = ['message', 'message', 'message', 'open', 'close', 'ping', 'pong', 'upgrade', 'noop'];

test('v3 packets: same encoding as engine.io-parser 2, and each decodes the other', () => {
  fc.assert(
    fc.property(packetArb({ binaryTypes: V3_BINARY_TYPES }), supportsBinaryArb, binaryTypeArb, (packet, sb, binaryType) => {
      const mine = v3.encodePacket(packet, sb);
      const theirs = o3.encodePacket(packet, sb);
      assert.deepEqual(normEncoded(mine), normEncoded(theirs));
      assert.deepEqual(norm(o3.decodePacket(mine, binaryType)), expected(packet));
      assert.deepEqual(norm(v3.decodePacket(theirs, binaryType)), expected(packet));
    }),
    opts,
  );
});

test('v3 string payloads: same encoding as engine.io-parser 2 (UTF-16 lengths), each decodes the other', () => {
  fc.assert(
    fc.property(fc.array(packetArb({ binaryTypes: V3_BINARY_TYPES }), { maxLength: 10 }), binaryTypeArb, (packets, binaryType) => {
      const mine = v3.encodePayload(packets, false);
      assert.equal(typeof mine, 'string');
      assert.equal(mine, o3.encodePayload(packets, false));
      assert.deepEqual(normAll(o3.decodePayload(mine, binaryType)), expectedAll(packets));
      assert.deepEqual(normAll(v3.decodePayload(mine, { binaryType })), expectedAll(packets));
    }),
    opts,
  );
});

function xhr2Property(oracle, kinds) {
  return fc.property(
    fc.array(packetArb({ binary: binaryArb(kinds), binaryTypes: V3_BINARY_TYPES }), { maxLength: 10 }),
    binaryTypeArb,
    (packets, binaryType) => {
      const mine = v3.encodePayload(packets, true);
      const theirs = oracle.encodePayload(packets, true);
      if (packets.length === 0) {
        assert.equal(mine, '0:');
        return;
      }
      assert.deepEqual(normEncoded(mine), normEncoded(theirs));
      const want = expectedAll(packets, { utf8: typeof mine !== 'string' });
      assert.deepEqual(normAll(oracle.decodePayload(mine, binaryType)), want);
      assert.deepEqual(normAll(v3.decodePayload(theirs, { binaryType })), want);
    },
  );
}

test('v3 XHR2 payloads: same bytes as engine.io-parser 2, each decodes the other', () => {
  fc.assert(xhr2Property(o3, ['buffer', 'arraybuffer']), opts);
});

test('v3 XHR2 payloads with typed-array views: same bytes as the official engine.io 6 v3 codec', () => {
  fc.assert(xhr2Property(o3server, ['buffer', 'arraybuffer', 'uint8array', 'subarray', 'dataview', 'float32']), opts);
});

const v3WireTextArb = fc.oneof(
  fc
    .array(fc.tuple(fc.nat(12), fc.constantFrom(':', ':', ':', 'x', ''), fc.string({ unit: unitArb(), maxLength: 10 })), { maxLength: 6 })
    .map((parts) => parts.map(([n, c, s]) => `${n}${c}${s}`).join('')),
  textArb(),
);

test('v3 decoding arbitrary string payloads agrees with engine.io-parser 2 wherever ours accepts', () => {
  fc.assert(
    fc.property(v3WireTextArb, (s) => {
      const mine = v3.decodePayload(s);
      const theirs = o3.decodePayload(s);
      const errorAt = mine.findIndex((p) => p.type === 'error');
      if (errorAt === -1) assert.deepEqual(normAll(mine), normAll(theirs));
      else assert.deepEqual(normAll(mine.slice(0, errorAt)), normAll(theirs.slice(0, errorAt)));
    }),
    opts,
  );
});

/** Byte sequences shaped like XHR2 payloads: headers with random lengths, random bodies. */
const xhr2BytesArb = fc
  .array(
    fc.tuple(fc.constantFrom(0, 1, 0, 1, 2), fc.array(fc.nat(10), { minLength: 0, maxLength: 2 }), fc.uint8Array({ maxLength: 12 })),
    { minLength: 1, maxLength: 5 },
  )
  .map((parts) => Buffer.concat(parts.map(([kind, digits, body]) => Buffer.concat([Buffer.from([kind, ...digits, 255]), body]))));

test('v3 decoding arbitrary XHR2 bytes agrees with engine.io-parser 2 wherever ours accepts', () => {
  fc.assert(
    fc.property(xhr2BytesArb, (bytes) => {
      const mine = v3.decodePayload(bytes);
      if (mine[mine.length - 1].type !== 'error') assert.deepEqual(normAll(mine), normAll(o3.decodePayload(bytes)));
    }),
    opts,
  );
});
