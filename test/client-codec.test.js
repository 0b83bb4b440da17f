'use strict';
// The browser bundle's codec is the parser's (src/parser/codec.ts) with the platform swaps of
// scripts/platform-swaps.js: v4 as it is, v3 as v3-compact.ts (written for size), over the
// Buffer-free byte layer. Checked here: that the bundle holds exactly those modules, and that
// v3-compact.ts, run in Node, puts the same bytes on the wire as the parser's v3 and reads what
// it writes, on vectors and random packets (test/parser-portable.test.js runs it as the browser
// does, without Buffer).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const fc = require('fast-check');
const { codec: nodeCodec } = require('engine.io-ts/parser');
const compactV3 = require('../dist/cjs/parser/v3-compact.js');
const { SWAPS } = require('../scripts/platform-swaps');

const browserCodec = (protocol) => (protocol === 4 ? nodeCodec(4) : compactV3);

test('the browser bundle holds the swapped modules of scripts/platform-swaps.js, not the originals', () => {
  const code = fs.readFileSync(path.join(__dirname, '..', 'dist', 'engine.io.js'), 'utf8');
  const modules = [...code.matchAll(/^ {2}\/\/ (src\/\S+\.ts)$/gm)].map((m) => m[1]);
  assert.ok(modules.includes('src/parser/codec.ts') && modules.includes('src/parser/v4.ts'), modules.join());
  for (const [from, to] of Object.entries(SWAPS)) {
    // The debug stub leaves nothing to bundle: every logging call is compiled out (__BROWSER__).
    if (to !== 'client/debug-browser.ts') assert.ok(modules.includes(`src/${to}`), `${to} in the bundle`);
    assert.ok(!modules.includes(`src/${from}`), `${from} not in the bundle`);
  }
  assert.ok(!/^ {2}\/\/ node_modules\//m.test(code), 'no package in the bundle (the debug package included)');
  assert.ok(!code.includes('__BROWSER__'), '__BROWSER__ replaced everywhere');
});

const bytes = (data) => (typeof data === 'string' ? data : [...new Uint8Array(ArrayBuffer.isView(data) ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) : data)]);
const norm = (packets) => packets.map((p) => (p.data === undefined ? { type: p.type } : { type: p.type, data: bytes(p.data) }));

const packetArb = fc.oneof(
  fc.record({ type: fc.constantFrom('open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'), data: fc.string({ unit: 'binary' }) }),
  fc.record({ type: fc.constantFrom('ping', 'pong', 'noop', 'upgrade', 'close') }),
  fc.record({ type: fc.constant('message'), data: fc.uint8Array({ maxLength: 40 }) }),
);

// v4 in the bundle is the parser's own v4 (its Buffer-free form is tested in parser-portable).
{
  const protocol = 3;
  const ours = compactV3;
  const ref = nodeCodec(3);

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
        const a = ours.encodePayload(packets, supportsBinary);
        const b = ref.encodePayload(packets, supportsBinary);
        assert.equal(typeof a, typeof b);
        assert.deepEqual(bytes(a), bytes(b));
        const input = typeof b === 'string' ? b : new Uint8Array(b);
        assert.deepEqual(norm(ours.decodePayload(input, { binaryType: 'arraybuffer' })), norm(ref.decodePayload(input, { binaryType: 'arraybuffer' })));
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
      const got = ours.decodePayload(input, { binaryType: 'arraybuffer' });
      assert.deepEqual(norm(got), norm(ref.decodePayload(input, { binaryType: 'arraybuffer' })), `v${protocol} payload ${JSON.stringify(input)}`);
      assert.equal(got[got.length - 1].type, 'error');
    }
  }
});
