'use strict';
// Our browser bundle in a real browser (headless chromium): a page loads dist/engine.io.min.js
// with a script tag, `new eio.Socket(...)` connects over polling, upgrades to WebSocket, sends and
// receives text and binary (ArrayBuffer), and sees the server close it. Server: ours.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { hasChromium, browserSkip, launchBrowser } = require('./support/browser');
const { next } = require('./support/client');
const { startServer } = require('./support/servers');

const bundlePath = path.join(__dirname, '..', 'dist', 'engine.io.min.js');
const skip = !hasChromium;

const PAGE = `<!doctype html><meta charset="utf-8"><title>eio test</title>
<script src="/engine.io.min.js"></script>
<script>
  window.log = [];
  window.connect = (url, opts) => {
    const socket = new eio.Socket(url, opts);
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
</script>`;

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

/** The page and the bundle; everything else is the engine's. */
function app(req, res) {
  if (req.url === '/engine.io.min.js') {
    res.writeHead(200, { 'content-type': 'application/javascript' });
    res.end(fs.readFileSync(bundlePath));
  } else {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  }
}

before(async () => {
  if (skip) return;
  if (!fs.existsSync(bundlePath)) throw new Error('dist/engine.io.min.js missing: run node scripts/build.js');
  srv = await startServer({ allowEIO3: true, pingInterval: 300, pingTimeout: 2000 }, undefined, { eio: 'ours', handler: app });
  engine = srv.server;
  port = srv.port;
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.close();
});

for (const protocol of [4, 3]) {
  const title = `browser v${protocol}: polling, upgrade to WebSocket, text and ArrayBuffer both ways, closed by the server`;
  test(title, { skip: browserSkip(title) }, async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`http://127.0.0.1:${port}/`);
      // Recorded from the 'connection' event on: the page writes as soon as it is open.
      const messages = recordMessages(engine);
      const connection = nextSession(engine);
      await page.evaluate(([url, p]) => window.connect(url, { protocol: p }), [`ws://127.0.0.1:${port}/`, protocol]);
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
