'use strict';
// httpCompression: polling responses above the threshold (1024 bytes) are gzip- or
// deflate-compressed per Accept-Encoding; small ones, `httpCompression: false` and
// `send(data, { compress: false })` are not.
const test = require('node:test');
const assert = require('node:assert/strict');
const zlib = require('node:zlib');
const { handshake, poll, runJsonp, parseStringPayload, PATH } = require('./support/v3wire');
const { withV3Server } = require('./support/servers');
const { request } = require('./support');

// Compressible, above 1024 bytes, and not all one character.
const BIG = Array.from({ length: 120 }, (_, i) => `line ${i % 10} of a polling payload €;`).join('\n');
assert.ok(Buffer.byteLength(BIG) > 2048);

/** Opens a v4 session, makes the server send `msgs` ([data, options]), polls with Accept-Encoding. */
async function pollAfterSend(srv, msgs, acceptEncoding, EIO = '4') {
  const { sid } = await handshake(srv.port, { EIO, transport: 'polling' });
  const socket = srv.server.clients[sid];
  for (const [data, options] of msgs) socket.send(data, options);
  const headers = acceptEncoding === undefined ? {} : { 'Accept-Encoding': acceptEncoding };
  return poll(srv.port, { EIO, transport: 'polling', sid }, headers);
}

for (const [encoding, decompress] of [
  ['gzip', zlib.gunzipSync],
  ['deflate', zlib.inflateSync],
]) {
  test(`a polling response above the threshold is ${encoding}-compressed when the client accepts ${encoding}`, () =>
    withV3Server({}, async (srv) => {
      const res = await pollAfterSend(srv, [[BIG]], encoding);
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-encoding'], encoding);
      const expected = Buffer.from(`4${BIG}`);
      assert.ok(res.body.length < expected.length / 2, `${res.body.length} compressed bytes for ${expected.length}`);
      assert.deepEqual(decompress(res.body), expected);
    }),
  );
}

test('with "gzip, deflate" the server picks one of them and the body decompresses to the payload', () =>
  withV3Server({}, async (srv) => {
    const res = await pollAfterSend(srv, [[BIG]], 'gzip, deflate, br');
    const enc = res.headers['content-encoding'];
    assert.ok(enc === 'gzip' || enc === 'deflate', `content-encoding ${enc}`);
    const out = enc === 'gzip' ? zlib.gunzipSync(res.body) : zlib.inflateSync(res.body);
    assert.equal(out.toString(), `4${BIG}`);
  }),
);

test('a v3 polling response is compressed too', () =>
  withV3Server({}, async (srv) => {
    const res = await pollAfterSend(srv, [[BIG]], 'gzip', '3');
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.equal(zlib.gunzipSync(res.body).toString(), `${BIG.length + 1}:4${BIG}`);
  }),
);

test('a response under the threshold (1024 bytes) is not compressed', () =>
  withV3Server({}, async (srv) => {
    const small = 'x'.repeat(1000);
    const res = await pollAfterSend(srv, [[small]], 'gzip, deflate');
    assert.equal(res.headers['content-encoding'], undefined);
    assert.equal(res.text, `4${small}`);
  }),
);

test('httpCompression.threshold is configurable', () =>
  withV3Server({ httpCompression: { threshold: 16 } }, async (srv) => {
    const msg = 'hello hello hello hello hello';
    const res = await pollAfterSend(srv, [[msg]], 'gzip');
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.equal(zlib.gunzipSync(res.body).toString(), `4${msg}`);
  }),
);

test('no compression without an Accept-Encoding the server supports', () =>
  withV3Server({}, async (srv) => {
    for (const accept of [undefined, 'identity', 'br']) {
      const res = await pollAfterSend(srv, [[BIG]], accept);
      assert.equal(res.headers['content-encoding'], undefined, `Accept-Encoding: ${accept}`);
      assert.equal(res.text, `4${BIG}`);
    }
  }),
);

test('httpCompression: false disables compression', () =>
  withV3Server({ httpCompression: false }, async (srv) => {
    const res = await pollAfterSend(srv, [[BIG]], 'gzip, deflate');
    assert.equal(res.headers['content-encoding'], undefined);
    assert.equal(res.text, `4${BIG}`);
  }),
);

test('send(data, { compress: false }) is honoured on polling', () =>
  withV3Server({}, async (srv) => {
    const res = await pollAfterSend(srv, [[BIG, { compress: false }]], 'gzip, deflate');
    assert.equal(res.headers['content-encoding'], undefined);
    assert.equal(res.text, `4${BIG}`);
  }),
);

test('a payload with a compressible message is compressed even if another message is compress: false', () =>
  withV3Server({}, async (srv) => {
    const res = await pollAfterSend(srv, [['a', { compress: false }], [BIG]], 'gzip');
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.equal(zlib.gunzipSync(res.body).toString(), `4a\x1e4${BIG}`);
  }),
);

test('a v3 XHR2 binary payload (application/octet-stream) above the threshold is compressed', () =>
  withV3Server({}, async (srv) => {
    const { sid } = await handshake(srv.port, { EIO: '3', transport: 'polling' });
    const bin = Buffer.alloc(4000, 0x5a);
    srv.server.clients[sid].send(bin);
    const res = await poll(srv.port, { EIO: '3', transport: 'polling', sid }, { 'Accept-Encoding': 'gzip' });
    assert.match(res.headers['content-type'], /^application\/octet-stream/);
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.ok(res.body.length < 1000);
    assert.deepEqual(zlib.gunzipSync(res.body), Buffer.concat([Buffer.from([1, 4, 0, 0, 1, 255, 4]), bin]));
  }),
);

test('a JSONP response above the threshold is compressed and still a valid script', () =>
  withV3Server({}, async (srv) => {
    const hs = await request(srv.port, { path: `${PATH}?EIO=3&transport=polling&j=0&b64=1` });
    const open = JSON.parse(parseStringPayload(runJsonp(hs.text, 0))[0].slice(1));
    srv.server.clients[open.sid].send(BIG);
    const res = await poll(srv.port, { EIO: '3', transport: 'polling', sid: open.sid, j: '0' }, { 'Accept-Encoding': 'gzip' });
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.ok(res.body.length < Buffer.byteLength(BIG) / 2);
    assert.equal(runJsonp(zlib.gunzipSync(res.body).toString(), 0), `${BIG.length + 1}:4${BIG}`);
  }),
);
