'use strict';
// The codec without Node's Buffer (what the browser bundle runs): bundled for the browser and
// evaluated in a context with no Buffer. Its own base64 and UTF-8 code must produce exactly the
// bytes and packets the Node build does, and hand binary out as ArrayBuffer / Uint8Array.
const test = require('node:test');
const assert = require('node:assert/strict');
const { fc, ours, textArb, bytesArb, TYPES } = require('./support/parser');
const { loadPortable } = require('./support/parser-portable');

const RUNS = Number(process.env.PARSER_RUNS) || 600;
const portable = loadPortable();
const KINDS = ['arraybuffer', 'uint8array', 'subarray', 'dataview'];

const hex = (x) => Buffer.from(x.buffer ?? x, x.byteOffset ?? 0, x.byteLength).toString('hex');

/** The Node build's result in the portable harness's JSON form (constructor names dropped). */
function jsonOf(x) {
  if (typeof x === 'string') return x;
  return { bin: hex(x) };
}
function jsonPacket(p) {
  const o = { type: p.type };
  if (p.data !== undefined) o.data = jsonOf(p.data);
  return o;
}
function stripCtor(x) {
  if (Array.isArray(x)) return x.map(stripCtor);
  if (x && typeof x === 'object') {
    const o = {};
    for (const [k, v] of Object.entries(x)) if (k !== 'ctor') o[k] = stripCtor(v);
    return o;
  }
  return x;
}
/** A packet description for the harness, and the same packet for the Node build. */
function describe(packet) {
  if (packet.data === undefined || typeof packet.data === 'string') return [packet, packet];
  const { bytes, kind } = packet.data;
  return [{ type: packet.type, data: { hex: Buffer.from(bytes).toString('hex'), kind } }, { type: packet.type, data: Buffer.from(bytes) }];
}

const portablePacketArb = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...TYPES), fc.option(textArb(), { nil: undefined })).map(([type, data]) => (data === undefined ? { type } : { type, data })) },
  { weight: 1, arbitrary: fc.tuple(bytesArb, fc.constantFrom(...KINDS)).map(([bytes, kind]) => ({ type: 'message', data: { bytes, kind } })) },
);

test('the browser bundle of the parser needs no Buffer and no require', () => {
  assert.equal(portable.hasBuffer, false);
  assert.ok(!/\brequire\(/.test(portable.code));
  assert.equal(portable.call('v4', 'encodePacket', { type: 'message', data: 'test' }, true), '4test');
});

test('without Buffer: the issue vectors, binary out as ArrayBuffer / Uint8Array', () => {
  const bin = { type: 'message', data: { hex: '01020304', kind: 'uint8array' } };
  assert.equal(portable.call('v4', 'encodePacket', bin, false), 'bAQIDBA==');
  assert.deepEqual(portable.call('v4', 'encodePacket', bin, true), { bin: '01020304', ctor: 'Uint8Array' });
  assert.deepEqual(portable.call('v4', 'decodePacket', 'bAQIDBA=='), { type: 'message', data: { bin: '01020304', ctor: 'ArrayBuffer' } });
  assert.deepEqual(portable.call('v4', 'decodePacket', 'bAQIDBA==', 'uint8array'), { type: 'message', data: { bin: '01020304', ctor: 'Uint8Array' } });
  assert.deepEqual(portable.call('v4', 'decodePacket', 'bAQIDBA==', 'nodebuffer'), { type: 'message', data: { bin: '01020304', ctor: 'ArrayBuffer' } });
  assert.deepEqual(portable.call('v4', 'decodePacket', { hex: '01020304', kind: 'subarray' }), { type: 'message', data: { bin: '01020304', ctor: 'ArrayBuffer' } });
  assert.deepEqual(portable.call('v4', 'decodePacket', 'b!!!!'), { type: 'error', data: 'parser error' });
  assert.deepEqual(portable.call('v4', 'decodePacket', 'bQQ==QQ=='), { type: 'error', data: 'parser error' });
  assert.equal(portable.call('v3', 'encodePayload', [{ type: 'message', data: '€' }], false), '2:4€');
  assert.equal(portable.call('v3', 'encodePayload', [bin], false), '10:b4AQIDBA==');
  const xhr2 = portable.call('v3', 'encodePayload', [{ type: 'message', data: 'hello' }, bin], true);
  assert.deepEqual(xhr2, { bin: '0006ff3468656c6c6f0105ff0401020304', ctor: 'Uint8Array' });
  assert.deepEqual(portable.call('v3', 'decodePayload', { hex: xhr2.bin, kind: 'dataview' }), [
    { type: 'message', data: 'hello' },
    { type: 'message', data: { bin: '01020304', ctor: 'ArrayBuffer' } },
  ]);
  assert.deepEqual(portable.call('v3', 'encodePacket', bin, true), { bin: '0401020304', ctor: 'Uint8Array' });
  // Long text in XHR2 payloads (ASCII decoded in chunks, non-ASCII by TextDecoder).
  for (const text of ['a'.repeat(10000), 'é€😀'.repeat(3000)]) {
    const wire = portable.call('v3', 'encodePayload', [{ type: 'message', data: text }, bin], true);
    assert.equal(wire.bin, Buffer.from(ours.v3.encodePayload([{ type: 'message', data: text }, { type: 'message', data: Buffer.from([1, 2, 3, 4]) }], true)).toString('hex'));
    const decoded = portable.call('v3', 'decodePayload', { hex: wire.bin, kind: 'uint8array' });
    assert.equal(decoded[0].data, text);
    assert.deepEqual(decoded[1].data, { bin: '01020304', ctor: 'ArrayBuffer' });
  }
});

test('without Buffer: every encoding equals the Node build', () => {
  fc.assert(
    fc.property(fc.array(portablePacketArb, { minLength: 1, maxLength: 6 }), fc.boolean(), (packets, sb) => {
      const described = packets.map(describe);
      const forHarness = described.map((d) => d[0]);
      const forNode = described.map((d) => d[1]);
      for (const ns of ['v4', 'v3']) {
        assert.deepEqual(stripCtor(portable.call(ns, 'encodePacket', forHarness[0], sb)), jsonOf(ours[ns].encodePacket(forNode[0], sb)));
      }
      assert.equal(portable.call('v4', 'encodePayload', forHarness), ours.v4.encodePayload(forNode));
      assert.deepEqual(stripCtor(portable.call('v3', 'encodePayload', forHarness, sb)), jsonOf(ours.v3.encodePayload(forNode, sb)));
    }),
    { numRuns: RUNS },
  );
});

test('without Buffer: decoding agrees with the Node build on valid and malformed input', () => {
  const b64Arb = fc.oneof(
    fc.base64String({ maxLength: 24 }),
    fc.string({ unit: fc.constantFrom('A', 'Q', 'z', '+', '/', '=', '-', '_', ' ', '9', '\u632f', '\u0141', '\u00c1'), maxLength: 12 }),
  );
  const textInput = fc.oneof(
    b64Arb.map((s) => 'b' + s),
    b64Arb.map((s) => 'b4' + s),
    textArb(),
    fc.array(portablePacketArb, { maxLength: 4 }).map((ps) => ours.v4.encodePayload(ps.map((p) => describe(p)[1]))),
    fc.array(portablePacketArb, { maxLength: 4 }).map((ps) => ours.v3.encodePayload(ps.map((p) => describe(p)[1]), false)),
  );
  const bytesInput = fc.oneof(
    bytesArb,
    fc.array(portablePacketArb, { minLength: 1, maxLength: 4 }).map((ps) => {
      const out = ours.v3.encodePayload(ps.map((p) => describe(p)[1]), true);
      return typeof out === 'string' ? Buffer.from(out) : out;
    }),
    // UTF-8 edge cases inside XHR2 string packets: long text (the native decoder) and short.
    fc.tuple(fc.nat(100), fc.array(fc.constantFrom(0x41, 0xc3, 0xa9, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98, 0x80, 0xff, 0xc0), { maxLength: 8 })).map(([n, tail]) => {
      const body = Buffer.concat([Buffer.from('4' + 'y'.repeat(n)), Buffer.from(tail)]);
      return Buffer.concat([Buffer.from([0, ...String(body.length).split('').map(Number), 255]), body]);
    }),
  );
  fc.assert(
    fc.property(textInput, (s) => {
      for (const ns of ['v4', 'v3']) {
        assert.deepEqual(stripCtor(portable.call(ns, 'decodePacket', s)), jsonPacket(ours[ns].decodePacket(s)), `${ns} ${JSON.stringify(s)}`);
        assert.deepEqual(stripCtor(portable.call(ns, 'decodePayload', s)), ours[ns].decodePayload(s).map(jsonPacket), `${ns} ${JSON.stringify(s)}`);
      }
    }),
    { numRuns: RUNS },
  );
  fc.assert(
    fc.property(bytesInput, fc.constantFrom(...KINDS), (bytes, kind) => {
      const d = { hex: Buffer.from(bytes).toString('hex'), kind };
      for (const ns of ['v4', 'v3']) {
        assert.deepEqual(stripCtor(portable.call(ns, 'decodePacket', d)), jsonPacket(ours[ns].decodePacket(Buffer.from(bytes))));
      }
      assert.deepEqual(stripCtor(portable.call('v3', 'decodePayload', d)), ours.v3.decodePayload(Buffer.from(bytes)).map(jsonPacket));
    }),
    { numRuns: RUNS },
  );
});
