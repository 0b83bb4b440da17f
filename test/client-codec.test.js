'use strict';
// The browser bundle's compact codec (src/client/codec-browser.ts) must put the same bytes on the
// wire as engine.io-ts/parser and read what it writes: checked here on vectors and on random
// packets, for both protocol revisions.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fc = require('fast-check');
const { codec: browserCodec } = require('../dist/cjs/client/codec-browser.js');
const { codec: nodeCodec } = require('../dist/cjs/client/codec.js');

const bytes = (data) => (typeof data === 'string' ? data : [...new Uint8Array(ArrayBuffer.isView(data) ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) : data)]);
const norm = (packets) => packets.map((p) => (p.data === undefined ? { type: p.type } : { type: p.type, data: bytes(p.data) }));

const packetArb = fc.oneof(
  fc.record({ type: fc.constantFrom('open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'), data: fc.string({ unit: 'binary' }) }),
  fc.record({ type: fc.constantFrom('ping', 'pong', 'noop', 'upgrade', 'close') }),
  fc.record({ type: fc.constant('message'), data: fc.uint8Array({ maxLength: 40 }) }),
);

for (const protocol of [4, 3]) {
  const ours = browserCodec(protocol);
  const ref = nodeCodec(protocol);

  test(`v${protocol}: packets encode to the parser's bytes, text and binary, with and without binary support`, () => {
    fc.assert(
      fc.property(packetArb, fc.boolean(), (packet, supportsBinary) => {
        const a = ours.encodePacket(packet, supportsBinary);
        const b = ref.encodePacket(packet, supportsBinary);
        assert.equal(typeof a, typeof b);
        assert.deepEqual(bytes(a), bytes(b));
        assert.deepEqual(norm([ours.decodePacket(b, 'arraybuffer')]), norm([ref.decodePacket(b, 'arraybuffer')]));
      }),
      { numRuns: 300 },
    );
  });

  test(`v${protocol}: payloads encode to the parser's bytes and decode back`, () => {
    fc.assert(
      fc.property(fc.array(packetArb, { maxLength: 6 }), fc.boolean(), (packets, supportsBinary) => {
        if (protocol === 4 && packets.length === 0) return;
        const a = ours.encodePayload(packets, supportsBinary);
        const b = ref.encodePayload(packets, supportsBinary);
        assert.equal(typeof a, typeof b);
        assert.deepEqual(bytes(a), bytes(b));
        const input = typeof b === 'string' ? b : new Uint8Array(b);
        assert.deepEqual(norm(ours.decodePayload(input, 'arraybuffer')), norm(ref.decodePayload(input, 'arraybuffer')));
      }),
      { numRuns: 300 },
    );
  });

  test(`v${protocol}: binary comes out as ArrayBuffer by default and Uint8Array on request`, () => {
    const wire = ref.encodePacket({ type: 'message', data: Buffer.from([1, 2, 3]) }, false);
    const ab = ours.decodePacket(wire, 'arraybuffer').data;
    assert.ok(ab instanceof ArrayBuffer);
    assert.deepEqual([...new Uint8Array(ab)], [1, 2, 3]);
    const u8 = ours.decodePacket(wire, 'uint8array').data;
    assert.ok(u8 instanceof Uint8Array);
    assert.deepEqual([...u8], [1, 2, 3]);
  });
}

test('malformed input decodes to the error packet, as with the parser', () => {
  const cases = {
    4: { packets: ['', '9', 'x', 'b!!!!'], payloads: ['', '4a\x1e', '4a\x1e9', 'b***'] },
    3: {
      packets: ['', '9', 'b9AA==', 'b4!!!!', new Uint8Array([]), new Uint8Array([9, 1])],
      payloads: ['', 'abc', '5:4ab', '2:4a9', ':4', '3:4ab1x', new Uint8Array([0, 1, 255]), new Uint8Array([2, 1, 255, 52]), new Uint8Array([0, 5, 255, 52])],
    },
  };
  for (const protocol of [4, 3]) {
    const ours = browserCodec(protocol);
    const ref = nodeCodec(protocol);
    for (const input of cases[protocol].packets) {
      assert.equal(ours.decodePacket(input, 'arraybuffer').type, 'error', `v${protocol} packet ${JSON.stringify(input)}`);
      assert.equal(ref.decodePacket(input, 'arraybuffer').type, 'error');
    }
    for (const input of cases[protocol].payloads) {
      const got = ours.decodePayload(input, 'arraybuffer');
      assert.deepEqual(norm(got), norm(ref.decodePayload(input, 'arraybuffer')), `v${protocol} payload ${JSON.stringify(input)}`);
      assert.equal(got[got.length - 1].type, 'error');
    }
  }
});
