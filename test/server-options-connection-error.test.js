'use strict';
// The server's `connection_error({ req, code, message, context })` event, once for every refused
// request, for each error code 0-5, over HTTP and over WebSocket upgrades, along with the HTTP
// answer the client gets.
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { request, waitFor } = require('./support');
const { rawWebSocket, handshake, PATH } = require('./support/v3wire');
const { withV3Server } = require('./support/servers');

const MESSAGES = {
  0: 'Transport unknown',
  1: 'Session ID unknown',
  2: 'Bad handshake method',
  3: 'Bad request',
  4: 'Forbidden',
  5: 'Unsupported protocol version',
};

/** withV3Server, and `fn` also gets the server's 'connection_error's and its connection count. */
function withServer(opts, fn) {
  const errors = [];
  let connections = 0;
  return withV3Server(opts, (srv) => {
    srv.server.on('connection_error', (e) => errors.push(e));
    srv.server.on('connection', () => connections++);
    return fn(srv, errors, () => connections);
  });
}

function checkEvent(e, code, path) {
  assert.equal(e.code, code);
  assert.equal(e.message, MESSAGES[code]);
  assert.ok(e.req instanceof http.IncomingMessage, 'req is the refused request');
  assert.equal(e.req.url, path);
  assert.equal(typeof e.context, 'object');
  assert.notEqual(e.context, null);
}

async function refusedHttp(srv, errors, { method = 'GET', path, code, status = 400, bodyMessage = true }) {
  const before = errors.length;
  const res = await request(srv.port, { method, path });
  assert.equal(res.status, status, `${method} ${path}`);
  const body = JSON.parse(res.text);
  assert.equal(body.code, code);
  if (bodyMessage) assert.equal(body.message, MESSAGES[code]);
  assert.equal(errors.length, before + 1, 'exactly one connection_error');
  checkEvent(errors[before], code, path);
}

test('code 0 Transport unknown: unknown, missing and prototype-named transports', () =>
  withServer({}, async (srv, errors, connections) => {
    for (const t of ['transport=unknown', 'transport=__proto__', 'transport=constructor', 'transport=', '']) {
      await refusedHttp(srv, errors, { path: `${PATH}?EIO=4&${t}`, code: 0 });
    }
    assert.equal(connections(), 0);
  }),
);

test('code 0 for a transport disabled by the transports option', () =>
  withServer({ transports: ['websocket'] }, async (srv, errors) => {
    await refusedHttp(srv, errors, { path: `${PATH}?EIO=4&transport=polling`, code: 0 });
  }),
);

test('code 1 Session ID unknown: polling GET and POST with an unknown sid', () =>
  withServer({}, async (srv, errors) => {
    await refusedHttp(srv, errors, { path: `${PATH}?EIO=4&transport=polling&sid=nope`, code: 1 });
    await refusedHttp(srv, errors, { method: 'POST', path: `${PATH}?EIO=3&transport=polling&sid=nope`, code: 1 });
    await refusedHttp(srv, errors, { path: `${PATH}?EIO=4&transport=polling&sid=__proto__`, code: 1 });
  }),
);

test('code 2 Bad handshake method: a handshake that is not a GET', () =>
  withServer({}, async (srv, errors, connections) => {
    await refusedHttp(srv, errors, { method: 'POST', path: `${PATH}?EIO=4&transport=polling`, code: 2 });
    await refusedHttp(srv, errors, { method: 'PUT', path: `${PATH}?EIO=3&transport=polling`, code: 2 });
    assert.equal(connections(), 0);
  }),
);

test('code 3 Bad request: a websocket handshake over plain HTTP, and a transport mismatch', () =>
  withServer({}, async (srv, errors) => {
    await refusedHttp(srv, errors, { path: `${PATH}?EIO=4&transport=websocket`, code: 3 });
    // An existing polling session addressed as websocket without an upgrade.
    const { sid } = await handshake(srv.port, { EIO: '4', transport: 'polling' });
    await refusedHttp(srv, errors, { path: `${PATH}?EIO=4&transport=websocket&sid=${sid}`, code: 3 });
  }),
);

test('code 4 Forbidden: allowRequest refuses (403)', () =>
  withServer({ allowRequest: (req, cb) => cb('go away', false) }, async (srv, errors, connections) => {
    // The body may carry allowRequest's message instead of the generic one.
    await refusedHttp(srv, errors, { path: `${PATH}?EIO=4&transport=polling`, code: 4, status: 403, bodyMessage: false });
    await refusedHttp(srv, errors, { path: `${PATH}?EIO=3&transport=polling`, code: 4, status: 403, bodyMessage: false });
    assert.equal(connections(), 0);
  }),
);

test('code 5 Unsupported protocol version: v3 with allowEIO3: false, explicit EIO=3 or no EIO', () =>
  withServer({ allowEIO3: false }, async (srv, errors, connections) => {
    await refusedHttp(srv, errors, { path: `${PATH}?EIO=3&transport=polling`, code: 5 });
    await refusedHttp(srv, errors, { path: `${PATH}?transport=polling`, code: 5 });
    assert.equal(connections(), 0);
  }),
);

/** A refused WebSocket request: not upgraded, and exactly one connection_error with the code. */
async function refusedUpgrade(srv, errors, path, code) {
  const before = errors.length;
  const event = waitFor(srv.server, 'connection_error');
  const ws = await rawWebSocket(srv.port, path);
  if (ws.socket) {
    // Refused after the handshake (e.g. protocol checks run once upgraded): it must be closed.
    await new Promise((resolve) => (ws.socket.destroyed ? resolve() : ws.socket.once('close', resolve)));
  } else {
    assert.equal(ws.status, 400, `${path}: HTTP ${ws.status}`);
  }
  await event;
  assert.equal(errors.length, before + 1, 'exactly one connection_error');
  checkEvent(errors[before], code, path);
  return ws;
}

test('WebSocket requests: codes 0, 1, 3 and 4 refuse the upgrade with 400 and emit connection_error', async () => {
  await withServer({}, async (srv, errors) => {
    for (const [path, code] of [
      [`${PATH}?EIO=4&transport=unknown`, 0],
      [`${PATH}?EIO=4&transport=websocket&sid=nope`, 1],
    ]) {
      const ws = await refusedUpgrade(srv, errors, path, code);
      assert.equal(ws.socket, undefined, `${path} was upgraded`);
    }
    // The polling session exists, but its protocol revision does not match.
    const { sid } = await handshake(srv.port, { EIO: '4', transport: 'polling' });
    const ws = await refusedUpgrade(srv, errors, `${PATH}?EIO=3&transport=websocket&sid=${sid}`, 3);
    assert.equal(ws.socket, undefined);
  });
  await withServer({ allowRequest: (req, cb) => cb('go away', false) }, async (srv, errors, connections) => {
    const ws = await refusedUpgrade(srv, errors, `${PATH}?EIO=4&transport=websocket`, 4);
    assert.equal(ws.socket, undefined);
    assert.equal(connections(), 0);
  });
});

test('WebSocket requests: code 5 for a v3 WebSocket with allowEIO3: false, and no session', () =>
  withServer({ allowEIO3: false }, async (srv, errors, connections) => {
    await refusedUpgrade(srv, errors, `${PATH}?EIO=3&transport=websocket`, 5);
    assert.equal(connections(), 0);
    assert.equal(srv.server.clientsCount, 0);
  }),
);

test('accepted requests emit no connection_error', () =>
  withServer({}, async (srv, errors) => {
    await handshake(srv.port, { EIO: '4', transport: 'polling' });
    await handshake(srv.port, { EIO: '3', transport: 'polling' });
    const ws = await rawWebSocket(srv.port, `${PATH}?EIO=4&transport=websocket`);
    assert.equal(ws.status, 101);
    ws.close();
    assert.deepEqual(errors, []);
  }),
);
