'use strict';
// Properties of the codec on its own: decoding never throws whatever it is given, and encoding
// then decoding gives the packets back, for both revisions, every binary input kind, every
// binary type and both transport modes (binary frames, text only).
const test = require('node:test');
const assert = require('node:assert/strict');
const { fc, ours, norm, normAll, textArb, unitArb, packetArb, binaryArb, wellFormed, ERROR } = require('./support/parser');

const { v3, v4 } = ours;
const RUNS = Number(process.env.PARSER_RUNS) || 1000;
const opts = { numRuns: RUNS };
const binaryTypeArb = fc.constantFrom(undefined, 'nodebuffer', 'arraybuffer', 'uint8array');

function expected(packet, utf8 = false) {
  const n = norm(packet);
  if (n.data === '') delete n.data;
  if (utf8 && typeof n.data === 'string') n.data = wellFormed(n.data);
  return n;
}

/** Checks a decoded packet is either a real packet or exactly the error packet. */
function assertWellFormed(p) {
  assert.equal(typeof p, 'object');
  if (p.type === 'error') {
    assert.deepEqual(p, ERROR);
    return;
  }
  assert.ok(['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'].includes(p.type), p.type);
  if ('data' in p) assert.ok(typeof p.data === 'string' || p.data instanceof ArrayBuffer || ArrayBuffer.isView(p.data));
}

function assertPayloadWellFormed(list) {
  assert.ok(Array.isArray(list));
  list.forEach((p, i) => {
    assertWellFormed(p);
    if (p.type === 'error') assert.equal(i, list.length - 1, 'the error packet is the last element');
  });
}

const anyStringArb = fc.oneof(textArb(), fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit: unitArb(), maxLength: 200 }));
const anyBytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 80 }),
  fc.array(fc.constantFrom(0, 1, 2, 4, 9, 10, 52, 98, 255, 0xc3, 0xed, 0xf0, 0x80), { maxLength: 40 }).map((a) => Uint8Array.from(a)),
);
const maxPayloadArb = fc.option(fc.nat(100), { nil: undefined });

test('decoding never throws on any string (packets and payloads, both revisions)', () => {
  fc.assert(
    fc.property(anyStringArb, binaryTypeArb, maxPayloadArb, (s, binaryType, maxPayload) => {
      assertWellFormed(v4.decodePacket(s, binaryType));
      assertWellFormed(v3.decodePacket(s, binaryType));
      assertPayloadWellFormed(v4.decodePayload(s, { binaryType, maxPayload }));
      assertPayloadWellFormed(v3.decodePayload(s, { binaryType, maxPayload }));
    }),
    opts,
  );
});

test('decoding never throws on any bytes, in any binary container', () => {
  fc.assert(
    fc.property(anyBytesArb, fc.constantFrom('buffer', 'arraybuffer', 'subarray', 'dataview'), binaryTypeArb, maxPayloadArb, (bytes, kind, binaryType, maxPayload) => {
      let data;
      if (kind === 'buffer') data = Buffer.from(bytes);
      else if (kind === 'arraybuffer') data = bytes.slice().buffer;
      else {
        const big = new Uint8Array(bytes.length + 6);
        big.set(bytes, 3);
        data = kind === 'subarray' ? big.subarray(3, 3 + bytes.length) : new DataView(big.buffer, 3, bytes.length);
      }
      assertWellFormed(v4.decodePacket(data, binaryType));
      assertWellFormed(v3.decodePacket(data, binaryType));
      assertPayloadWellFormed(v3.decodePayload(data, { binaryType, maxPayload }));
      assertPayloadWellFormed(v4.decodePayload(data, { binaryType, maxPayload }));
    }),
    opts,
  );
});

test('v4: encodePacket then decodePacket is the identity (binary frames and text only)', () => {
  fc.assert(
    fc.property(packetArb(), fc.boolean(), binaryTypeArb, (packet, sb, binaryType) => {
      const decoded = v4.decodePacket(v4.encodePacket(packet, sb), binaryType);
      assert.deepEqual(norm(decoded), expected(packet));
      if (decoded.data !== undefined && typeof decoded.data !== 'string') {
        const want = { undefined: Buffer, nodebuffer: Buffer, arraybuffer: ArrayBuffer, uint8array: Uint8Array }[binaryType];
        assert.ok(decoded.data instanceof want);
        if (binaryType === 'uint8array') assert.equal(decoded.data.constructor, Uint8Array);
      }
    }),
    opts,
  );
});

test('v4: encodePayload then decodePayload is the identity', () => {
  const text = textArb().filter((s) => !s.includes('\x1e'));
  fc.assert(
    fc.property(fc.array(packetArb({ text }), { minLength: 1, maxLength: 12 }), binaryTypeArb, (packets, binaryType) => {
      const wire = v4.encodePayload(packets);
      assert.deepEqual(normAll(v4.decodePayload(wire, { binaryType })), packets.map((p) => expected(p)));
      assert.deepEqual(normAll(v4.decodePayload(wire, { binaryType, maxPayload: wire.length })), packets.map((p) => expected(p)));
      if (wire.length > 0) assert.deepEqual(v4.decodePayload(wire, { maxPayload: wire.length - 1 }), [ERROR]);
    }),
    opts,
  );
});

const V3_BINARY_TYPES = ['message', 'open', 'close', 'ping', 'pong', 'upgrade', 'noop'];

test('v3: encodePacket then decodePacket is the identity', () => {
  fc.assert(
    fc.property(packetArb({ binaryTypes: V3_BINARY_TYPES }), fc.boolean(), binaryTypeArb, (packet, sb, binaryType) => {
      assert.deepEqual(norm(v3.decodePacket(v3.encodePacket(packet, sb), binaryType)), expected(packet));
    }),
    opts,
  );
});

test('v3: encodePayload then decodePayload is the identity (string and XHR2 forms)', () => {
  fc.assert(
    fc.property(
      fc.array(packetArb({ binaryTypes: V3_BINARY_TYPES, binary: binaryArb() }), { maxLength: 12 }),
      fc.boolean(),
      binaryTypeArb,
      (packets, sb, binaryType) => {
        const wire = v3.encodePayload(packets, sb);
        const binaryForm = typeof wire !== 'string';
        assert.equal(binaryForm, sb && packets.some((p) => p.data !== undefined && typeof p.data !== 'string'));
        const want = packets.map((p) => expected(p, binaryForm));
        assert.deepEqual(normAll(v3.decodePayload(wire, { binaryType })), want);
        const size = binaryForm ? wire.byteLength : wire.length;
        assert.deepEqual(normAll(v3.decodePayload(wire, { binaryType, maxPayload: size })), want);
        assert.deepEqual(v3.decodePayload(wire, { maxPayload: size - 1 }), [ERROR]);
      },
    ),
    opts,
  );
});

test('large payloads: many packets and long packets decode in full', () => {
  const many = Array.from({ length: 5000 }, (_, i) => ({ type: 'message', data: `m${i}` }));
  assert.equal(v4.decodePayload(v4.encodePayload(many)).length, 5000);
  assert.equal(v3.decodePayload(v3.encodePayload(many, false)).length, 5000);
  const long = 'é😀x'.repeat(100000);
  const bin = Buffer.alloc(300000, 7);
  const both = [{ type: 'message', data: long }, { type: 'message', data: bin }];
  const xhr2 = v3.decodePayload(v3.encodePayload(both, true));
  assert.equal(xhr2[0].data, long);
  assert.ok(xhr2[1].data.equals(bin));
  const b64 = v4.decodePayload(v4.encodePayload(both));
  assert.equal(b64[0].data, long);
  assert.ok(b64[1].data.equals(bin));
});
