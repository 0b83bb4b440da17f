'use strict';
// The shared deadline schedule on its own (src/server/deadlines.ts), with real timers: periodic
// deadlines started at different moments keep their own period, never fire early, and a stopped
// or restarted one leaves the others on time. (The sessions' heartbeats over real sockets are
// in server-heartbeat-schedule.test.js.)
const test = require('node:test');
const assert = require('node:assert/strict');
const { performance } = require('node:perf_hooks');
const { setTimeout: sleep } = require('node:timers/promises');
const { Deadline } = require('../dist/cjs/server/deadlines.js');

/** An owner that records when its deadline fires and, while `period` is set, starts it again. */
function recorder(period = 0) {
  const owner = {
    fires: [],
    period,
    onDeadline() {
      owner.fires.push(performance.now());
      if (owner.period > 0) owner.deadline.start(owner.period);
    },
  };
  owner.deadline = new Deadline(owner);
  return owner;
}

test('deadlines of one length started apart each keep their own period and never fire early', async () => {
  const owners = [];
  for (let i = 0; i < 5; i++) {
    const o = recorder(50);
    o.deadline.start(50);
    owners.push(o);
    await sleep(10);
  }
  await sleep(1000);
  for (const o of owners) o.period = 0;
  for (const o of owners) o.deadline.stop();
  for (const [i, o] of owners.entries()) {
    // each fire comes at least 50 ms (less the 1 ms the schedule allows) after the previous
    for (let k = 1; k < o.fires.length; k++) assert.ok(o.fires[k] - o.fires[k - 1] >= 49, `owner ${i}: fire ${k} early`);
    // about 20 when each is re-armed for the next deadline; a shared timer armed too late (say,
    // a whole period after a burst) gives 6 or 7. The margin is for a CPU shared with other
    // test files: every late fire delays the rest of that owner's fires.
    assert.ok(o.fires.length >= 11, `owner ${i} fired ${o.fires.length} times in 1000+ ms at a 50 ms period`);
  }
  const counts = owners.map((o) => o.fires.length);
  await sleep(120);
  assert.deepEqual(owners.map((o) => o.fires.length), counts, 'stopped deadlines never fire');
});

test('stopping the head, restarting, and lengths side by side', async () => {
  const a = recorder();
  const b = recorder();
  const c = recorder();
  const t0 = performance.now();
  a.deadline.start(40);
  b.deadline.start(40);
  c.deadline.start(90);
  assert.equal(a.deadline.pending, true);
  a.deadline.stop(); // the head of the 40 ms queue: b must still fire on time
  assert.equal(a.deadline.pending, false);
  await sleep(20);
  c.deadline.restart(); // now due at ~110 ms
  await sleep(60);
  assert.equal(a.fires.length, 0);
  assert.equal(b.fires.length, 1);
  assert.ok(b.fires[0] - t0 >= 39);
  assert.equal(c.fires.length, 0, 'the restarted deadline moved');
  await sleep(80);
  assert.equal(c.fires.length, 1);
  assert.ok(c.fires[0] - t0 >= 109, `restarted deadline fired at ${c.fires[0] - t0} ms`);
  assert.equal(c.deadline.pending, false);
  c.deadline.restart(); // not pending: nothing
  await sleep(120);
  assert.equal(c.fires.length, 1);
});

test('lengths as setTimeout reads them: not a number or under 1 is 1 ms, past its limit is its limit', async () => {
  const nan = recorder();
  const text = recorder();
  const huge = recorder();
  const t0 = performance.now();
  nan.deadline.start(NaN);
  text.deadline.start('30');
  huge.deadline.start(2 ** 40); // setTimeout would fire this after 1 ms
  await sleep(60);
  assert.equal(nan.fires.length, 1);
  assert.equal(text.fires.length, 1);
  assert.ok(text.fires[0] - t0 >= 29, `'30' fired after ${text.fires[0] - t0} ms`);
  assert.equal(huge.fires.length, 0);
  assert.equal(huge.deadline.pending, true);
  huge.deadline.stop();
});
