'use strict';
// Our browser client in a real browser (headless chromium), delivered the three ways a page gets
// it: dist/engine.io.min.js with a script tag, dist/engine.io.esm.min.js imported by a module
// script, and `import { Socket } from 'engine.io-ts/client'` bundled by esbuild for the browser
// (the package's "browser" export condition). In each, `new Socket(...)` connects over polling,
// upgrades to WebSocket, sends and receives text and binary (ArrayBuffer), and sees the server
// close it. Server: ours.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { hasChromium, browserSkip, launchBrowser } = require('./support/browser');
const { next } = require('./support/client');
const { startServer } = require('./support/servers');

const root = path.join(__dirname, '..');
const bundlePath = path.join(root, 'dist', 'engine.io.min.js');
const esmBundlePath = path.join(root, 'dist', 'engine.io.esm.min.js');
const skip = !hasChromium;

// The page's code, with `Socket` the client's constructor however the page got it.
const CONNECT = `
  window.log = [];
  window.connect = (url, opts) => {
    const socket = new Socket(url, opts);
    window.socket = socket;
    const show = (m) => typeof m === 'string' ? 'text:' + m : 'binary:' + (m instanceof ArrayBuffer) + ':' + Array.from(new Uint8Array(m)).join(',');
    socket.on('open', () => {
      log.push('open:' + socket.transport.name);
      socket.send('hello from the browser');
      socket.send(new Uint8Array([1, 2, 3, 255]).buffer);
    });
    socket.on('upgrading', (t) => log.push('upgrading:' + t.name));
    socket.on('upgrade', (t) => log.push('upgrade:' + t.name));
    socket.on('message', (m) => log.push(show(m)));
    socket.on('error', (e) => log.push('error:' + e));
    socket.on('close', (reason) => log.push('close:' + reason));
  };
`;
const html = (body) => `<!doctype html><meta charset="utf-8"><title>eio test</title>\n${body}`;
const PAGES = {
  // the IIFE bundle's global
  '/': html(`<script src="/engine.io.min.js"></script>\n<script>const Socket = eio.Socket;${CONNECT}</script>`),
  // the ESM bundle, as it is published, imported by the browser itself
  '/esm': html(`<script type="module">import { Socket } from '/engine.io.esm.min.js';${CONNECT}</script>`),
  // what an application's bundler makes of `import ... from 'engine.io-ts/client'`
  '/bundled': html('<script src="/app.js"></script>'),
};
/** The application script of '/bundled' (esbuild's output), made in before(). */
let appScript = null;

/**
 * Bundles `import { Socket } from 'engine.io-ts/client'` plus the page's code as esbuild does
 * for a browser application, from a directory whose node_modules/engine.io-ts is this package.
 * Returns the script and the files esbuild read.
 */
async function bundleApp() {
  const esbuild = require('esbuild');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eio-bundle-'));
  try {
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(root, path.join(dir, 'node_modules', 'engine.io-ts'), 'dir');
    fs.writeFileSync(path.join(dir, 'app.js'), `import { Socket } from 'engine.io-ts/client';\n${CONNECT}`);
    const result = await esbuild.build({
      absWorkingDir: dir,
      entryPoints: ['app.js'],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    return { script: result.outputFiles[0].text, inputs: Object.keys(result.metafile.inputs) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Waits for `predicate(log)` in the page; on timeout the error shows the page's log. */
async function waitLog(page, predicate, ms = 10000) {
  try {
    await page.waitForFunction(predicate, null, { timeout: ms });
  } catch (err) {
    const log = await page.evaluate(() => window.log).catch(() => '(page gone)');
    throw new Error(`${err.message.split('\n')[0]}; page log: ${JSON.stringify(log)}`);
  }
}

/** The next session on `engine`, with its messages recorded from the very start. */
async function nextSession(engine) {
  const [remote] = await next(engine, 'connection', 10000);
  return remote;
}
function recordMessages(engine) {
  const messages = [];
  const onConnection = (socket) => {
    engine.off('connection', onConnection);
    socket.on('message', (m) => messages.push(m));
  };
  engine.on('connection', onConnection);
  return messages;
}

/** Resolves once `remote` has received `n` messages in total (collected in `received`). */
async function received(remote, list, n) {
  while (list.length < n) await next(remote, 'message', 10000);
}

let srv;
let engine;
let port;
let browser;

/** The pages and the client's files; everything else is the engine's. */
function app(req, res) {
  const file = req.url === '/engine.io.min.js' ? bundlePath : req.url === '/engine.io.esm.min.js' ? esmBundlePath : null;
  if (file !== null || req.url === '/app.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' });
    res.end(file !== null ? fs.readFileSync(file) : appScript);
  } else {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGES[req.url] || PAGES['/']);
  }
}

before(async () => {
  if (skip) return;
  for (const file of [bundlePath, esmBundlePath]) {
    if (!fs.existsSync(file)) throw new Error(`${path.relative(root, file)} missing: run node scripts/build.js`);
  }
  const bundled = await bundleApp();
  // the browser build, never the Node one (which would need Buffer, ws, node:http)
  assert.ok(bundled.inputs.some((f) => f.endsWith('dist/engine.io.esm.min.js')), `esbuild read ${bundled.inputs.join(', ')}`);
  assert.ok(!bundled.inputs.some((f) => f.includes('dist/cjs') || f.includes('node_modules/ws')), `esbuild read ${bundled.inputs.join(', ')}`);
  appScript = bundled.script;
  srv = await startServer({ allowEIO3: true, pingInterval: 300, pingTimeout: 2000 }, undefined, { eio: 'ours', handler: app });
  engine = srv.server;
  port = srv.port;
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.close();
});

const CASES = [
  { protocol: 4, url: '/', how: 'script tag' },
  { protocol: 3, url: '/', how: 'script tag' },
  { protocol: 4, url: '/esm', how: 'ESM bundle imported by a module script' },
  { protocol: 4, url: '/bundled', how: "esbuild's bundle of engine.io-ts/client" },
];
for (const { protocol, url, how } of CASES) {
  const title = `browser v${protocol} (${how}): polling, upgrade to WebSocket, text and ArrayBuffer both ways, closed by the server`;
  test(title, { skip: browserSkip(title) }, async () => {
    const page = await browser.newPage();
    const pageErrors = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    try {
      await page.goto(`http://127.0.0.1:${port}${url}`);
      await page.waitForFunction(() => typeof window.connect === 'function', null, { timeout: 10000 }).catch(() => {
        throw new Error(`the page's script did not run: ${JSON.stringify(pageErrors)}`);
      });
      // Recorded from the 'connection' event on: the page writes as soon as it is open.
      const messages = recordMessages(engine);
      const connection = nextSession(engine);
      await page.evaluate(([u, p]) => window.connect(u, { protocol: p }), [`ws://127.0.0.1:${port}/`, protocol]);
      const remote = await connection;
      assert.equal(remote.protocol, protocol);

      // Browser → server, first over polling.
      await waitLog(page, () => window.log.includes('upgrade:websocket'));
      if (remote.transport.name !== 'websocket') await next(remote, 'upgrade', 10000);
      await received(remote, messages, 2);
      assert.equal(messages[0], 'hello from the browser');
      assert.deepEqual([...messages[1]], [1, 2, 3, 255]);

      // Server → browser over WebSocket, then the server closes.
      remote.send('hello from the server ✓');
      remote.send(Buffer.from([9, 8, 7]));
      await waitLog(page, () => window.log.some((l) => l.startsWith('binary:')));
      remote.close();
      await waitLog(page, () => window.log.some((l) => l.startsWith('close:')));
      const log = await page.evaluate(() => window.log);
      assert.deepEqual(log, [
        'open:polling',
        'upgrading:websocket',
        'upgrade:websocket',
        'text:hello from the server ✓',
        'binary:true:9,8,7',
        'close:transport close',
      ]);
      assert.equal(await page.evaluate(() => socket.readyState), 'closed');
    } finally {
      await page.close();
    }
  });
}

const forceBase64Title = 'browser: polling only, with forceBase64, still round-trips binary; client close reaches the server';
test(forceBase64Title, { skip: browserSkip(forceBase64Title) }, async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`http://127.0.0.1:${port}/`);
    const messages = recordMessages(engine);
    const connection = nextSession(engine);
    await page.evaluate((url) => window.connect(url, { transports: ['polling'], forceBase64: true }), `http://127.0.0.1:${port}`);
    const remote = await connection;
    await received(remote, messages, 2);
    assert.deepEqual([...messages[1]], [1, 2, 3, 255]);
    remote.send(Buffer.from([4, 5]));
    await waitLog(page, () => window.log.includes('binary:true:4,5'));
    const closed = next(remote, 'close', 10000);
    await page.evaluate(() => socket.close());
    const [reason] = await closed;
    assert.equal(reason, 'transport close');
    assert.equal(remote.transport.name, 'polling');
  } finally {
    await page.close();
  }
});
