#!/usr/bin/env node
'use strict';
// Size of the browser client: raw and gzipped bytes of dist/engine.io.min.js (and the ESM build),
// next to the official engine.io-client bundle when it is installed. Exits 1 when the minified
// bundle is over the budget (6,000 bytes gzipped). `--build` rebuilds dist/ first.
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { execFileSync } = require('node:child_process');

const BUDGET = 6000;
const root = path.join(__dirname, '..');
const bundle = path.join(root, 'dist', 'engine.io.min.js');

if (process.argv.includes('--build') || !fs.existsSync(bundle)) {
  execFileSync(process.execPath, [path.join(__dirname, 'build.js')], { stdio: 'inherit', env: { ...process.env, BUILD_FAST: '1' } });
}

function measure(file) {
  const data = fs.readFileSync(file);
  return { raw: data.length, gzip: zlib.gzipSync(data).length };
}

const rows = [
  ['dist/engine.io.min.js', bundle],
  ['dist/engine.io.esm.min.js', path.join(root, 'dist', 'engine.io.esm.min.js')],
  ['dist/engine.io.js', path.join(root, 'dist', 'engine.io.js')],
];
let official;
try {
  const pkg = require.resolve('engine.io-client/package.json', { paths: [root] });
  official = path.join(path.dirname(pkg), 'dist', 'engine.io.min.js');
  rows.push([`official engine.io-client ${require(pkg).version} engine.io.min.js`, official]);
} catch {
  // not installed: nothing to compare with
}

const sizes = {};
for (const [name, file] of rows) {
  if (!fs.existsSync(file)) continue;
  sizes[name] = measure(file);
  console.log(`${name.padEnd(58)} ${String(sizes[name].raw).padStart(7)} B raw ${String(sizes[name].gzip).padStart(6)} B gzip`);
}
const ours = sizes['dist/engine.io.min.js'];
if (!ours) {
  console.error('size: dist/engine.io.min.js was not built');
  process.exit(1);
}
if (ours.gzip > BUDGET) {
  console.error(`size: dist/engine.io.min.js is ${ours.gzip} B gzipped, over the ${BUDGET} B budget`);
  process.exit(1);
}
console.log(`size: within budget (${ours.gzip} / ${BUDGET} B gzipped)`);
