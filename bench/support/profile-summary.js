#!/usr/bin/env node
'use strict';
// Summarises a V8 .cpuprofile: self time per function (with file:line), heaviest first.
//   node bench/support/profile-summary.js <file.cpuprofile> [top=25] [filter]
const fs = require('node:fs');

const [file, topArg, filter] = process.argv.slice(2);
const top = Number(topArg) || 25;
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfTicks = new Map();
for (const id of profile.samples) selfTicks.set(id, (selfTicks.get(id) || 0) + 1);
const total = profile.samples.length;
const perFunction = new Map();
for (const [id, ticks] of selfTicks) {
  const { functionName, url, lineNumber } = byId.get(id).callFrame;
  const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|dist|src)\//, '$1/')}:${lineNumber + 1}`;
  perFunction.set(key, (perFunction.get(key) || 0) + ticks);
}
const rows = [...perFunction].filter(([k]) => !filter || k.includes(filter)).sort((a, b) => b[1] - a[1]).slice(0, top);
console.log(`${file}: ${total} samples`);
for (const [key, ticks] of rows) console.log(`${((100 * ticks) / total).toFixed(1).padStart(5)}%  ${key}`);

// Self time per file, to compare how much time each library's own code takes.
const perFile = new Map();
for (const [id, ticks] of selfTicks) {
  const url = byId.get(id).callFrame.url.replace(/^.*\/(node_modules|dist|src)\//, '$1/') || '(native/vm)';
  perFile.set(url, (perFile.get(url) || 0) + ticks);
}
console.log('--- self time per file');
for (const [url, ticks] of [...perFile].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
  console.log(`${((100 * ticks) / total).toFixed(1).padStart(5)}%  ${url}`);
}
