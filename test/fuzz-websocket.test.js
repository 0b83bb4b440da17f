'use strict';
// Fuzzing the WebSocket side with fast-check: sessions opened directly or by upgrading a polling
// session, then generated frame sequences (engine.io packets well- and ill-formed, binary,
// fragmented messages, control frames, protocol violations), the upgrade request and the frames
// written as one buffer split at random points. Per connection: every message before the first
// doubtful frame comes back once and in order (all of them, and the connection kept open, when
// every frame was harmless). After each batch: nothing escaped, bystanders and a fresh official client echo, and no
// session is left over.
const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { request, sleep } = require('./support/index');
const H = require('./support/hardening');
const { startEchoServer } = require('./support/servers');
const F = require('./support/hardening-fuzz');

H.guardProcess();

const TARGET = Number(process.env.FUZZ_TARGET || 10000); // this file's share of the 20,000
const BATCHES = Number(process.env.FUZZ_WS_BATCHES || 14);
const CONNECTIONS = 25;
const FRAMES = { minLength: 20, maxLength: 60 };

const connArb = F.fc.record({
  eio: F.fc.constantFrom(3, 4),
  // (under ENGINE=official the upgrade path is not fuzzed: the official server cancels an upgrade
  // whose `5` arrives in the same read as the frames behind it)
  upgrade: H.official ? F.fc.constant(false) : F.fc.boolean(),
  frames: F.fc.array(F.wsFrameArb, FRAMES),
  // half the connections send harmless frames only, so that long runs of echoes get checked
  clean: F.fc.boolean(),
  cuts: F.splitsArb,
});

/** The payload the echo server must send back for an echoed frame description. */
function expectedEcho(f, eio) {
  if (f.kind === 'binary') {
    return { binary: true, data: eio === 4 ? Buffer.from(f.data) : Buffer.concat([Buffer.from([4]), Buffer.from(f.data)]) };
  }
  return { binary: false, data: Buffer.from(`4${f.data}`, 'utf8') };
}

/** Runs one generated connection; resolves { sent, echoes, expected, closedEarly, allHarmless }. */
async function runConnection(port, conn) {
  const c = conn.clean ? { ...conn, frames: conn.frames.filter(F.isHarmless) } : conn;
  let query = `EIO=${c.eio}&transport=websocket`;
  const prefix = [];
  if (c.upgrade) {
    const { sid } = await H.pollHandshake(port, { eio: c.eio });
    query += `&sid=${sid}`;
    // release the pending poll the way a client would: the server answers it with a noop
    request(port, { path: H.pollPath(c.eio, sid) }).catch(() => {});
    prefix.push(H.wsFrame(1, '2probe'), H.wsFrame(1, '5'));
  }
  const head = H.upgradeBytes(`${H.PATH}?${query}`);
  const body = Buffer.concat([...prefix, ...c.frames.map((f) => F.frameBytes(f, c.eio))]);
  // The official server loses frames that arrive with the upgrade request, before its session
  // exists (its handshake is asynchronous): under ENGINE=official the frames wait for the 101.
  // Ours must take the request and the frames in any split, so they go out as one stream.
  const bytes = H.official ? body : Buffer.concat([head, body]);
  let firstDoubtful = c.frames.findIndex((f) => !F.isHarmless(f));
  if (firstDoubtful < 0) firstDoubtful = c.frames.length;
  const expected = c.frames.slice(0, firstDoubtful).filter(F.isEchoed).map((f) => expectedEcho(f, c.eio));
  const allHarmless = firstDoubtful === c.frames.length;

  let onHeader = null;
  const header = new Promise((r) => {
    onHeader = r;
  });
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let headerDone = false;
    let closed = false;
    let finished = false;
    const echoes = [];
    sock.on('error', () => {});
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      const closedEarly = closed;
      sock.destroy();
      resolve({ sent: c.frames.length, echoes, expected, closedEarly, allHarmless, raw });
    };
    const timer = setTimeout(finish, 5000);
    sock.on('close', () => {
      closed = true;
      finish();
    });
    let raw = Buffer.alloc(0);
    sock.on('data', (d) => {
      raw = Buffer.concat([raw, d]);
      buf = Buffer.concat([buf, d]);
      if (!headerDone) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!buf.subarray(0, 12).toString('latin1').includes('101')) return finish();
        headerDone = true;
        buf = buf.subarray(end + 4);
        onHeader();
      }
      const frames = F.parseServerFrames(buf);
      let used = 0;
      for (const fr of frames) used += fr.data.length + (fr.data.length < 126 ? 2 : fr.data.length < 65536 ? 4 : 10);
      buf = buf.subarray(used);
      for (const fr of frames) {
        if (fr.op === 2) echoes.push({ binary: true, data: fr.data });
        else if (fr.op === 1 && fr.data[0] === 0x34) echoes.push({ binary: false, data: fr.data });
      }
    });
    sock.on('connect', async () => {
      if (H.official) {
        sock.write(head);
        await header;
      }
      for (const part of F.splitBuffer(bytes, c.cuts)) {
        if (sock.destroyed) return;
        sock.write(part);
        await new Promise((r) => setImmediate(r));
      }
      // wait for the echoes owed (or the server's close), then a moment for anything extra
      const deadline = Date.now() + 2500;
      while (!finished && echoes.length < expected.length && Date.now() < deadline) await sleep(10);
      await sleep(50);
      finish();
    });
  });
}

test('fuzz: generated WebSocket frame sequences, split at random, for both revisions', { timeout: 150000 }, async (t) => {
  const srv = await startEchoServer({ pingInterval: 300, pingTimeout: 3000, maxHttpBufferSize: 4096 });
  const by = await H.bystander(srv.url);
  let inputs = 0;
  let batches = 0;
  let echoed = 0;
  let keptOpen = 0;
  try {
    // at least TARGET inputs per run: more batches if the generated sizes fell short
    for (let round = 0; round === 0 || (inputs < TARGET && round < 20); round++) {
      const details = await F.fc.check(
        F.fc.asyncProperty(F.fc.array(connArb, { minLength: CONNECTIONS, maxLength: CONNECTIONS }), async (conns) => {
          batches++;
          const results = await Promise.all(conns.map((c) => runConnection(srv.port, c)));
          H.assertNothingEscaped();
          for (let i = 0; i < results.length; i++) {
            const r = results[i];
            inputs += r.sent;
            const label = `connection ${i} (EIO=${conns[i].eio}${conns[i].upgrade ? ', upgraded' : ''})`;
            // what came back starts with the messages sent before the first doubtful frame, in
            // order, none twice; all of them when the connection sent harmless frames only (after a
            // doubtful frame the session may be closed with echoes still queued, or the doubtful
            // frame may itself be a valid message and be echoed)
            const owed = r.allHarmless ? r.expected.length : Math.min(r.echoes.length, r.expected.length);
            assert.ok(
              r.echoes.length >= owed,
              `${label}: ${r.echoes.length} echoes, expected ${r.expected.length}; closed by server: ${r.closedEarly}; frames ` +
                JSON.stringify(conns[i].frames.slice(0, 12).map((f) => `${f.kind}${f.what ? `:${f.what}` : ''}:${JSON.stringify(f.data).slice(0, 20)}`)) +
                `; echoes ${JSON.stringify(r.echoes.map((e) => e.data.toString('hex').slice(0, 40)))}; expected ${JSON.stringify(r.expected.map((e) => e.data.toString('hex').slice(0, 40)))}; raw tail ${r.raw.toString('hex').slice(-300)}`,
            );
            for (let k = 0; k < owed; k++) {
              assert.equal(r.echoes[k].binary, r.expected[k].binary, `${label}: echo ${k} kind`);
              assert.ok(r.echoes[k].data.equals(r.expected[k].data), `${label}: echo ${k} differs`);
            }
            if (r.allHarmless) {
              assert.equal(r.echoes.length, r.expected.length, `${label}: extra echoes`);
              assert.ok(!r.closedEarly, `${label}: the server closed a connection that sent only harmless frames`);
              keptOpen++;
            }
            echoed += owed;
          }
          await by.check();
          // (a v3 client closed while its upgrade probe is in flight throws inside the client
          // itself, so the fresh clients use one transport each)
          await H.freshClientEchoes(srv.url, batches % 2 ? 3 : 4, batches % 4 < 2 ? ['websocket'] : ['polling']);
          await H.settleSessions(srv.server, by.size, 6000);
        }),
        { numRuns: round === 0 ? BATCHES : 1, endOnFailure: true },
      );
      if (details.failed) F.fail(details);
    }
    t.diagnostic(`${inputs} frames on ${batches * CONNECTIONS} connections in ${batches} batches; ${echoed} echoes checked; ${keptOpen} harmless connections kept open`);
    assert.ok(inputs >= TARGET, `only ${inputs} inputs`);
  } finally {
    by.close();
    await srv.close();
  }
});
