'use strict';
// The codec without Node's Buffer, bundled for the browser and evaluated in a context with no
// Buffer, in both forms a browser can get it:
// - portable: the built package as any bundler sees it (binary.ts handing over to
//   binary-portable.ts where there is no Buffer);
// - browser: what the client's browser bundle holds (the swaps of scripts/platform-swaps.js:
//   binary-portable.ts, and v3-compact.ts for v3).
// Each must produce exactly the bytes and packets the Node build does, and hand binary out as
// ArrayBuffer / Uint8Array.
const { describe: suite, before, test } = require('node:test');
const assert = require('node:assert/strict');
const { fc, ours, textArb, bytesArb, TYPES } = require('./support/parser');
const { loadPortable } = require('./support/parser-portable');

const RUNS = Number(process.env.PARSER_RUNS) || 600;
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
function describePacket(packet) {
  if (packet.data === undefined || typeof packet.data === 'string') return [packet, packet];
  const { bytes, kind } = packet.data;
  return [{ type: packet.type, data: { hex: Buffer.from(bytes).toString('hex'), kind } }, { type: packet.type, data: Buffer.from(bytes) }];
}

const portablePacketArb = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...TYPES), fc.option(textArb(), { nil: undefined })).map(([type, data]) => (data === undefined ? { type } : { type, data })) },
  { weight: 1, arbitrary: fc.tuple(bytesArb, fc.constantFrom(...KINDS)).map(([bytes, kind]) => ({ type: 'message', data: { bytes, kind } })) },
);

function checks(variant) {
  let portable;
  before(async () => {
    portable = await loadPortable(variant);
  });

  test('the bundle holds the byte layer and v3 codec of its variant', () => {
    const has = (name) => portable.inputs.some((file) => file.endsWith(name));
    const browser = variant === 'browser';
    assert.equal(has('parser/binary-portable.ts') || has('parser/binary-portable.js'), true);
    assert.equal(has('parser/binary.js'), !browser, portable.inputs.join());
    assert.equal(has('parser/v3-compact.ts'), browser, portable.inputs.join());
    assert.equal(has('parser/v3.js') || has('parser/v3.ts'), !browser, portable.inputs.join());
    // The browser form is built with the defines of scripts/platform-swaps.js (`__BROWSER__`
    // replaced, its Node-only branches gone); the portable form tests for it at run time.
    assert.equal(/\b__BROWSER__\b/.test(portable.code), !browser);
  });

  test('the bundle needs no Buffer and no require', () => {
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

  test('without Buffer: malformed and edge-case input decodes as in the Node build', () => {
    const ERROR = { type: 'error', data: 'parser error' };
    // From test/parser-vectors.test.js, plus what atob alone would get wrong (whitespace, the
    // URL-safe alphabet, padding in odd places).
    const texts = [
      '', '7', '9', 'x', ' 4', '-1', 'B', 'b', 'b!!!!', 'bQ', 'bQ===', 'bQQ=Q', 'bQQ==QQ==', 'bAQ ID', 'b\u20ac', 'bAQIDBA=\x1e',
      'b/\u632f', 'bA\u0141==', 'bAQ\u00ff=', 'b\u0100\u0100\u0100\u0100', 'bQQ\n', 'b QQ', 'bQ Q==', 'bQQ\t==', 'b-_-_', 'bQR==',
      'bQQ=', 'b=', 'b==', 'b', 'b4', 'b4/\u632f', 'b4_', 'b4-A=', 'b9AQ==', 'bx', 'b4!!', 'b4Q', 'b4QQ=Q', 'b4QQ\r\n', 'b4AQIDBA==',
      '4a\x1e\x1e4b', '4a\x1e9\x1e4b', '4a\x1e', '\x1e4a', '2\x1eb**', '2\x1ebQQ\x1ebQ Q', '5:4ab', 'x:4', ':4', '1', '2:4a2', '2:4a1:9',
      '2:4a:', '2:4a-1:4', '1:b', '3:b9A', '6:b4AQ!=', '99999999999999999999999:4', '2:4a0:2:4a', '02:4a', '4:b4QQ', '5:b4Q Q',
    ];
    for (const s of texts) {
      for (const ns of ['v4', 'v3']) {
        assert.deepEqual(stripCtor(portable.call(ns, 'decodePacket', s)), jsonPacket(ours[ns].decodePacket(s)), `${ns} ${JSON.stringify(s)}`);
        assert.deepEqual(stripCtor(portable.call(ns, 'decodePayload', s)), ours[ns].decodePayload(s).map(jsonPacket), `${ns} ${JSON.stringify(s)}`);
      }
    }
    const good = [0, 2, 255, 52, 97];
    const byteCases = [
      [], [2, 1, 255, 4], [0, 1], [0, 255, 52], [0, 9, 255, 52], [0, 1, 10, 255, 52], [0, 2, 255, 52, 0xff], [0, 3, 255, 52, 0xc0, 0x80],
      [0, 2, 255, 52, 0xc3], [0, 1, 255, 55], [0, 0, 255], [1, 0, 255], [1, 2, 255, 9, 1], [...good, 1, 2, 255, 9, 1], [...good, 0],
      [...good, 0, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 255, 52],
      // UTF-8 in XHR2 text: encoded surrogates (one U+FFFD each), truncated ones, a BOM, 4-byte forms.
      [0, 4, 255, 52, 0xed, 0xa0, 0x80], [0, 3, 255, 52, 0xed, 0xa0], [0, 7, 255, 52, 0xed, 0xbf, 0xbf, 0xed, 0xb0, 0x80],
      [0, 5, 255, 52, 0xe1, 0xed, 0xa0, 0x80], [0, 4, 255, 52, 0xed, 0x9f, 0xbf], [0, 4, 255, 52, 0xef, 0xbb, 0xbf],
      [0, 5, 255, 52, 0xf0, 0x9f, 0x98, 0x80], [0, 5, 255, 52, 0xf4, 0x90, 0x80, 0x80], [0, 4, 255, 52, 0xe0, 0x80, 0x80],
      [0, 5, 255, 52, 0xed, 0xa0, 0x80, 0x41, 0, 2, 255, 52, 0x41],
    ];
    for (const bytes of byteCases) {
      const d = { hex: Buffer.from(bytes).toString('hex'), kind: 'uint8array' };
      const want = ours.v3.decodePayload(Buffer.from(bytes)).map(jsonPacket);
      assert.deepEqual(stripCtor(portable.call('v3', 'decodePayload', d)), want, JSON.stringify(bytes));
      if (bytes.length) assert.notDeepEqual(want, [], 'a case that decodes to nothing tests nothing');
    }
    assert.deepEqual(portable.call('v3', 'decodePayload', { hex: '0004ff34eda080', kind: 'uint8array' }), [{ type: 'message', data: '\ufffd' }]);
    assert.deepEqual(portable.call('v4', 'decodePacket', 'bQQ\n'), ERROR);
    assert.deepEqual(portable.call('v4', 'decodePacket', 'b-_-_', 'uint8array'), { type: 'message', data: { bin: 'fbffbf', ctor: 'Uint8Array' } });
  });

  test('without Buffer: every encoding equals the Node build', () => {
    fc.assert(
      fc.property(fc.array(portablePacketArb, { minLength: 1, maxLength: 6 }), fc.boolean(), (packets, sb) => {
        const described = packets.map(describePacket);
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
      fc.string({ unit: fc.constantFrom('A', 'Q', 'z', '+', '/', '=', '-', '_', ' ', '\n', '\t', '9', '\u632f', '\u0141', '\u00c1'), maxLength: 12 }),
    );
    const textInput = fc.oneof(
      b64Arb.map((s) => 'b' + s),
      b64Arb.map((s) => 'b4' + s),
      textArb(),
      fc.array(portablePacketArb, { maxLength: 4 }).map((ps) => ours.v4.encodePayload(ps.map((p) => describePacket(p)[1]))),
      fc.array(portablePacketArb, { maxLength: 4 }).map((ps) => ours.v3.encodePayload(ps.map((p) => describePacket(p)[1]), false)),
    );
    const bytesInput = fc.oneof(
      bytesArb,
      fc.array(portablePacketArb, { minLength: 1, maxLength: 4 }).map((ps) => {
        const out = ours.v3.encodePayload(ps.map((p) => describePacket(p)[1]), true);
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
}

for (const variant of ['portable', 'browser']) suite(variant, () => checks(variant));
