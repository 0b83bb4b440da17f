'use strict';
// server.use(middleware): Express-style (req, res, next) functions run on handshake and upgrade
// requests; headers they set reach the response; an error passed to next() refuses the request.
const test = require('node:test');
const assert = require('node:assert/strict');
const { Socket: V4Socket } = require('engine.io-client');
const { waitFor, request, sleep } = require('./support');
const { opened } = require('./support/v3util');
const { V3Socket } = require('./support/v3client');
const { rawWebSocket, handshake, PATH } = require('./support/v3wire');
const { withV3Server } = require('./support/servers');

function queryOf(req) {
  return Object.fromEntries(new URL(req.url, 'http://x').searchParams);
}

for (const [name, Client] of [
  ['v4', V4Socket],
  ['v3', V3Socket],
]) {
  test(`${name} client: middleware runs on the polling handshake and on the WebSocket upgrade`, () =>
    withV3Server({}, async (srv) => {
      const calls = [];
      srv.server.use((req, res, next) => {
        calls.push({ ...queryOf(req), method: req.method, hasRes: !!res && typeof res.setHeader === 'function' });
        next();
      });
      const client = new Client(srv.url, { transports: ['polling', 'websocket'] });
      try {
        const [[socket]] = await Promise.all([waitFor(srv.server, 'connection'), opened(client)]);
        await waitFor(socket, 'upgrade');
        const handshakeCall = calls.find((c) => c.transport === 'polling' && !c.sid);
        assert.ok(handshakeCall, `no handshake call in ${JSON.stringify(calls)}`);
        assert.equal(handshakeCall.method, 'GET');
        const upgradeCall = calls.find((c) => c.transport === 'websocket' && c.sid === socket.id);
        assert.ok(upgradeCall, `no upgrade call in ${JSON.stringify(calls)}`);
        assert.ok(calls.every((c) => c.hasRes), 'every call gets a response object with setHeader');
      } finally {
        client.close();
      }
    }),
  );
}

test('middleware runs on a direct WebSocket handshake', () =>
  withV3Server({}, async (srv) => {
    const calls = [];
    srv.server.use((req, res, next) => {
      calls.push(queryOf(req));
      next();
    });
    const ws = await rawWebSocket(srv.port, `${PATH}?EIO=4&transport=websocket`);
    try {
      assert.equal(ws.status, 101);
      assert.equal(calls.length, 1);
      assert.equal(calls[0].transport, 'websocket');
    } finally {
      ws.close();
    }
  }),
);

test('middlewares run in order, asynchronously, before the request is handled', () =>
  withV3Server({}, async (srv) => {
    const order = [];
    srv.server.use(async (req, res, next) => {
      order.push('a');
      await sleep(20);
      order.push('a done');
      next();
    });
    srv.server.use((req, res, next) => {
      order.push('b');
      setImmediate(next);
    });
    srv.server.on('connection', () => order.push('connection'));
    const { sid } = await handshake(srv.port, { EIO: '4', transport: 'polling' });
    assert.ok(sid);
    assert.deepEqual(order, ['a', 'a done', 'b', 'connection']);
  }),
);

test('a header set by middleware is on the polling handshake response and on the 101 of the upgrade', () =>
  withV3Server({}, async (srv) => {
    srv.server.use((req, res, next) => {
      res.setHeader('X-Middleware', `ran-${queryOf(req).transport}`);
      next();
    });
    const { res, sid } = await handshake(srv.port, { EIO: '4', transport: 'polling' });
    assert.equal(res.headers['x-middleware'], 'ran-polling');
    const ws = await rawWebSocket(srv.port, `${PATH}?EIO=4&transport=websocket&sid=${encodeURIComponent(sid)}`);
    try {
      assert.equal(ws.status, 101);
      assert.equal(ws.headers['x-middleware'], 'ran-websocket');
    } finally {
      ws.close();
    }
  }),
);

test('next(err) refuses the polling handshake: 400 Bad request, no session, connection_error', () =>
  withV3Server({}, async (srv) => {
    srv.server.use((req, res, next) => next(new Error('not allowed')));
    let connections = 0;
    srv.server.on('connection', () => connections++);
    const errors = [];
    srv.server.on('connection_error', (e) => errors.push(e));
    for (const EIO of ['4', '3']) {
      const res = await request(srv.port, { path: `${PATH}?EIO=${EIO}&transport=polling` });
      assert.equal(res.status, 400);
      assert.deepEqual(JSON.parse(res.text), { code: 3, message: 'Bad request' });
    }
    assert.equal(connections, 0);
    assert.equal(errors.length, 2);
    assert.equal(errors[0].code, 3);
  }),
);

test('next(err) refuses the WebSocket handshake and the upgrade, the polling session carries on', () =>
  withV3Server({}, async (srv) => {
    srv.server.use((req, res, next) => {
      if (queryOf(req).transport === 'websocket') return next(new Error('no websocket'));
      next();
    });
    let connections = 0;
    srv.server.on('connection', () => connections++);
    const direct = await rawWebSocket(srv.port, `${PATH}?EIO=4&transport=websocket`);
    assert.equal(direct.socket, undefined);
    assert.equal(direct.status, 400);
    assert.equal(connections, 0);

    const { sid } = await handshake(srv.port, { EIO: '4', transport: 'polling' });
    assert.equal(connections, 1);
    const upgrade = await rawWebSocket(srv.port, `${PATH}?EIO=4&transport=websocket&sid=${encodeURIComponent(sid)}`);
    assert.equal(upgrade.socket, undefined);
    assert.equal(upgrade.status, 400);
    const socket = srv.server.clients[sid];
    assert.ok(socket, 'the session survives a refused upgrade');
    assert.equal(socket.transport.name, 'polling');
    assert.equal(socket.readyState, 'open');
  }),
);

test('a v4 client whose upgrade is refused by middleware stays connected on polling', () =>
  withV3Server({}, async (srv) => {
    srv.server.use((req, res, next) => {
      if (queryOf(req).transport === 'websocket') return next(new Error('no websocket'));
      next();
    });
    srv.server.on('connection', (s) => s.on('message', (m) => s.send(m)));
    const client = new V4Socket(srv.url, { transports: ['polling', 'websocket'] });
    const upgradeFailed = waitFor(client, 'upgradeError');
    try {
      await opened(client);
      await upgradeFailed;
      const got = waitFor(client, 'message');
      client.send('still here');
      assert.deepEqual(await got, ['still here']);
      assert.equal(client.transport.name, 'polling');
    } finally {
      client.close();
    }
  }),
);
