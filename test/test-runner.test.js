'use strict';
// `npm test` (scripts/test.js) on a machine without chromium: the browser tests skip with the
// reason and the command that enables them, and the run ends by listing them. The absence is
// faked with CHROMIUM_PATH (test/support/browser.js); only the two browser files run, skipping.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { ENABLE_COMMAND } = require('./support/browser');

const root = path.join(__dirname, '..');

function runTests(files, extraEnv) {
  const env = { ...process.env, ...extraEnv };
  // we run inside node --test: the inner runner must not think it is one of our subprocesses
  delete env.NODE_TEST_CONTEXT;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'scripts', 'test.js'), ...files], { cwd: root, env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

test('without chromium, the browser tests skip naming the command, and the run ends with which were skipped', async () => {
  const missing = path.join(root, 'no-such-dir', 'chromium');
  const { code, out } = await runTests(['test/browser-client.test.js', 'test/browser-demo.test.js'], { CHROMIUM_PATH: missing });
  assert.equal(code, 0, out);
  const skips = out.split('\n').filter((l) => /^ok \d+ - .* # SKIP /.test(l));
  assert.equal(skips.length, 6, out);
  for (const line of skips) assert.ok(line.endsWith(`# SKIP ${missing} is not installed; to run the browser tests: ${ENABLE_COMMAND}`), line);
  // the last lines, after node --test's summary
  const tail = out.trimEnd().split('\n');
  const summary = tail.findIndex((l) => /^# duration_ms /.test(l));
  assert.ok(summary > 0, out);
  const notice = tail.slice(summary + 1).filter(Boolean);
  assert.equal(notice[0], `# 6 browser tests were skipped: ${missing} is not installed.`);
  assert.equal(notice.at(-1), `# To run them, install Debian's chromium: ${ENABLE_COMMAND}`);
  const titles = notice.slice(1, -1).map((l) => l.replace(/^# {3}- /, '')).sort();
  assert.deepEqual(titles, [
    'browser v3 (script tag): polling, upgrade to WebSocket, text and ArrayBuffer both ways, closed by the server',
    'browser v4 (ESM bundle imported by a module script): polling, upgrade to WebSocket, text and ArrayBuffer both ways, closed by the server',
    "browser v4 (esbuild's bundle of engine.io-ts/client): polling, upgrade to WebSocket, text and ArrayBuffer both ways, closed by the server",
    'browser v4 (script tag): polling, upgrade to WebSocket, text and ArrayBuffer both ways, closed by the server',
    'browser: polling only, with forceBase64, still round-trips binary; client close reaches the server',
    'demo: two pages see each other draw and chat live',
  ]);
});

test('with nothing skipped, the run ends with node --test summary and its exit code', async () => {
  const { code, out } = await runTests(['test/server-query.test.js']);
  assert.equal(code, 0, out);
  assert.match(out.trimEnd().split('\n').at(-1), /^# duration_ms /);
  assert.doesNotMatch(out, /browser tests? (was|were) skipped/);
});
