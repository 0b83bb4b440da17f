'use strict';
// The protocol v4 handshake by hand: the open packet and its headers, the upgrades offered,
// the defaults, and the session ids (length, alphabet, randomness).
const assert = require('node:assert/strict');
const http = require('node:http');
const { startServer, withServer } = require('./support/servers');
const { waitFor } = require('./support');
const { testWithTimeout: test, request, official, RS, url, handshake, wsHandshake, wsSession, assertError } = require('./support/v4');

test('polling handshake: 0{sid,upgrades,pingInterval,pingTimeout,maxPayload} with exact headers', async () => {
  await withServer({ pingInterval: 4321, pingTimeout: 1234, maxHttpBufferSize: 5678 }, async (srv) => {
    const conn = waitFor(srv.server, 'connection');
    const res = await request(srv.port, { path: url() });
    assert.equal(res.status, 200);
    assert.match(res.text, /^0\{/);
    assert.ok(!res.text.includes(RS), 'the handshake answer is the open packet alone');
    const open = JSON.parse(res.text.slice(1));
    assert.deepEqual(Object.keys(open).sort(), ['maxPayload', 'pingInterval', 'pingTimeout', 'sid', 'upgrades']);
    assert.deepEqual(open.upgrades, ['websocket']);
    assert.equal(open.pingInterval, 4321);
    assert.equal(open.pingTimeout, 1234);
    assert.equal(open.maxPayload, 5678);
    assert.match(res.headers['content-type'], /^text\/plain; ?charset=UTF-8$/i);
    assert.equal(Number(res.headers['content-length']), res.body.length);
    assert.match(res.headers['cache-control'], /no-store|no-cache/);
    const [socket] = await conn;
    assert.equal(socket.id, open.sid);
  });
});

test('websocket handshake: the first frame is the open packet, with no upgrades', async () => {
  await withServer({ pingInterval: 2222, pingTimeout: 1111 }, async (srv) => {
    const { peer, open, socket } = await wsSession(srv);
    assert.deepEqual(open.upgrades, []);
    assert.equal(open.pingInterval, 2222);
    assert.equal(open.pingTimeout, 1111);
    assert.equal(open.maxPayload, 1e6);
    assert.equal(open.sid, socket.id);
    assert.equal(socket.transport.name, 'websocket');
    await peer.close();
  });
});

test('upgrades is [] when allowUpgrades is false or websocket is not an allowed transport', async () => {
  await withServer({ allowUpgrades: false }, async (srv) => {
    const { open } = await handshake(srv.port);
    assert.deepEqual(open.upgrades, []);
  });
  await withServer({ transports: ['polling'] }, async (srv) => {
    const { open } = await handshake(srv.port);
    assert.deepEqual(open.upgrades, []);
    const ws = await request(srv.port, { path: url(null, { transport: 'websocket' }) });
    assertError(ws, 0, 'Transport unknown');
  });
});

test("transports: ['websocket'] refuses polling (code 0) and serves WebSocket sessions", async () => {
  await withServer({ transports: ['websocket'] }, async (srv) => {
    assertError(await request(srv.port, { path: url() }), 0, 'Transport unknown');
    const { peer, open } = await wsHandshake(srv.port);
    assert.deepEqual(open.upgrades, []);
    await peer.close();
  });
});

test('defaults: pingInterval 25000 and maxPayload (maxHttpBufferSize) 1e6', async () => {
  const srv = await startServer();
  try {
    const { open } = await handshake(srv.port);
    assert.equal(open.pingInterval, 25000);
    assert.equal(open.maxPayload, 1e6);
  } finally {
    await srv.close();
  }
});

test(
  'default pingTimeout is the README\'s 5000',
  { skip: official && 'official engine.io@6 defaults pingTimeout to 20000; our README says 5000' },
  async () => {
    const srv = await startServer();
    try {
      const { open } = await handshake(srv.port);
      assert.equal(open.pingTimeout, 5000);
    } finally {
      await srv.close();
    }
  },
);

/** 1000 handshakes, 25 at a time, over a keep-alive agent. */
async function manySids(port, n = 1000) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 25 });
  const get = () =>
    new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: url(), agent }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (body += c));
          res.on('end', () => {
            try {
              resolve(JSON.parse(body.slice(1)).sid);
            } catch (err) {
              reject(new Error(`bad handshake answer ${res.statusCode}: ${JSON.stringify(body)}`));
            }
          });
        })
        .on('error', reject);
    });
  const sids = [];
  try {
    for (let i = 0; i < n; i += 25) sids.push(...(await Promise.all(Array.from({ length: 25 }, get))));
  } finally {
    agent.destroy();
  }
  return sids;
}

// The 1000 sids of the first test, reused by the second (which collects its own if needed).
let thousandSids = null;

test('session ids: at least 20 base64url characters, all distinct across 1000 handshakes', async () => {
  await withServer({}, async (srv) => {
    const sids = await manySids(srv.port);
    thousandSids = sids;
    assert.equal(sids.length, 1000);
    for (const sid of sids) assert.match(sid, /^[A-Za-z0-9_-]{20,}$/);
    assert.equal(new Set(sids).size, 1000);
    // a counter or a timestamp in front would make prefixes repeat
    assert.equal(new Set(sids.map((s) => s.slice(0, 10))).size, 1000);
    assert.equal(srv.server.clientsCount, 1000);
  });
});

test(
  'session ids carry at least 120 random bits: each of the first 20 characters varies freely',
  { skip: official && 'official engine.io@6 ids are 88 random bits plus a sequence counter' },
  async () => {
    await withServer({}, async (srv) => {
      const sids = thousandSids || (await manySids(srv.port));
      for (let pos = 0; pos < 20; pos++) {
        const seen = new Set(sids.map((s) => s[pos]));
        // 1000 draws over 64 symbols: a random position shows nearly all of them
        assert.ok(seen.size >= 48, `position ${pos} takes only ${seen.size} values`);
      }
    });
  },
);
