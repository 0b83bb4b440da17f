'use strict';
// Server events `initial_headers(headers, req)` (handshake responses only) and
// `headers(headers, req)` (every response) let applications add response headers, on polling
// and on the WebSocket 101 response.
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { rawWebSocket, handshake, poll, post, PATH } = require('./support/v3wire');
const { withV3Server } = require('./support/servers');

/** withV3Server, with listeners on both header events that add a header and record each call. */
function withServer(fn) {
  const events = [];
  return withV3Server({}, (srv) => {
    srv.server.on('initial_headers', (headers, req) => {
      events.push({ event: 'initial_headers', req });
      headers['X-Initial'] = 'yes';
    });
    srv.server.on('headers', (headers, req) => {
      events.push({ event: 'headers', req });
      headers['X-Every'] = 'yes';
    });
    return fn(srv, events);
  });
}

for (const EIO of ['4', '3']) {
  test(`EIO=${EIO} polling: handshake gets both headers; later GET and POST get only "headers"`, () =>
    withServer(async (srv, events) => {
      const { res, sid } = await handshake(srv.port, { EIO, transport: 'polling' });
      assert.equal(res.headers['x-initial'], 'yes');
      assert.equal(res.headers['x-every'], 'yes');
      const initial = events.find((e) => e.event === 'initial_headers');
      assert.ok(initial.req instanceof http.IncomingMessage, 'req is the request');
      assert.match(initial.req.url, /transport=polling/);

      srv.server.clients[sid].send('x');
      const get = await poll(srv.port, { EIO, transport: 'polling', sid });
      assert.equal(get.status, 200);
      assert.equal(get.headers['x-every'], 'yes');
      assert.equal(get.headers['x-initial'], undefined);

      const body = EIO === '4' ? '4hi' : '3:4hi';
      const p = await post(srv.port, { EIO, transport: 'polling', sid }, body);
      assert.equal(p.status, 200);
      assert.equal(p.headers['x-every'], 'yes');
      assert.equal(p.headers['x-initial'], undefined);
      assert.equal(events.filter((e) => e.event === 'initial_headers').length, 1);
    }),
  );
}

test('WebSocket handshake: the 101 response carries both headers', () =>
  withServer(async (srv, events) => {
    const ws = await rawWebSocket(srv.port, `${PATH}?EIO=4&transport=websocket`);
    try {
      assert.equal(ws.status, 101);
      assert.equal(ws.headers['x-initial'], 'yes');
      assert.equal(ws.headers['x-every'], 'yes');
      assert.match(events[0].req.url, /transport=websocket/);
    } finally {
      ws.close();
    }
  }),
);

test('WebSocket upgrade of a polling session: the 101 response carries "headers" but not "initial_headers"', () =>
  withServer(async (srv, events) => {
    const { sid } = await handshake(srv.port, { EIO: '4', transport: 'polling' });
    const before = events.filter((e) => e.event === 'initial_headers').length;
    const ws = await rawWebSocket(srv.port, `${PATH}?EIO=4&transport=websocket&sid=${encodeURIComponent(sid)}`);
    try {
      assert.equal(ws.status, 101);
      assert.equal(ws.headers['x-every'], 'yes');
      assert.equal(ws.headers['x-initial'], undefined);
      assert.equal(events.filter((e) => e.event === 'initial_headers').length, before);
    } finally {
      ws.close();
    }
  }),
);

test('JSONP handshake gets both headers', () =>
  withServer(async (srv) => {
    const r = await poll(srv.port, { EIO: '3', transport: 'polling', j: '1', b64: '1' });
    assert.equal(r.status, 200);
    assert.match(r.text, /^___eio\[1\]\(/);
    assert.equal(r.headers['x-initial'], 'yes');
    assert.equal(r.headers['x-every'], 'yes');
  }),
);
