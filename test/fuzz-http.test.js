'use strict';
// Fuzzing the HTTP side (polling, JSONP, handshakes, preflights) with fast-check: batches of
// generated requests pipelined over raw TCP connections, merged into one write or split at random
// points. After each batch: nothing escaped, every connection was answered and closed, every
// status is one the engine documents, the bystanders and a fresh official client of each revision
// still echo, and no session is left over.
const test = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { once } = require('node:events');
const H = require('./support/hardening');
const { startEchoServer } = require('./support/servers');
const F = require('./support/hardening-fuzz');

H.guardProcess();

const TARGET = Number(process.env.FUZZ_TARGET || 10000); // this file's share of the 20,000
const BATCHES = Number(process.env.FUZZ_HTTP_BATCHES || 10);
const CONNECTIONS = 12; // per batch, concurrently
const PER_CONNECTION = { minLength: 60, maxLength: 140 };
// 200 ok / 204 preflight / 400 refused / 403 forbidden / 404 outside the engine / 413 too large
// (the official server answers 500 to an unknown method on a polling session)
const ALLOWED_STATUS = new Set([200, 204, 400, 403, 404, 413, ...(H.official ? [500] : [])]);

test('fuzz: generated HTTP requests, pipelined and split, for both revisions', { timeout: 150000 }, async (t) => {
  const srv = await startEchoServer({ maxHttpBufferSize: 2000, pingInterval: 300, pingTimeout: 3000 }, undefined, { fallback: true });
  const by = await H.bystander(srv.url);
  // requests that reached the http server (parsed), and those Node's parser refused
  let parsed = 0;
  let refused = 0;
  srv.httpServer.prependListener('request', () => parsed++);
  // (a clientError listener takes over Node's default answer: give the same one)
  srv.httpServer.on('clientError', (err, socket) => {
    refused++;
    if (socket.writable && !socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  let inputs = 0;
  let batches = 0;
  const statuses = {};
  try {
    // at least TARGET inputs per run: more batches if the generated sizes fell short
    for (let round = 0; round === 0 || (inputs < TARGET && round < 20); round++) {
      const details = await F.fc.check(
        F.fc.asyncProperty(
          F.fc.array(F.fc.tuple(F.fc.array(F.httpRequestArb, PER_CONNECTION), F.splitsArb, F.garbageTailArb), {
            minLength: CONNECTIONS,
            maxLength: CONNECTIONS,
          }),
          async (conns) => {
            batches++;
            // live sessions the requests may aim at
            const v4 = await H.pollHandshake(srv.port, { eio: 4 });
            const v3 = await H.pollHandshake(srv.port, { eio: 3 });
            const ws4 = new WebSocket(`ws://127.0.0.1:${srv.port}${H.PATH}?EIO=4&transport=websocket`);
            ws4.on('error', () => {});
            const [first] = await once(ws4, 'message');
            const live = { v4: v4.sid, v3: v3.sid, ws4: JSON.parse(first.toString().slice(1)).sid };

            const results = await Promise.all(
              conns.map(([reqs, cuts, tail]) => {
                inputs += reqs.length + (tail ? 1 : 0);
                const parts = reqs.map((r, i) => F.httpRequestToBytes(r, live, !tail && i === reqs.length - 1));
                if (tail) parts.push(tail);
                const bytes = Buffer.concat(parts);
                return F.pipeline(srv.port, F.splitBuffer(bytes, cuts), 8000);
              }),
            );
            ws4.terminate();
            H.assertNothingEscaped();
            for (let c = 0; c < results.length; c++) {
              const r = results[c];
              const text = r.data.toString('latin1');
              if (!r.closed) {
                // name the request the server got stuck on: the first one without an answer
                const answered = [...text.matchAll(/HTTP\/1\.1 \d{3} /g)].length;
                const reqs = conns[c][0];
                const stuck = reqs[answered] ? F.httpRequestToBytes(reqs[answered], live, answered === reqs.length - 1) : null;
                const state = Object.entries(live).map(([k, id]) => {
                  const s = srv.server.clients[id];
                  return `${k}=${s ? `${s.readyState}/${s.transport && s.transport.name}` : 'gone'}`;
                });
                assert.fail(
                  `a connection was left hanging after ${answered} of ${reqs.length} answers; next request: ` +
                    JSON.stringify(stuck && stuck.toString('latin1').slice(0, 300)) +
                    `; live sessions now: ${state.join(', ')}; last bytes received: ${JSON.stringify(text.slice(-200))}`,
                );
              }
              for (const m of text.matchAll(/HTTP\/1\.1 (\d{3}) /g)) {
                const code = Number(m[1]);
                statuses[code] = (statuses[code] || 0) + 1;
                assert.ok(ALLOWED_STATUS.has(code), `unexpected status ${code}`);
              }
            }
            // the world is intact
            await by.check();
            const proto = batches % 2 ? 4 : 3;
            await H.freshClientEchoes(srv.url, proto, batches % 4 < 2 ? ['websocket'] : ['polling']);
            await H.settleSessions(srv.server, by.size, 6000);
          },
        ),
        { numRuns: round === 0 ? BATCHES : 1, endOnFailure: true },
      );
      if (details.failed) F.fail(details);
    }
    t.diagnostic(`${inputs} requests generated in ${batches} batches, ${parsed} reached the server, ${refused} refused by the HTTP parser; statuses ${JSON.stringify(statuses)}`);
    assert.ok(inputs >= TARGET, `only ${inputs} inputs`);
  } finally {
    by.close();
    await srv.close();
  }
});
