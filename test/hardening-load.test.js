'use strict';
// Nothing lost, nothing leaked: 200 clients × 2,000 sequence-numbered messages each way over
// polling, WebSocket and across the upgrade; slow readers cut off at the documented buffer limit
// while the others keep flowing; 20,000 connect/disconnect cycles in a child process with the
// heap after GC compared to its baseline; server.close() with clients of every kind attached.
const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const path = require('node:path');
const { execFile } = require('node:child_process');
const { once } = require('node:events');
const { request, sleep } = require('./support/index');
const { startServer, startEchoServer } = require('./support/servers');
const H = require('./support/hardening');

H.guardProcess();

const CLIENTS = Number(process.env.LOAD_CLIENTS || 200);
const MESSAGES = Number(process.env.LOAD_MESSAGES || 2000);
const CYCLES = Number(process.env.LOAD_CYCLES || 20000);

/**
 * Server side of the sequence test: for each session, checks that message i arrives as the
 * i-th one, and sends its own MESSAGES numbered messages in batches once the client says "go".
 */
function sequenceApp(server, state) {
  server.on('connection', (socket) => {
    let expected = 0;
    socket.on('message', (m) => {
      if (m === 'go') {
        let i = 0;
        const batch = () => {
          if (socket.readyState !== 'open') return;
          const end = Math.min(i + 250, MESSAGES);
          for (; i < end; i++) socket.send(String(i));
          if (i < MESSAGES) setImmediate(batch);
        };
        batch();
        return;
      }
      const n = Number(m);
      if (n !== expected) state.errors.push(`server got ${m} where ${expected} was due (${socket.id})`);
      expected++;
      if (expected === MESSAGES) state.serverDone++;
      else if (expected > MESSAGES) state.errors.push(`server got extra message ${m}`);
    });
  });
}

async function sequenceRun(t, transports, upgrade) {
  // long heartbeats: this is about delivery, and a loaded CI machine must not time sessions out
  const srv = await startServer({ pingInterval: 20000, pingTimeout: 20000, allowEIO3: true });
  const state = { errors: [], serverDone: 0 };
  sequenceApp(srv.server, state);
  const { Socket } = require('engine.io-client');
  const clients = [];
  let clientDone = 0;
  let upgraded = 0;
  try {
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const c = new Socket(srv.url, { transports, upgrade });
        clients.push(c);
        let expected = 0;
        const finished = new Promise((resolve, reject) => {
          c.on('message', (m) => {
            const n = Number(m);
            if (n !== expected) state.errors.push(`client got ${m} where ${expected} was due`);
            expected++;
            if (expected === MESSAGES) resolve();
          });
          c.on('close', (reason, desc) => {
            const detail = desc && (desc.message || desc.description || desc.type);
            state.errors.push(`client closed early: ${reason}${detail ? ` (${detail})` : ''} after ${expected} messages`);
            reject(new Error(state.errors[0]));
          });
        });
        c.on('upgrade', () => upgraded++);
        await H.openClient(c, 20000);
        c.send('go');
        // the client's messages, in batches so both directions interleave
        for (let i = 0; i < MESSAGES; ) {
          const end = Math.min(i + 250, MESSAGES);
          for (; i < end; i++) c.send(String(i));
          await new Promise((r) => setImmediate(r));
        }
        await finished;
        clientDone++;
      }),
    );
    const deadline = Date.now() + 20000;
    while (state.serverDone < CLIENTS && Date.now() < deadline && state.errors.length === 0) await sleep(20);
    await sleep(100); // room for a duplicate to show up
    assert.deepEqual(state.errors.slice(0, 5), []);
    assert.equal(clientDone, CLIENTS);
    assert.equal(state.serverDone, CLIENTS);
    if (upgrade) assert.ok(upgraded > 0, 'no client upgraded');
    t.diagnostic(
      `${CLIENTS} clients × ${MESSAGES} messages each way (${2 * CLIENTS * MESSAGES} in all) in ${Date.now() - started} ms` +
        (upgrade ? `; ${upgraded} upgraded mid-stream` : ''),
    );
  } finally {
    for (const c of clients) c.close();
    await H.settleSessions(srv.server, 0, 10000).catch(() => {});
    await srv.close();
  }
  H.assertNothingEscaped();
}

test(`${CLIENTS} clients × ${MESSAGES} messages each way over polling: exactly once, in order`, { timeout: 120000 }, (t) =>
  sequenceRun(t, ['polling'], false));

test(`${CLIENTS} clients × ${MESSAGES} messages each way over WebSocket: exactly once, in order`, { timeout: 120000 }, (t) =>
  sequenceRun(t, ['websocket'], false));

test(`${CLIENTS} clients × ${MESSAGES} messages each way across the upgrade: exactly once, in order`, { timeout: 120000 }, (t) =>
  sequenceRun(t, ['polling', 'websocket'], true));

test('slow readers are cut off at maxBufferedAmount ("transport error"); others keep flowing', {
  skip: H.official && 'the official server has no limit: it buffers for a reader that never reads until memory runs out',
  timeout: 60000,
}, async (t) => {
  const LIMIT = 2 * 1024 * 1024;
  const srv = await startEchoServer({ maxBufferedAmount: LIMIT, pingInterval: 2000, pingTimeout: 5000 });
  const by = await H.bystander(srv.url);
  const chunk = 'x'.repeat(16 * 1024);
  const queued = {};
  // the application keeps sending to the sessions flagged slow=1, as fast as the loop turns
  srv.server.on('connection', (socket) => {
    if (!socket.request.url.includes('slow=1')) return;
    queued[socket.id] = 0;
    const pump = () => {
      if (socket.readyState !== 'open') return;
      for (let i = 0; i < 16; i++) {
        socket.send(chunk);
        queued[socket.id] += chunk.length;
      }
      setImmediate(pump);
    };
    pump();
  });
  try {
    const rssBefore = process.memoryUsage().rss;
    // 1. a WebSocket reader that stops reading: raw TCP, paused after the 101
    const ids = [];
    for (const eio of [4, 3]) {
      const s = net.connect(srv.port, '127.0.0.1');
      s.on('error', () => {});
      await once(s, 'connect');
      s.write(H.upgradeBytes(`${H.PATH}?EIO=${eio}&transport=websocket&slow=1`));
      let got = '';
      let m = null;
      while (!m) {
        const [d] = await once(s, 'data');
        got += d.toString('latin1');
        m = /"sid":"([^"]+)"/.exec(got);
      }
      assert.ok(m, 'no open packet');
      s.pause(); // and never read again
      ids.push({ id: m[1], sock: s });
    }
    // 2. a polling session that never polls again
    for (const eio of [4, 3]) {
      const { sid } = await H.pollHandshake(srv.port, { eio, query: '&slow=1' });
      ids.push({ id: sid, sock: null });
    }
    for (const { id } of ids) {
      // while it fills up, the bystanders keep echoing
      await by.check();
      assert.equal(await H.closeReason(srv, id, 20000), 'transport error');
    }
    const grown = process.memoryUsage().rss - rssBefore;
    t.diagnostic(`queued by the application before the cut-off: ${JSON.stringify(Object.values(queued))} bytes; rss grew ${grown} bytes`);
    // bounded: each session was cut off after the limit plus what the kernel buffers took
    for (const { id, sock } of ids) {
      const bound = LIMIT + (sock ? 16 * 1024 * 1024 : 0) + 16 * 16 * 1024;
      assert.ok(queued[id] <= bound, `session ${id}: ${queued[id]} bytes queued before the cut-off`);
      if (sock) sock.destroy();
    }
    await by.check();
    await H.settleSessions(srv.server, by.size, 5000);
    H.assertNothingEscaped();
  } finally {
    by.close();
    await srv.close();
  }
});

test(`${CYCLES} connect/disconnect cycles: heap after GC within 5% of baseline, no handle left`, { timeout: 150000 }, async (t) => {
  const out = await new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', path.join(__dirname, 'support', 'hardening-cycles.js'), String(CYCLES)],
      { env: process.env, timeout: 140000, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        const line = String(stdout).trim().split('\n').pop();
        try {
          resolve(JSON.parse(line));
        } catch {
          reject(err || new Error(`child output: ${stdout} ${stderr}`));
        }
      },
    );
  });
  assert.equal(out.error, undefined, out.error);
  t.diagnostic(
    `${out.cycles} cycles in ${out.ms} ms; heap after GC ${out.baseHeap} -> ${out.heap} bytes ` +
      `(${(((out.heap - out.baseHeap) / out.baseHeap) * 100).toFixed(1)}%); handles ${JSON.stringify(out.baseRes)} -> ${JSON.stringify(out.res)}`,
  );
  assert.equal(out.clientsCount, 0);
  assert.equal(out.connections, 0);
  assert.deepEqual(out.res, out.baseRes);
  assert.ok(out.heap <= out.baseHeap * 1.05, `heap grew from ${out.baseHeap} to ${out.heap} bytes`);
});

test('server.close() closes every client with a reason, answers in-flight polls, lets the HTTP server close', { timeout: 30000 }, async () => {
  const srv = await startEchoServer({ pingInterval: 5000, pingTimeout: 5000 });
  const clientCloses = [];
  const clients = [];
  for (const proto of [4, 3]) {
    for (const transports of [['polling'], ['websocket'], ['polling', 'websocket']]) {
      const c = proto === 4 ? H.clientV4(srv.url, { transports }) : H.clientV3(srv.url, { transports });
      c.on('close', (reason) => clientCloses.push(reason));
      await H.openClient(c);
      await H.echo(c, 'before close');
      clients.push(c);
    }
  }
  // raw sessions with a poll in flight (v4 and v3) and one with a POST body half sent
  const polls = [];
  for (const eio of [4, 3]) {
    const { sid } = await H.pollHandshake(srv.port, { eio });
    polls.push(request(srv.port, { path: H.pollPath(eio, sid) }));
  }
  const half = await H.pollHandshake(srv.port, { eio: 4 });
  const post = net.connect(srv.port, '127.0.0.1');
  post.on('error', () => {});
  await once(post, 'connect');
  post.write(H.httpRequestBytes({ method: 'POST', path: H.pollPath(4, half.sid), headers: { 'Content-Length': '100' } }));
  post.write('4par');
  const postClosed = new Promise((r) => post.on('close', r));
  await sleep(50);
  const total = srv.server.clientsCount;
  assert.equal(total, clients.length + 3);

  srv.server.close();
  // every session closed, with a reason
  await H.settleSessions(srv.server, 0, 5000);
  assert.equal(srv.closes.length, total);
  for (const c of srv.closes) assert.ok(H.CLOSE_REASONS.includes(c.reason), c.reason);
  if (!H.official) for (const c of srv.closes) assert.equal(c.reason, 'server shutting down');
  // the polls in flight were answered, with the close packet
  for (const res of await Promise.all(polls)) {
    assert.equal(res.status, 200);
    assert.match(res.text, /(^|\x1e|:)1/);
  }
  await Promise.race([postClosed, sleep(5000).then(() => assert.fail('the half-sent POST was left open'))]);
  // the clients saw their sessions end
  const deadline = Date.now() + 5000;
  while (clientCloses.length < clients.length && Date.now() < deadline) await sleep(20);
  assert.equal(clientCloses.length, clients.length);
  // and the HTTP server closes by itself (no closeAllConnections)
  await Promise.race([
    new Promise((r) => srv.httpServer.close(r)),
    sleep(5000).then(() => assert.fail('the HTTP server did not close: connections left open')),
  ]);
  H.assertNothingEscaped();
});
