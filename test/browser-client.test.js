'use strict';
// Our browser bundle in a real browser (headless chromium): a page loads dist/engine.io.min.js
// with a script tag, `new eio.Socket(...)` connects over polling, upgrades to WebSocket, sends and
// receives text and binary (ArrayBuffer), and sees the server close it. Server: ours.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');
const { once } = require('node:events');
const { hasChromium, launchBrowser } = require('./support/browser');

const bundlePath = path.join(__dirname, '..', 'dist', 'engine.io.min.js');
const skip = hasChromium ? false : '/usr/bin/chromium is not installed';

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

let server;
let engine;
let port;
let browser;

before(async () => {
  if (skip) return;
  if (!fs.existsSync(bundlePath)) throw new Error('dist/engine.io.min.js missing: run node scripts/build.js');
  server = http.createServer((req, res) => {
    if (req.url === '/engine.io.min.js') {
      res.writeHead(200, { 'content-type': 'application/javascript' });
      res.end(fs.readFileSync(bundlePath));
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PAGE);
    }
  });
  engine = require('engine.io-ts').attach(server, { allowEIO3: true, pingInterval: 300, pingTimeout: 2000 });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = server.address().port;
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (engine) engine.close();
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

for (const protocol of [4, 3]) {
  test(`browser v${protocol}: polling, upgrade to WebSocket, text and ArrayBuffer both ways, closed by the server`, { skip }, async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`http://127.0.0.1:${port}/`);
      const connection = once(engine, 'connection');
      await page.evaluate(([url, p]) => window.connect(url, { protocol: p }), [`ws://127.0.0.1:${port}/`, protocol]);
      const [remote] = await connection;
      assert.equal(remote.protocol, protocol);

      // Browser → server, first over polling.
      const received = [];
      remote.on('message', (m) => received.push(m));
      await page.waitForFunction(() => window.log.includes('upgrade:websocket'));
      if (remote.transport.name !== 'websocket') await once(remote, 'upgrade');
      while (received.length < 2) await once(remote, 'message');
      assert.equal(received[0], 'hello from the browser');
      assert.deepEqual([...received[1]], [1, 2, 3, 255]);

      // Server → browser over WebSocket, then the server closes.
      remote.send('hello from the server ✓');
      remote.send(Buffer.from([9, 8, 7]));
      await page.waitForFunction(() => window.log.some((l) => l.startsWith('binary:')));
      remote.close();
      await page.waitForFunction(() => window.log.some((l) => l.startsWith('close:')));
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

test('browser: polling only, with forceBase64, still round-trips binary; client close reaches the server', { skip }, async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`http://127.0.0.1:${port}/`);
    const connection = once(engine, 'connection');
    await page.evaluate((url) => window.connect(url, { transports: ['polling'], forceBase64: true }), `http://127.0.0.1:${port}`);
    const [remote] = await connection;
    const received = [];
    remote.on('message', (m) => received.push(m));
    while (received.length < 2) await once(remote, 'message');
    assert.deepEqual([...received[1]], [1, 2, 3, 255]);
    remote.send(Buffer.from([4, 5]));
    await page.waitForFunction(() => window.log.includes('binary:true:4,5'));
    const closed = once(remote, 'close');
    await page.evaluate(() => socket.close());
    const [reason] = await closed;
    assert.equal(reason, 'transport close');
    assert.equal(remote.transport.name, 'polling');
  } finally {
    await page.close();
  }
});
