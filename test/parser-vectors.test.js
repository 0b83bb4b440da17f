'use strict';
// The codec against fixed wire vectors of both protocol revisions, byte for byte, and against
// the malformed inputs a peer can send.
const test = require('node:test');
const assert = require('node:assert/strict');
const parser = require('engine.io-ts/parser');
const { o3, o3server, o4, norm, normAll, makeBinary, ERROR } = require('./support/parser');

const { v3, v4 } = parser;
const BYTES = [1, 2, 3, 4];
const KINDS = ['buffer', 'arraybuffer', 'uint8array', 'subarray', 'dataview'];

function hex(x) {
  return Buffer.from(x.buffer ?? x, x.byteOffset ?? 0, x.byteLength).toString('hex');
}

test('module shape: protocol 4, v4 at top level, v3 and v4 namespaces, shared types', () => {
  assert.equal(parser.protocol, 4);
  assert.equal(parser.encodePacket, v4.encodePacket);
  assert.equal(parser.decodePacket, v4.decodePacket);
  assert.equal(parser.encodePayload, v4.encodePayload);
  assert.equal(parser.decodePayload, v4.decodePayload);
  for (const ns of [v3, v4]) {
    for (const fn of ['encodePacket', 'decodePacket', 'encodePayload', 'decodePayload']) assert.equal(typeof ns[fn], 'function');
  }
  assert.deepEqual(parser.ERROR_PACKET, ERROR);
  assert.deepEqual(parser.PACKET_TYPES, ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop']);
  assert.equal(parser.PACKET_TYPE_IDS.noop, 6);
});

test('ESM import exposes the same codec', async () => {
  const esm = await import('engine.io-ts/parser');
  assert.equal(esm.encodePacket({ type: 'message', data: 'x' }, true), '4x');
  assert.equal(esm.v3.encodePayload([], false), '0:');
  assert.equal(esm.protocol, 4);
});

// ---------------------------------------------------------------------------------------------
// v4

test('v4: text packets of every type', () => {
  const types = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'];
  types.forEach((type, id) => {
    assert.equal(v4.encodePacket({ type }, true), String(id));
    assert.equal(v4.encodePacket({ type, data: 'probe' }, false), `${id}probe`);
    assert.deepEqual(v4.decodePacket(String(id)), { type });
    assert.ok(!('data' in v4.decodePacket(String(id))), 'no data key when there is no data');
    assert.deepEqual(v4.decodePacket(`${id}probe`), { type, data: 'probe' });
  });
  assert.equal(v4.encodePacket({ type: 'message', data: 'test' }, true), '4test');
  assert.deepEqual(v4.decodePacket('4test'), { type: 'message', data: 'test' });
  assert.deepEqual(v4.decodePacket('4'), { type: 'message' });
  assert.deepEqual(v4.decodePacket('4\x1e:b'), { type: 'message', data: '\x1e:b' });
  assert.equal(v4.encodePacket({ type: 'message', data: '' }, true), '4');
});

test('v4: payload 0\\x1e1\\x1e2probe\\x1e3probe\\x1e4test', () => {
  const packets = [
    { type: 'open' },
    { type: 'close' },
    { type: 'ping', data: 'probe' },
    { type: 'pong', data: 'probe' },
    { type: 'message', data: 'test' },
  ];
  const wire = '0\x1e1\x1e2probe\x1e3probe\x1e4test';
  assert.equal(v4.encodePayload(packets), wire);
  assert.equal(o4.encodePayload(packets), wire, 'the official encoder agrees');
  assert.deepEqual(v4.decodePayload(wire), packets);
});

test('v4: binary as bAQIDBA== and as raw bytes, from every input kind', () => {
  for (const kind of KINDS) {
    const data = makeBinary(BYTES, kind);
    assert.equal(v4.encodePacket({ type: 'message', data }, false), 'bAQIDBA==', kind);
    const raw = v4.encodePacket({ type: 'message', data }, true);
    assert.ok(Buffer.isBuffer(raw), `${kind}: a Buffer in Node`);
    assert.equal(hex(raw), '01020304', `${kind}: raw bytes, no type byte`);
  }
  assert.equal(v4.encodePacket({ type: 'message', data: Buffer.from(BYTES) }), 'bAQIDBA==', 'supportsBinary defaults to false');
  assert.equal(v3.encodePacket({ type: 'message', data: Buffer.from(BYTES) }), 'b4AQIDBA==', 'supportsBinary defaults to false');
  assert.equal(v3.encodePayload([{ type: 'message', data: Buffer.from(BYTES) }]), '10:b4AQIDBA==', 'supportsBinary defaults to false');
  const f32 = new Float32Array([1.5]);
  assert.equal(hex(v4.encodePacket({ type: 'message', data: f32 }, true)), hex(new Uint8Array(f32.buffer)));
  const decoded = v4.decodePacket('bAQIDBA==');
  assert.equal(decoded.type, 'message');
  assert.ok(Buffer.isBuffer(decoded.data));
  assert.equal(hex(decoded.data), '01020304');
  assert.deepEqual(norm(v4.decodePacket('b')), { type: 'message', data: { bin: '' } });
  assert.deepEqual(norm(v4.decodePacket('bAQIDBA')), { type: 'message', data: { bin: '01020304' } }, 'padding optional');
  assert.deepEqual(norm(v4.decodePacket('b-_8=')), { type: 'message', data: { bin: 'fbff' } }, 'the URL-safe alphabet, as Node takes it');
  assert.deepEqual(norm(v4.decodePacket('b+/8=')), { type: 'message', data: { bin: 'fbff' } });
});

test('v4: payload 4test\\x1ebAQIDBA==', () => {
  const packets = [
    { type: 'message', data: 'test' },
    { type: 'message', data: Buffer.from(BYTES) },
  ];
  const wire = '4test\x1ebAQIDBA==';
  assert.equal(v4.encodePayload(packets), wire);
  assert.deepEqual(normAll(v4.decodePayload(wire)), normAll(packets));
  assert.equal(v4.encodePayload([{ type: 'message', data: new Uint8Array(BYTES).buffer }]), 'bAQIDBA==');
  // Non-ASCII text elsewhere in the payload does not disturb the base64 check of the last part.
  assert.deepEqual(normAll(v4.decodePayload('4€😀\x1ebAQIDBA==')), [{ type: 'message', data: '€😀' }, { type: 'message', data: { bin: '01020304' } }]);
  assert.deepEqual(normAll(v3.decodePayload('4:4€😀10:b4AQIDBA==')), [{ type: 'message', data: '€😀' }, { type: 'message', data: { bin: '01020304' } }]);
  // ... nor hide a bad character in a base64 part of such a payload (U+632F ends in the byte of '/').
  assert.deepEqual(v4.decodePayload('4€\x1ebAQIDBA==\x1eb/\u632f'), [{ type: 'message', data: '€' }, v4.decodePayload('bAQIDBA==')[0], ERROR]);
  assert.deepEqual(v4.decodePayload('bAQIDBA==\x1eb/\u632f\x1e4x'), [v4.decodePayload('bAQIDBA==')[0], ERROR]);
  assert.deepEqual(v3.decodePayload('2:4€4:b4/\u632f'), [{ type: 'message', data: '€' }, ERROR]);
  assert.deepEqual(v3.decodePayload('4:b4/\u632f2:4x'), [ERROR]);
});

test('v4: decoded binary in each binary type', () => {
  const ab = v4.decodePacket('bAQIDBA==', 'arraybuffer').data;
  assert.ok(ab instanceof ArrayBuffer);
  assert.equal(hex(new Uint8Array(ab)), '01020304');
  assert.equal(ab.byteLength, 4, 'exactly the bytes, not a pool slab');
  const u8 = v4.decodePacket('bAQIDBA==', 'uint8array').data;
  assert.equal(u8.constructor, Uint8Array);
  assert.equal(hex(u8), '01020304');
  assert.ok(Buffer.isBuffer(v4.decodePacket('bAQIDBA==', 'nodebuffer').data));

  const input = new Uint8Array(BYTES).buffer;
  assert.equal(v4.decodePacket(input, 'arraybuffer').data, input, 'an ArrayBuffer stays itself');
  const fromBuffer = v4.decodePacket(Buffer.from(BYTES));
  assert.ok(Buffer.isBuffer(fromBuffer.data));
  const view = makeBinary(BYTES, 'subarray');
  const viewAb = v4.decodePacket(view, 'arraybuffer').data;
  assert.ok(viewAb instanceof ArrayBuffer);
  assert.equal(hex(new Uint8Array(viewAb)), '01020304', 'a view into a larger buffer is cut to its bytes');
  assert.equal(hex(v4.decodePacket(makeBinary(BYTES, 'dataview')).data), '01020304');
  assert.deepEqual(normAll(v4.decodePayload('bAQIDBA==', { binaryType: 'arraybuffer' })), [{ type: 'message', data: { bin: '01020304' } }]);
  assert.ok(v4.decodePayload('bAQIDBA==', { binaryType: 'arraybuffer' })[0].data instanceof ArrayBuffer);
});

test('v4: malformed packets decode to the error packet', () => {
  const bad = ['', '7', '9', 'x', ' 4', '-1', 'B', 'b!!!!', 'bQ', 'bQ===', 'bQQ=Q', 'bQQ==QQ==', 'bAQ ID', 'b\u20ac', 'bAQIDBA=\x1e', 'b/\u632f', 'bA\u0141==', 'bAQ\u00ff=', 'b\u0100\u0100\u0100\u0100'];
  for (const input of bad) assert.deepEqual(v4.decodePacket(input), ERROR, JSON.stringify(input));
  for (const input of [undefined, null, 42, {}, [], true]) assert.deepEqual(v4.decodePacket(input), ERROR, String(input));
  assert.deepEqual(v4.decodePacket(''), parser.ERROR_PACKET);
});

test('v4: a bad payload stops at the first bad packet, which is last', () => {
  assert.deepEqual(v4.decodePayload(''), [ERROR]);
  assert.deepEqual(v4.decodePayload('4a\x1e\x1e4b'), [{ type: 'message', data: 'a' }, ERROR]);
  assert.deepEqual(v4.decodePayload('4a\x1e9\x1e4b'), [{ type: 'message', data: 'a' }, ERROR]);
  assert.deepEqual(v4.decodePayload('4a\x1e'), [{ type: 'message', data: 'a' }, ERROR]);
  assert.deepEqual(v4.decodePayload('\x1e4a'), [ERROR]);
  assert.deepEqual(v4.decodePayload('2\x1eb**'), [{ type: 'ping' }, ERROR]);
  assert.deepEqual(v4.decodePayload(Buffer.from('4a')), [ERROR], 'v4 payloads are text');
  assert.deepEqual(v4.decodePayload(undefined), [ERROR]);
});

test('v4: maxPayload refuses a longer payload whole', () => {
  const payload = '4abcdefgh\x1e4x'; // 12 units
  assert.equal(v4.decodePayload(payload, { maxPayload: 12 }).length, 2);
  assert.deepEqual(v4.decodePayload(payload, { maxPayload: 11 }), [ERROR]);
  assert.deepEqual(v4.decodePayload('4'.repeat(100001), { maxPayload: 1e5 }), [ERROR]);
});

test('encoding a packet of an unknown type is a caller bug (TypeError)', () => {
  for (const ns of [v3, v4]) {
    for (const type of ['error', 'toString', 'constructor', undefined]) {
      assert.throws(() => ns.encodePacket({ type, data: 'x' }, false), { name: 'TypeError', code: 'ERR_INVALID_PACKET_TYPE' });
      assert.throws(() => ns.encodePacket({ type }, false), { name: 'TypeError', code: 'ERR_INVALID_PACKET_TYPE' });
    }
  }
  assert.throws(() => v3.encodePacket({ type: 'nope', data: Buffer.from([1]) }, true), { code: 'ERR_INVALID_PACKET_TYPE' });
  assert.throws(() => v3.encodePacket({ type: 'nope', data: Buffer.from([1]) }, false), { code: 'ERR_INVALID_PACKET_TYPE' });
});

// ---------------------------------------------------------------------------------------------
// v3

test('v3: text packets and binary frames carrying the type byte', () => {
  assert.equal(v3.encodePacket({ type: 'message', data: 'test' }, true), '4test');
  assert.deepEqual(v3.decodePacket('4test'), { type: 'message', data: 'test' });
  assert.deepEqual(v3.decodePacket('2'), { type: 'ping' });
  for (const kind of KINDS) {
    const data = makeBinary(BYTES, kind);
    const frame = v3.encodePacket({ type: 'message', data }, true);
    assert.ok(Buffer.isBuffer(frame), kind);
    assert.equal(hex(frame), '0401020304', `${kind}: type byte then bytes`);
    assert.equal(v3.encodePacket({ type: 'message', data }, false), 'b4AQIDBA==', kind);
  }
  assert.deepEqual(norm(v3.decodePacket(Buffer.from([4, 1, 2, 3, 4]))), { type: 'message', data: { bin: '01020304' } });
  assert.deepEqual(norm(v3.decodePacket('b4AQIDBA==')), { type: 'message', data: { bin: '01020304' } });
  assert.deepEqual(norm(v3.decodePacket('b4')), { type: 'message', data: { bin: '' } });
  assert.deepEqual(norm(v3.decodePacket(new Uint8Array([4]).buffer)), { type: 'message', data: { bin: '' } });
  const ab = v3.decodePacket(new Uint8Array([4, 9, 8]).buffer, 'arraybuffer').data;
  assert.ok(ab instanceof ArrayBuffer);
  assert.equal(hex(new Uint8Array(ab)), '0908');
});

test('v3: string payloads 2:4€ and 10:b4AQIDBA==, empty payload 0:', () => {
  assert.equal(v3.encodePayload([{ type: 'message', data: '€' }], false), '2:4€');
  assert.deepEqual(v3.decodePayload('2:4€'), [{ type: 'message', data: '€' }]);
  const bin = [{ type: 'message', data: Buffer.from(BYTES) }];
  assert.equal(v3.encodePayload(bin, false), '10:b4AQIDBA==');
  assert.deepEqual(normAll(v3.decodePayload('10:b4AQIDBA==')), normAll(bin));
  assert.equal(v3.encodePayload([], false), '0:');
  assert.equal(v3.encodePayload([], true), '0:');
  assert.deepEqual(v3.decodePayload('0:'), []);
  // An astral character counts two UTF-16 units.
  assert.equal(v3.encodePayload([{ type: 'message', data: '😀' }, { type: 'noop' }], false), '3:4😀1:6');
  assert.deepEqual(v3.decodePayload('3:4😀1:6'), [{ type: 'message', data: '😀' }, { type: 'noop' }]);
  // Text only, even when the client takes binary: the string form.
  assert.equal(v3.encodePayload([{ type: 'message', data: 'hi' }], true), '3:4hi');
});

test('v3: XHR2 payload mixing a string packet and a binary packet, byte for byte', () => {
  const packets = [
    { type: 'message', data: 'hello' },
    { type: 'message', data: Buffer.from(BYTES) },
  ];
  const wire = Buffer.from([0, 6, 255, 52, 104, 101, 108, 108, 111, 1, 5, 255, 4, 1, 2, 3, 4]);
  const encoded = v3.encodePayload(packets, true);
  assert.ok(Buffer.isBuffer(encoded));
  assert.equal(hex(encoded), wire.toString('hex'));
  assert.equal(hex(o3.encodePayload(packets, true)), wire.toString('hex'), 'the official encoder agrees');
  assert.deepEqual(normAll(v3.decodePayload(wire)), normAll(packets));
  assert.deepEqual(normAll(v3.decodePayload(new Uint8Array(wire).buffer)), normAll(packets), 'from an ArrayBuffer');
  assert.deepEqual(normAll(v3.decodePayload(makeBinary([...wire], 'subarray'))), normAll(packets), 'from a view with an offset');
});

test('v3: XHR2 string packets are UTF-8 with byte lengths (as engine.io-parser 2 utf8-encodes them)', () => {
  const packets = [
    { type: 'message', data: '€' },
    { type: 'message', data: new Uint8Array(BYTES) },
    { type: 'message', data: 'x'.repeat(120) },
  ];
  const encoded = v3.encodePayload(packets, true);
  // '4€' is 4 bytes in UTF-8; 'x'*120 with its type is 121 bytes: digits 1,2,1.
  assert.equal(hex(encoded.subarray(0, 7)), '0004ff34e282ac');
  assert.equal(hex(encoded.subarray(7, 15)), '0105ff0401020304');
  assert.equal(hex(encoded.subarray(15, 20)), '00010201ff');
  assert.equal(hex(encoded), hex(o3server.encodePayload(packets, true)), 'same bytes as the official v3 server');
  assert.deepEqual(normAll(v3.decodePayload(encoded)), normAll(packets));
  assert.deepEqual(normAll(o3.decodePayload(encoded)), normAll(packets));
  // Lone surrogates go out as U+FFFD (EF BF BD), like the official encoder.
  const lone = [{ type: 'message', data: 'a\ud800' }, { type: 'message', data: Buffer.from([7]) }];
  assert.equal(hex(v3.encodePayload(lone, true)), hex(o3.encodePayload(lone, true)));
  assert.deepEqual(v3.decodePayload(v3.encodePayload(lone, true))[0], { type: 'message', data: 'a\ufffd' });
});

test('v3: encoded surrogates in XHR2 text decode to U+FFFD like the official parser', () => {
  for (const filler of [0, 100]) {
    const text = Buffer.concat([Buffer.from('4' + 'y'.repeat(filler)), Buffer.from([0xed, 0xa0, 0x80])]);
    const digits = [...String(text.length)].map(Number);
    const wire = Buffer.concat([Buffer.from([0, ...digits, 255]), text]);
    const expectedText = 'y'.repeat(filler) + '\ufffd';
    assert.deepEqual(v3.decodePayload(wire), [{ type: 'message', data: expectedText }]);
    assert.deepEqual(o3.decodePayload(wire), [{ type: 'message', data: expectedText }]);
  }
});

test('v3: malformed packets decode to the error packet', () => {
  const bad = ['', '7', 'x', 'b', 'b4/\u632f', 'b4_', 'b4-A=', 'b9AQ==', 'bx', 'b4!!', 'b4Q', 'b4QQ=Q'];
  for (const input of bad) assert.deepEqual(v3.decodePacket(input), ERROR, JSON.stringify(input));
  for (const input of [Buffer.alloc(0), Buffer.from([7, 1]), Buffer.from([255]), new ArrayBuffer(0), undefined, 5, {}]) {
    assert.deepEqual(v3.decodePacket(input), ERROR);
  }
});

test('v3: malformed string payloads stop at the first bad packet', () => {
  const msg = { type: 'message', data: 'a' };
  const cases = [
    ['', [ERROR]],
    ['5:4ab', [ERROR]],
    ['x:4', [ERROR]],
    [':4', [ERROR]],
    ['1', [ERROR]],
    ['2:4a2', [msg, ERROR]],
    ['2:4a1:9', [msg, ERROR]],
    ['2:4a:', [msg, ERROR]],
    ['2:4a-1:4', [msg, ERROR]],
    ['1:b', [ERROR]],
    ['3:b9A', [ERROR]],
    ['6:b4AQ!=', [ERROR]],
    ['99999999999999999999999:4', [ERROR]],
    ['2:4a0:2:4a', [msg, msg]],
    ['02:4a', [msg]],
  ];
  for (const [input, want] of cases) assert.deepEqual(v3.decodePayload(input), want, JSON.stringify(input));
});

test('v3: malformed XHR2 payloads stop at the first bad packet', () => {
  const good = [0, 2, 255, 52, 97]; // "4a"
  const msg = { type: 'message', data: 'a' };
  const cases = [
    [[], [ERROR]],
    [[2, 1, 255, 4], [ERROR]], // kind neither 0 nor 1
    [[0, 1], [ERROR]], // no 255
    [[0, 255, 52], [ERROR]], // no digits
    [[0, 9, 255, 52], [ERROR]], // longer than the input
    [[0, 1, 10, 255, 52], [ERROR]], // a digit byte above 9
    [[0, 2, 255, 52, 0xff], [ERROR]], // not UTF-8
    [[0, 3, 255, 52, 0xc0, 0x80], [ERROR]], // overlong UTF-8
    [[0, 2, 255, 52, 0xc3], [ERROR]], // truncated UTF-8
    [[0, 1, 255, 55], [ERROR]], // unknown type
    [[0, 0, 255], [ERROR]], // empty string packet
    [[1, 0, 255], [ERROR]], // empty binary packet
    [[1, 2, 255, 9, 1], [ERROR]], // unknown type byte
    [[...good, 1, 2, 255, 9, 1], [msg, ERROR]],
    [[...good, 0], [msg, ERROR]],
    [[...good, 0, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 255, 52], [msg, ERROR]],
  ];
  for (const [bytes, want] of cases) {
    assert.deepEqual(v3.decodePayload(Buffer.from(bytes)), want, JSON.stringify(bytes));
    assert.deepEqual(v3.decodePayload(new Uint8Array(bytes)), want, JSON.stringify(bytes));
  }
  assert.deepEqual(v3.decodePayload(undefined), [ERROR]);
  assert.deepEqual(v3.decodePayload(17), [ERROR]);
});

test('v3: maxPayload refuses longer input whole, both forms', () => {
  assert.equal(v3.decodePayload('2:4a2:4b', { maxPayload: 8 }).length, 2);
  assert.deepEqual(v3.decodePayload('2:4a2:4b', { maxPayload: 7 }), [ERROR]);
  const wire = Buffer.from([0, 2, 255, 52, 97, 1, 2, 255, 4, 1]);
  assert.equal(v3.decodePayload(wire, { maxPayload: 10 }).length, 2);
  assert.deepEqual(v3.decodePayload(wire, { maxPayload: 9 }), [ERROR]);
  // A declared length far beyond the input is refused before anything is allocated.
  const huge = Buffer.from([1, 9, 9, 9, 9, 9, 9, 9, 9, 9, 255, 4]);
  assert.deepEqual(v3.decodePayload(huge, { maxPayload: 1e6 }), [ERROR]);
});

test('v3: decoded binary in each binary type', () => {
  const wire = Buffer.from([1, 5, 255, 4, 1, 2, 3, 4]);
  const [ab] = v3.decodePayload(wire, { binaryType: 'arraybuffer' });
  assert.ok(ab.data instanceof ArrayBuffer);
  assert.equal(hex(new Uint8Array(ab.data)), '01020304');
  const [u8] = v3.decodePayload(wire, { binaryType: 'uint8array' });
  assert.equal(u8.data.constructor, Uint8Array);
  assert.equal(hex(u8.data), '01020304');
  const [nb] = v3.decodePayload(wire);
  assert.ok(Buffer.isBuffer(nb.data));
  assert.ok(v3.decodePacket('b4AQIDBA==', 'arraybuffer').data instanceof ArrayBuffer);
});
