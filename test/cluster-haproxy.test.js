'use strict';
// The same cluster behind a balancer that is not nginx: Debian's HAProxy, http mode, plain
// `balance roundrobin`, no stick table, no cookie, started here with a generated config, in
// direct and in relayed mode. So nothing in the cluster depends on one proxy's quirks.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { Group, uniquePrefix, openRedis, dropPrefix } = require('./support/cluster');
const { open, exchange, close } = require('./support/cluster-clients');

const N = 200;

function assertExchange({ report, server }, n) {
  assert.deepEqual(report, { count: n, inOrder: true, first: null });
  assert.deepEqual(server, Array.from({ length: n }, (_, i) => i));
}

for (const direct of [true, false]) {
  describe(`three nodes behind round-robin HAProxy (${direct ? 'direct' : 'relayed'} mode)`, () => {
    const group = new Group();
    const prefix = uniquePrefix('haproxy');
    let nodes;
    let lb;

    before(async () => {
      nodes = await Promise.all(['a', 'b', 'c'].map((nodeId) => group.node({ nodeId, prefix, secret: 's-' + prefix, direct })));
      lb = await group.haproxy(nodes.map((n) => n.port));
    });

    after(async () => {
      await group.stopAll();
      await dropPrefix(await openRedis(), prefix);
    });

    for (const [version, transports] of [
      [6, ['polling']],
      [6, ['websocket']],
      [6, ['polling', 'websocket']],
      [3, ['polling']],
      [3, ['polling', 'websocket']],
    ]) {
      it(`engine.io-client ${version}, ${transports.join(' then ')}: ${N} numbered messages each way`, async () => {
        const socket = await open(version, lb.url, { transports });
        assertExchange(await exchange(socket, N), N);
        if (transports.length === 2) {
          // by now the upgrade is done (or is, shortly): more messages over the WebSocket
          if (socket.transport.name !== 'websocket') await new Promise((resolve) => socket.once('upgrade', resolve));
          assertExchange(await exchange(socket, 50), 50);
        }
        await close(socket);
      });
    }

    it('the requests were spread over the three nodes, and reached non-owners', async () => {
      let foreign = 0;
      for (const node of nodes) {
        const { stats } = await node.stats();
        assert.ok(stats.requests > 0, `${node.nodeId} got requests`);
        foreign += stats.foreign + stats.foreignUpgrades;
      }
      assert.ok(foreign > 0);
    });
  });
}
