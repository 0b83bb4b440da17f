'use strict';
// wsEngine: the WebSocket server implementation, given as a constructor conforming to ws's
// WebSocketServer or as a module name; checked by counting the upgrades it really handles.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const ws = require('ws');

// The `ws` the engine under test resolves (the official one may have its own copy).
function engineWs() {
  const pkg = process.env.ENGINE === 'official' ? 'engine.io' : 'engine.io-ts';
  const from = path.dirname(require.resolve(pkg));
  return require(require.resolve('ws', { paths: [from] }));
}
const { Socket: V4Socket } = require('engine.io-client');
const { waitFor } = require('./support');
const { startServer } = require('./support/servers');
const { official, v3opts, opened } = require('./support/v3util');
const { V3Socket } = require('./support/v3client');

/**
 * Counts the upgrades handled by the WebSocketServer of the `ws` the engine resolves, until
 * `restore()` puts its handleUpgrade back.
 */
function countWsUpgrades() {
  const proto = engineWs().WebSocketServer.prototype;
  const original = proto.handleUpgrade;
  let calls = 0;
  proto.handleUpgrade = function (...args) {
    calls++;
    return original.apply(this, args);
  };
  return {
    count: () => calls,
    restore() {
      proto.handleUpgrade = original;
    },
  };
}

async function echoVia(srv, Client, transports) {
  srv.server.on('connection', (s) => s.on('message', (m) => s.send(m)));
  const client = new Client(srv.url, { transports });
  try {
    await opened(client);
    if (transports.length > 1) await waitFor(client, 'upgrade');
    assert.equal(client.transport.name, 'websocket');
    const got = waitFor(client, 'message');
    client.send('through the custom engine');
    assert.deepEqual(await got, ['through the custom engine']);
  } finally {
    client.close();
  }
}

test('wsEngine as a subclass of ws.WebSocketServer is the one handling upgrades (v4 and v3, direct and upgrade)', async () => {
  const seen = [];
  class MyWss extends ws.WebSocketServer {
    handleUpgrade(req, socket, head, cb) {
      seen.push(req.url);
      return super.handleUpgrade(req, socket, head, cb);
    }
  }
  const srv = await startServer(v3opts({ wsEngine: MyWss }));
  try {
    await echoVia(srv, V4Socket, ['websocket']);
    assert.equal(seen.length, 1);
    assert.match(seen[0], /transport=websocket/);
    await echoVia(srv, V4Socket, ['polling', 'websocket']);
    assert.equal(seen.length, 2);
    assert.match(seen[1], /sid=/, 'the upgrade of a polling session went through it');
    await echoVia(srv, V3Socket, ['polling', 'websocket']);
    assert.equal(seen.length, 3);
    assert.match(seen[2], /EIO=3/);
  } finally {
    await srv.close();
  }
});

test('wsEngine receives the ws options the server derives (noServer, perMessageDeflate, maxPayload)', async () => {
  const constructed = [];
  class MyWss extends ws.WebSocketServer {
    constructor(opts, cb) {
      constructed.push(opts);
      super(opts, cb);
    }
  }
  const srv = await startServer(v3opts({ wsEngine: MyWss, perMessageDeflate: false, maxHttpBufferSize: 12345 }));
  try {
    // (The engine may construct it at attach time or on the first upgrade.)
    await echoVia(srv, V4Socket, ['websocket']);
    assert.ok(constructed.length >= 1, 'constructed');
    const opts = constructed[constructed.length - 1];
    assert.equal(opts.noServer, true);
    assert.ok(!opts.perMessageDeflate, 'perMessageDeflate passed through as disabled');
    assert.equal(opts.maxPayload, 12345);
  } finally {
    await srv.close();
  }
});

test(
  "wsEngine: 'ws' (a module name) works and uses ws's WebSocketServer",
  { skip: official && 'official engine.io@6 takes only a constructor, not a module name' },
  async () => {
    const upgrades = countWsUpgrades();
    const srv = await startServer(v3opts({ wsEngine: 'ws' }));
    try {
      await echoVia(srv, V4Socket, ['websocket']);
      await echoVia(srv, V3Socket, ['websocket']);
      assert.equal(upgrades.count(), 2);
    } finally {
      upgrades.restore();
      await srv.close();
    }
  },
);

test(
  'wsEngine as a module name resolves that module and uses its Server',
  { skip: official && 'official engine.io@6 takes only a constructor, not a module name' },
  async () => {
    const modulePath = path.join(__dirname, 'support', 'v3ws-engine.js');
    const { CountingWebSocketServer } = require(modulePath);
    CountingWebSocketServer.upgrades.length = 0;
    const srv = await startServer(v3opts({ wsEngine: modulePath }));
    try {
      await echoVia(srv, V4Socket, ['polling', 'websocket']);
      assert.ok(CountingWebSocketServer.constructed >= 1, 'the module Server was constructed');
      assert.equal(CountingWebSocketServer.upgrades.length, 1);
    } finally {
      await srv.close();
    }
  },
);

test('without wsEngine, the default is ws', async () => {
  const upgrades = countWsUpgrades();
  const srv = await startServer(v3opts({}));
  try {
    await echoVia(srv, V4Socket, ['websocket']);
    assert.equal(upgrades.count(), 1);
  } finally {
    upgrades.restore();
    await srv.close();
  }
});
