import assert from "node:assert/strict";
import { test } from "node:test";

import { createQueue } from "../src/queue.js";
import { fakeTimers } from "./fakes.js";

/** A queue whose sends are recorded and answered from `outcomes` (default: done). */
function setup({ open = () => true, outcomes = [], ...options } = {}) {
  const timers = fakeTimers();
  const sent = [];
  const send = (batch) => {
    sent.push(batch.map((e) => e.id));
    const answer = outcomes.shift() || "done";
    return answer instanceof Promise ? answer : Promise.resolve(answer);
  };
  return { timers, sent, queue: createQueue(send, open, { timers, ...options }) };
}

const events = (n, from = 0) => Array.from({ length: n }, (_, i) => ({ id: `e${from + i}` }));

test("events are sent together a second after the first", async () => {
  const { timers, sent, queue } = setup();
  for (const event of events(3)) queue.push(event);
  await timers.tick(999);
  assert.deepEqual(sent, []);
  await timers.tick(1);
  assert.deepEqual(sent, [["e0", "e1", "e2"]]);
  assert.equal(queue.size(), 0);
});

test("a full batch goes at once, the rest after", async () => {
  const { timers, sent, queue } = setup({ size: 2 });
  for (const event of events(3)) queue.push(event);
  await timers.tick(0);
  assert.deepEqual(sent, [["e0", "e1"]]);
  await timers.tick(1000);
  assert.deepEqual(sent, [["e0", "e1"], ["e2"]]);
});

test("a failed batch is sent again, same ids, with growing delays", async () => {
  const { timers, sent, queue } = setup({ outcomes: ["retry", "retry", "done"], delays: [100, 400] });
  queue.push({ id: "a" });
  await timers.tick(1000);
  assert.deepEqual(sent, [["a"]]);
  await timers.tick(99);
  assert.equal(sent.length, 1);
  await timers.tick(1);
  assert.deepEqual(sent, [["a"], ["a"]]);
  await timers.tick(399);
  assert.equal(sent.length, 2);
  await timers.tick(1);
  assert.deepEqual(sent, [["a"], ["a"], ["a"]]);
  assert.equal(queue.size(), 0);
});

test("after the last retry the batch is given up and later events still go", async () => {
  const { timers, sent, queue } = setup({ outcomes: ["retry", "retry"], delays: [100] });
  queue.push({ id: "a" });
  await timers.tick(1000 + 100);
  assert.deepEqual(sent, [["a"], ["a"]]);
  queue.push({ id: "b" });
  await timers.tick(1000);
  assert.deepEqual(sent, [["a"], ["a"], ["b"]]);
});

test("events wait while the gate is shut and go once it opens", async () => {
  let open = false;
  const { timers, sent, queue } = setup({ open: () => open });
  queue.push({ id: "a" });
  await timers.tick(5000);
  assert.deepEqual(sent, []);
  open = true;
  queue.flush();
  await timers.tick(0);
  assert.deepEqual(sent, [["a"]]);
});

test("leaving the page sends every batch at once, without waiting for the one in flight", async () => {
  let answer;
  const slow = new Promise((done) => (answer = done));
  const { timers, sent, queue } = setup({ size: 2, outcomes: [slow] });
  for (const event of events(2)) queue.push(event);
  await timers.tick(0);
  for (const event of events(3, 2)) queue.push(event);
  queue.flush(true);
  assert.deepEqual(sent, [["e0", "e1"], ["e2", "e3"], ["e4"]]);
  answer("done");
  await timers.tick(10_000);
  assert.equal(sent.length, 3);
});

test("clear drops what waits", async () => {
  const { timers, sent, queue } = setup();
  queue.push({ id: "a" });
  queue.clear();
  await timers.tick(2000);
  assert.deepEqual(sent, []);
});
