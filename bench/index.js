#!/usr/bin/env node
'use strict';
// `npm run bench`: runs each benchmark part in its own process, one after another, so
// one part's garbage and open sockets cannot skew the next. Each part compares
// engine.io-ts with the official package in the same run and prints ratios.
// `node bench/index.js parser server` runs only the named parts.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const order = ['parser', 'server', 'socketio', 'cluster'];
const wanted = process.argv.slice(2);
const parts = (wanted.length ? wanted : order).filter((name) => fs.existsSync(path.join(__dirname, `${name}.js`)));
let failed = 0;
for (const name of parts) {
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, `${name}.js`)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
