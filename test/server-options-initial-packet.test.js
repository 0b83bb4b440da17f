'use strict';
// initialPacket: a message sent right after the handshake packet, before anything the application
// sends, on every transport and both protocol revisions.
const test = require('node:test');
const assert = require('node:assert/strict');
const { WebSocket } = require('ws');
const { Socket: V4Socket } = require('engine.io-client');
const { collect, opened } = require('./support/v3util');
const { V3Socket } = require('./support/v3client');
const { handshake, poll, parseStringPayload, PATH } = require('./support/v3wire');
const { withV3Server } = require('./support/servers');

function withServer(opts, fn) {
  // The application's own first message, to check the initial packet comes before it.
  return withV3Server(opts, (srv) => {
    srv.server.on('connection', (socket) => socket.send('app'));
    return fn(srv);
  });
}

/** Polls until `n` message packets (type 4) have come after the open packet; returns all packets. */
async function pollPackets(srv, EIO, n) {
  const { sid, packets } = await handshake(srv.port, { EIO, transport: 'polling' });
  const all = [...packets];
  const split = (text) => (EIO === '4' ? text.split('\x1e') : parseStringPayload(text));
  for (let i = 0; i < 5 && all.filter((p) => p[0] === '4').length < n; i++) {
    const res = await poll(srv.port, { EIO, transport: 'polling', sid });
    all.push(...split(res.text));
  }
  return all;
}

for (const EIO of ['4', '3']) {
  test(`EIO=${EIO} polling: initialPacket follows the open packet, before the application's messages`, () =>
    withServer({ initialPacket: 'welcome' }, async (srv) => {
      const packets = await pollPackets(srv, EIO, 2);
      assert.equal(packets[0][0], '0');
      assert.deepEqual(packets.slice(1).filter((p) => p[0] === '4'), ['4welcome', '4app']);
      assert.equal(packets[1], '4welcome', `right after the handshake packet: ${JSON.stringify(packets)}`);
    }),
  );

  test(`EIO=${EIO} WebSocket: the frame after the open packet is the initialPacket`, () =>
    withServer({ initialPacket: 'welcome' }, async (srv) => {
      const ws = new WebSocket(`ws://127.0.0.1:${srv.port}${PATH}?EIO=${EIO}&transport=websocket`);
      try {
        const frames = await collect(ws, 'message', 3);
        const texts = frames.map((f) => f.toString());
        assert.match(texts[0], /^0\{/);
        assert.deepEqual(texts.slice(1), ['4welcome', '4app']);
      } finally {
        ws.terminate();
      }
    }),
  );
}

test('without initialPacket, the first message is the application one', () =>
  withServer({}, async (srv) => {
    const packets = await pollPackets(srv, '4', 1);
    assert.deepEqual(packets.filter((p) => p[0] === '4'), ['4app']);
  }),
);

test('the official v4 and v3 clients receive the initialPacket as their first message', () =>
  withServer({ initialPacket: 'welcome' }, async (srv) => {
    for (const [Client, transports] of [
      [V4Socket, ['polling']],
      [V4Socket, ['websocket']],
      [V3Socket, ['polling']],
      [V3Socket, ['websocket']],
    ]) {
      const client = new Client(srv.url, { transports });
      const msgs = collect(client, 'message', 2);
      try {
        await opened(client);
        assert.deepEqual(await msgs, ['welcome', 'app']);
      } finally {
        client.close();
      }
    }
  }),
);
