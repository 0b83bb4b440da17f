'use strict';
// The browser bundle: within its size budget, free of Node code, and defining the global `eio`
// the way the Engine.IO README's example uses it.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const zlib = require('node:zlib');
const { execFileSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
const BUDGET = 6000;

if (!fs.existsSync(path.join(dist, 'engine.io.min.js'))) {
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.js')], { env: { ...process.env, BUILD_FAST: '1' } });
}

test(`dist/engine.io.min.js is at most ${BUDGET} bytes gzipped (scripts/size.js agrees)`, () => {
  const gz = zlib.gzipSync(fs.readFileSync(path.join(dist, 'engine.io.min.js'))).length;
  assert.ok(gz <= BUDGET, `${gz} B gzipped > ${BUDGET}`);
  const out = execFileSync(process.execPath, [path.join(root, 'scripts', 'size.js')], { encoding: 'utf8' });
  assert.match(out, new RegExp(`within budget \\(${gz} / ${BUDGET}`));
});

test('the bundles contain no Node code: no require, no ws, no Buffer use, no debug package', () => {
  for (const file of ['engine.io.js', 'engine.io.min.js', 'engine.io.esm.min.js']) {
    const code = fs.readFileSync(path.join(dist, file), 'utf8');
    assert.doesNotMatch(code, /\brequire\(/, file);
    assert.doesNotMatch(code, /node:|\bhttps?\.request\b|from ?["']ws["']|Buffer\.(from|alloc|isBuffer|concat)/, file);
    assert.doesNotMatch(code, /engine:client|createDebug/, file);
  }
});

test('the IIFE defines a callable global eio with eio.Socket; the ESM build exports both', async () => {
  for (const file of ['engine.io.js', 'engine.io.min.js']) {
    // What every browser has and the bundle uses at load time (the parser's text codec).
    const sandbox = { TextEncoder, TextDecoder };
    vm.runInNewContext(fs.readFileSync(path.join(dist, file), 'utf8'), sandbox);
    assert.equal(typeof sandbox.eio, 'function', file);
    assert.equal(typeof sandbox.eio.Socket, 'function', file);
    assert.equal(sandbox.eio.protocol, 4);
  }
  const esm = await import(path.join(dist, 'engine.io.esm.min.js'));
  assert.equal(typeof esm.default, 'function');
  assert.equal(esm.default.Socket, esm.Socket);
});
