'use strict';
// Relayed mode request by request: nodes without `advertise` reached through Redis pub/sub, in
// a cluster that mixes them with direct nodes; and a stream forged straight onto a node's Redis
// channel (no member header) refused by the owner.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { request } = require('./support/index');
const { Group, uniquePrefix, dropPrefix, openRedis } = require('./support/cluster');

const SEP = '\x1e';

function poll(port, sid, { method = 'GET', body } = {}) {
  const path = `/engine.io/?EIO=4&transport=polling${sid ? `&sid=${sid}` : ''}`;
  return request(port, { method, path, body, headers: body !== undefined ? { 'content-type': 'text/plain;charset=UTF-8' } : {} }, 15000);
}

async function handshake(port) {
  const res = await poll(port);
  assert.equal(res.status, 200, res.text);
  return JSON.parse(res.text.slice(1)).sid;
}

const messages = (text) => text.split(SEP).filter((p) => p[0] === '4').map((p) => p.slice(1));

describe('a cluster mixing direct and relayed nodes', () => {
  const group = new Group();
  const prefix = uniquePrefix('relayed');
  let direct;
  let relayed;
  let redis;

  before(async () => {
    const config = { prefix, secret: 's-' + prefix };
    [direct, relayed] = await Promise.all([group.node({ ...config, nodeId: 'd' }), group.node({ ...config, nodeId: 'r', direct: false })]);
    redis = await openRedis();
  });

  after(async () => {
    await group.stopAll();
    await dropPrefix(redis, prefix);
  });

  it('a session of the relayed node is served through the direct one, and the other way round', async () => {
    for (const [owner, via] of [
      [relayed, direct],
      [direct, relayed],
    ]) {
      const sid = await handshake(owner.port);
      for (let i = 0; i < 20; i++) {
        const res = await poll(via.port, sid, { method: 'POST', body: `4c:${i}` });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.headers['x-test-served-by'], owner.nodeId);
        assert.match(res.headers['x-test-forwarded-for'], new RegExp(` via ${via.nodeId}$`));
      }
      assert.equal((await poll(via.port, sid, { method: 'POST', body: `4c:end${SEP}4burst:3` })).status, 200);
      const got = [];
      while (!got.includes('s:end')) got.push(...messages((await poll(via.port, sid)).text));
      assert.deepEqual(got, ['report:{"count":20,"inOrder":true,"first":null}', 's:0', 's:1', 's:2', 's:end']);
    }
  });

  it('a WebSocket upgrade for a session of the relayed node, through the direct node', async () => {
    const sid = await handshake(relayed.port);
    const ws = new WebSocket(`ws://127.0.0.1:${direct.port}/engine.io/?EIO=4&transport=websocket&sid=${sid}`);
    const frames = [];
    ws.on('message', (d) => frames.push(d.toString()));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.send('2probe');
    while (!frames.includes('3probe')) await new Promise((r) => setTimeout(r, 5));
    ws.send('5');
    for (let i = 0; i < 100; i++) ws.send(`4c:${i}`);
    ws.send('4c:end');
    ws.send('4whoami');
    while (!frames.includes('4node:r')) await new Promise((r) => setTimeout(r, 5));
    assert.ok(frames.includes('4report:{"count":100,"inOrder":true,"first":null}'));
    ws.close();
  });

  it('a stream published straight onto the relayed node\'s channel, without a member header, is refused 403', async () => {
    const sid = await handshake(relayed.port);
    const sub = redis.duplicate();
    await sub.connect();
    try {
      const fakeTag = 'fAkE';
      const answers = [];
      await sub.subscribe(`${prefix}:relay:${fakeTag}`, (m) => answers.push(m), true);
      const id = Buffer.from(`${fakeTag}.1`, 'latin1');
      const tag = Buffer.from(fakeTag, 'latin1');
      const body = '4c:0';
      const http = Buffer.from(
        `POST /engine.io/?EIO=4&transport=polling&sid=${sid} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      // OPEN frame: type, id length, id, then our tag (length-prefixed) and the first bytes
      const frame = Buffer.concat([Buffer.from([1, id.length]), id, Buffer.from([tag.length]), tag, http]);
      assert.equal(Number(await redis.sendCommand(['PUBLISH', `${prefix}:relay:${relayed.tag}`, frame])), 1);
      // the answer's payload, frame after frame: its body may come in a later frame than its head
      const answer = () => Buffer.concat(answers.map((m) => m.subarray(2 + m[1]))).toString();
      const deadline = Date.now() + 5000;
      while (!/"code":\d+/.test(answer()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const text = answer();
      assert.match(text, /^HTTP\/1\.1 403 /);
      assert.match(text, /"code":4/);
      // and the session never saw the packet: its owner still counts from 0
      assert.equal((await poll(relayed.port, sid, { method: 'POST', body: `4c:0${SEP}4c:end` })).status, 200);
      const got = messages((await poll(relayed.port, sid)).text);
      assert.deepEqual(got, ['report:{"count":1,"inOrder":true,"first":null}']);
    } finally {
      await sub.quit();
    }
  });
});

describe('CORS on a cluster: the answer to a forwarded request carries the policy once', () => {
  const group = new Group();
  const prefix = uniquePrefix('cors');
  let nodes;

  before(async () => {
    const config = { prefix, secret: 's-' + prefix, cors: { origin: 'http://app.example', credentials: true } };
    nodes = await Promise.all([group.node({ ...config, nodeId: 'a' }), group.node({ ...config, nodeId: 'b', direct: false })]);
  });

  after(async () => {
    await group.stopAll();
    await dropPrefix(await openRedis(), prefix);
  });

  it('allowed origin: one Access-Control-Allow-Origin, forwarded directly and relayed; other origins refused by the receiving node', async () => {
    for (const [owner, via] of [
      [nodes[1], nodes[0]],
      [nodes[0], nodes[1]],
    ]) {
      const sid = await handshake(owner.port);
      const res = await request(via.port, {
        method: 'POST',
        path: `/engine.io/?EIO=4&transport=polling&sid=${sid}`,
        body: '4c:0',
        headers: { 'content-type': 'text/plain', origin: 'http://app.example' },
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers['x-test-served-by'], owner.nodeId);
      assert.equal(res.headers['access-control-allow-origin'], 'http://app.example');
      assert.equal(res.headers['access-control-allow-credentials'], 'true');
      const refused = await request(via.port, {
        method: 'POST',
        path: `/engine.io/?EIO=4&transport=polling&sid=${sid}`,
        body: '4c:1',
        headers: { 'content-type': 'text/plain', origin: 'http://evil.example' },
      });
      assert.equal(refused.status, 403);
      assert.equal(refused.headers['x-test-served-by'], undefined, 'refused before anything was forwarded');
    }
  });
});
