'use strict';
// engine.io-ts/prometheus: the documented metric names and types in the text a prom-client
// Registry serves, each value equal to server.metrics() at scrape time, the node label on every
// sample, the default registry, unregister(), and the ESM entry.
const assert = require('node:assert/strict');
const { Registry, register: globalRegister } = require('prom-client');
const { registerMetrics } = require('engine.io-ts/prometheus');
const { testWithTimeout: test, handshake, poll, post, request, wsHandshake } = require('./support/v4');
const { withServer } = require('./support/servers');

const DOCUMENTED = {
  eio_sessions: 'gauge',
  eio_handshakes_total: 'counter',
  eio_upgrades_total: 'counter',
  eio_closes_total: 'counter',
  eio_connection_errors_total: 'counter',
  eio_messages_received_total: 'counter',
  eio_messages_sent_total: 'counter',
  eio_bytes_received_total: 'counter',
  eio_bytes_sent_total: 'counter',
  eio_polling_requests_total: 'counter',
  eio_buffered_bytes: 'gauge',
  eio_draining: 'gauge',
  eio_upgrade_duration_seconds: 'histogram',
  eio_handshake_duration_seconds: 'histogram',
};

// The Prometheus text exposition format, strictly: HELP and TYPE lines, then samples
// `name{label="value",...} number`; anything else fails.
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?(?:[0-9.eE+-]+|\+Inf|NaN))$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;
function parseExposition(text) {
  const families = {};
  let current = null;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let m;
    if ((m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line))) {
      current = families[m[1]] = { name: m[1], help: m[2], type: null, samples: [] };
    } else if ((m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line))) {
      assert.ok(families[m[1]] && families[m[1]] === current, `TYPE before HELP for ${m[1]}`);
      current.type = m[2];
    } else if ((m = SAMPLE.exec(line))) {
      assert.ok(current, `sample outside a family: ${line}`);
      assert.ok(m[1] === current.name || /^_(bucket|sum|count)$/.test(m[1].slice(current.name.length)), `sample ${m[1]} in family ${current.name}`);
      const labels = {};
      if (m[2]) {
        LABEL.lastIndex = 0;
        while (LABEL.lastIndex < m[2].length) {
          const l = LABEL.exec(m[2]);
          assert.ok(l, `bad labels: ${m[2]}`);
          labels[l[1]] = l[2];
        }
      }
      current.samples.push({ name: m[1], labels, value: Number(m[3]) });
    } else {
      assert.fail(`not Prometheus text: ${JSON.stringify(line)}`);
    }
  }
  return families;
}

function value(families, name, labels = {}, sample = name) {
  const found = families[name].samples.filter((s) => s.name === sample && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.equal(found.length, 1, `${sample} ${JSON.stringify(labels)}: ${found.length} samples`);
  return found[0].value;
}

test('the documented names and types, values from metrics() at scrape time, node label on every sample', async () => {
  await withServer({ cookie: false }, async (srv) => {
    srv.server.on('connection', (socket) => socket.on('message', (m) => socket.send(m)));
    const registry = new Registry();
    const registered = registerMetrics(srv.server, { registry, node: 'node-a' });
    assert.deepEqual(registered.names.sort(), Object.keys(DOCUMENTED).sort());

    const { sid } = await handshake(srv.port);
    await post(srv.port, sid, '4hello');
    assert.equal((await poll(srv.port, sid)).text, '4hello');
    const { peer } = await wsHandshake(srv.port);
    peer.send('4ws');
    assert.equal(await peer.next(), '4ws');
    await request(srv.port, { path: '/engine.io/?EIO=4&transport=nope' });

    const text = await registry.metrics();
    const snap = srv.server.metrics();
    const families = parseExposition(text);
    for (const [name, type] of Object.entries(DOCUMENTED)) {
      assert.ok(families[name], `${name} is exposed`);
      assert.equal(families[name].type, type, `${name} is a ${type}`);
      assert.ok(families[name].help.length > 10, `${name} has a help text`);
      for (const s of families[name].samples) assert.equal(s.labels.node, 'node-a', `${s.name} carries the node label`);
    }
    const node = { node: 'node-a' };
    assert.equal(value(families, 'eio_sessions', { transport: 'polling', protocol: '4', ...node }), 1);
    assert.equal(value(families, 'eio_sessions', { transport: 'websocket', protocol: '4', ...node }), 1);
    assert.equal(value(families, 'eio_sessions', { transport: 'websocket', protocol: '3', ...node }), 0);
    assert.equal(value(families, 'eio_handshakes_total', { transport: 'polling' }), 1);
    assert.equal(value(families, 'eio_handshakes_total', { transport: 'websocket' }), 1);
    for (const result of ['completed', 'failed', 'timeout']) assert.equal(value(families, 'eio_upgrades_total', { result }), 0);
    assert.equal(value(families, 'eio_connection_errors_total', { code: '0' }), 1);
    assert.equal(value(families, 'eio_connection_errors_total', { code: '6' }), 0);
    assert.equal(value(families, 'eio_closes_total', { reason: 'server draining' }), 0);
    for (const t of ['polling', 'websocket']) {
      assert.equal(value(families, 'eio_messages_received_total', { transport: t }), 1);
      assert.equal(value(families, 'eio_messages_sent_total', { transport: t }), 1);
      assert.equal(value(families, 'eio_bytes_received_total', { transport: t }), snap.transports[t].bytesReceived);
      assert.equal(value(families, 'eio_bytes_sent_total', { transport: t }), snap.transports[t].bytesSent);
    }
    assert.equal(value(families, 'eio_bytes_received_total', { transport: 'polling' }), 6);
    assert.equal(value(families, 'eio_bytes_received_total', { transport: 'websocket' }), 3);
    assert.equal(value(families, 'eio_polling_requests_total', { method: 'GET' }), 2);
    assert.equal(value(families, 'eio_polling_requests_total', { method: 'POST' }), 1);
    assert.equal(value(families, 'eio_buffered_bytes'), 0);
    assert.equal(value(families, 'eio_draining'), 0);

    // histograms: cumulative buckets ending in +Inf = _count, and _sum
    const hs = families.eio_handshake_duration_seconds.samples;
    const buckets = hs.filter((s) => s.name === 'eio_handshake_duration_seconds_bucket');
    assert.equal(buckets[buckets.length - 1].labels.le, '+Inf');
    for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i].value >= buckets[i - 1].value);
    assert.equal(buckets[buckets.length - 1].value, 2);
    assert.equal(value(families, 'eio_handshake_duration_seconds', {}, 'eio_handshake_duration_seconds_count'), 2);
    assert.ok(value(families, 'eio_handshake_duration_seconds', {}, 'eio_handshake_duration_seconds_sum') > 0);
    assert.equal(value(families, 'eio_upgrade_duration_seconds', { le: '+Inf' }, 'eio_upgrade_duration_seconds_bucket'), 0);

    // prom-client's own JSON view of the same registry
    const json = await registry.getMetricsAsJSON();
    assert.deepEqual(json.map((m) => m.name).sort(), Object.keys(DOCUMENTED).sort());
    for (const m of json) assert.equal(m.type, DOCUMENTED[m.name]);

    // read at scrape time: a drain shows on the next scrape, with no call in between
    const drained = srv.server.drain({ timeout: 0 });
    await peer.closed;
    await poll(srv.port, sid);
    await drained;
    const later = parseExposition(await registry.metrics());
    assert.equal(value(later, 'eio_draining'), 1);
    assert.equal(value(later, 'eio_closes_total', { reason: 'server draining' }), 2);
    assert.equal(value(later, 'eio_sessions', { transport: 'websocket', protocol: '4' }), 0);

    registered.unregister();
    assert.equal(registry.getMetricsAsArray().length, 0);
  });
});

test("the default registry is prom-client's global register; extra labels; metrics: false is refused", async () => {
  await withServer({}, async (srv) => {
    const registered = registerMetrics(srv.server, { labels: { region: 'eu' } });
    try {
      const families = parseExposition(await globalRegister.metrics());
      assert.equal(value(families, 'eio_draining', { region: 'eu' }), 0);
      // two engines in one registry would have the same names: prom-client refuses
      assert.throws(() => registerMetrics(srv.server, {}), /already been registered/);
    } finally {
      registered.unregister();
    }
    assert.equal(globalRegister.getSingleMetric('eio_sessions'), undefined);
  });
  await withServer({ metrics: false }, async (srv) => {
    assert.throws(() => registerMetrics(srv.server, { registry: new Registry() }), /metrics: false/);
  });
});

test('the ESM entry exports the same registerMetrics', async () => {
  const esm = await import('engine.io-ts/prometheus');
  assert.equal(esm.registerMetrics, registerMetrics);
  assert.equal(esm.default.registerMetrics, registerMetrics);
});
