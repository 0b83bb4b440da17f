'use strict';
// The server's query-string parser against the WHATWG URLSearchParams it stands in for:
// same keys, same values, same order, the last of repeated keys winning, on generated
// strings full of separators, `+`, valid and malformed percent escapes and non-ASCII text.
// Then over HTTP: hostile keys stay plain keys and answer with the usual errors.
const test = require('node:test');
const assert = require('node:assert/strict');
const fc = require('fast-check');
const { parseQuery } = require('../dist/cjs/server/query.js');
const { request } = require('./support');
const { startServer } = require('./support/servers');

// ASCII only, as in a request line; non-ASCII arrives percent-encoded (raw non-ASCII text is
// checked by hand below: Node 20's URLSearchParams mangles it next to a malformed escape)
const PIECES = ['a', 'sid', 'EIO', '=', '&', '&&', '==', '+', '%', '%2', '%2B', '%26', '%3D', '%E2%82%AC', '%E2%82', '%ZZ', '%C3', '%c3%a9', ' ', '__proto__', 'constructor', '?', '#'];

function reference(url) {
  const q = url.indexOf('?');
  // the '&' keeps the constructor from dropping a leading '?' of the query itself
  return q === -1 ? {} : Object.fromEntries(new URLSearchParams('&' + url.slice(q + 1)));
}

test('parseQuery reads what URLSearchParams reads', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 24 }), fc.boolean(), (parts, withPath) => {
      const url = (withPath ? '/engine.io/?' : '') + parts.join('');
      assert.deepEqual(Object.entries(parseQuery(url)), Object.entries(reference(url)), url);
    }),
    { numRuns: 5000 },
  );
  // WHATWG percent-decoding works on the UTF-8 bytes: the raw '€' survives, the lone %C3 is
  // U+FFFD, the malformed %ZZ stays as it is
  assert.deepEqual(Object.entries(parseQuery('/?€%C3=é%ZZ&x=%E2%82%AC+1')), [
    ['€\uFFFD', 'é%ZZ'],
    ['x', '€ 1'],
  ]);
  assert.deepEqual(Object.entries(parseQuery('/engine.io/')), []);
  assert.deepEqual(Object.entries(parseQuery(undefined)), []);
});

/** Every property name an object inherits, along its whole prototype chain. */
function inherited(obj) {
  const names = [];
  for (let p = Object.getPrototypeOf(obj); p !== null; p = Object.getPrototypeOf(p)) names.push(...Reflect.ownKeys(p));
  return names;
}

test('parseQuery: the result inherits nothing, so hostile keys are only keys', () => {
  const q = parseQuery('/?__proto__=x&constructor=y&toString=z');
  assert.deepEqual(inherited(q), []);
  assert.deepEqual(Object.keys(q), ['__proto__', 'constructor', 'toString']);
  assert.equal(q.__proto__, 'x');
  assert.equal(q.constructor, 'y');
  assert.equal(q.toString, 'z');
  const plain = parseQuery('/?a=1');
  assert.deepEqual(inherited(plain), []);
  for (const name of ['sid', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf']) assert.equal(plain[name], undefined, name);
  assert.equal('toString' in plain, false);
});

test('hostile query keys over HTTP get the documented errors, and the server keeps serving', async () => {
  const srv = await startServer();
  try {
    const bad = [
      ['/engine.io/?EIO=4&transport=polling&sid=__proto__', 400, 1],
      ['/engine.io/?EIO=4&transport=polling&sid=constructor', 400, 1],
      ['/engine.io/?EIO=4&transport=toString', 400, 0],
      ['/engine.io/?EIO=4&transport=%ZZ', 400, 0],
      ['/engine.io/?EIO=4&transport=polling&transport=hasOwnProperty', 400, 0],
    ];
    for (const [path, status, code] of bad) {
      const res = await request(srv.port, { path });
      assert.equal(res.status, status, path);
      assert.equal(JSON.parse(res.text).code, code, path);
    }
    // repeated keys: the last one wins, as with URLSearchParams
    const ok = await request(srv.port, { path: '/engine.io/?EIO=3&EIO=4&transport=websocket&transport=polling' });
    assert.equal(ok.status, 200);
    assert.match(ok.text, /^0\{"sid"/);
  } finally {
    await srv.close();
  }
});
