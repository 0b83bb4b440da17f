#!/usr/bin/env node
'use strict';
// `npm test` after the build: node --test over test/*.test.js (two files at a time), then, when
// tests were skipped for want of a browser, a last word saying which and the command that
// enables them (node --test's own summary only counts skips).
//
// Arguments: options (starting with `-`) go to node --test; anything else replaces the file list.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const options = args.filter((a) => a.startsWith('-'));
let files = args.filter((a) => !a.startsWith('-'));
if (files.length === 0) {
  files = fs
    .readdirSync(path.join(root, 'test'))
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => path.join('test', f));
}

const skipLog = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'engine.io-ts-test-')), 'skipped');
const child = spawn(process.execPath, ['--test', '--test-concurrency=2', ...options, ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, ENGINE_IO_TS_SKIP_LOG: skipLog },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));

child.on('close', (code, signal) => {
  let skipped = [];
  try {
    skipped = fs.readFileSync(skipLog, 'utf8').split('\n').filter(Boolean);
  } catch {
    /* nothing skipped */
  }
  fs.rmSync(path.dirname(skipLog), { recursive: true, force: true });
  if (skipped.length > 0) {
    const { CHROMIUM, ENABLE_COMMAND } = require('../test/support/browser');
    const lines = [
      `${skipped.length} browser test${skipped.length === 1 ? ' was' : 's were'} skipped: ${CHROMIUM} is not installed.`,
      ...skipped.map((title) => `  - ${title}`),
      `To run them, install Debian's chromium: ${ENABLE_COMMAND}`,
    ];
    process.stdout.write('\n' + lines.map((l) => `# ${l}`).join('\n') + '\n');
  }
  process.exitCode = signal ? 1 : code;
});
