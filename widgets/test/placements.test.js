import assert from "node:assert/strict";
import { test } from "node:test";

import { renderPlacements } from "../src/placements.js";
import { deferred, fakeElement, fakeTimers, settle } from "./fakes.js";

const block = { placement: "hero", html: "<p>for campers</p>", entries: [{ id: "tent-x2" }] };

/** Placements rendered with answers the test gives by hand. */
function setup(elements, timeout = 300) {
  const timers = fakeTimers();
  const answers = new Map();
  const asked = [];
  const load = (key) => {
    asked.push(key);
    answers.set(key, deferred());
    return answers.get(key).promise;
  };
  const shown = [];
  let done = false;
  const rendering = renderPlacements(elements, load, timeout, (el, b) => shown.push(b), timers);
  rendering.then(() => (done = true));
  return { timers, answers, asked, shown, isDone: () => done };
}

// The placements module parses HTML with a <template>; these tests give it one that keeps it.
const withDocument = (el) =>
  Object.assign(el, {
    ownerDocument: {
      createElement: () => ({ innerHTML: "", content: { querySelectorAll: () => [] } }),
    },
  });

test("a placement keeps its space, hidden, until its block arrives", async () => {
  const el = withDocument(fakeElement({ "data-veneer-placement": "hero" }, "visible"));
  const { answers, shown, isDone } = setup([el]);
  assert.equal(el.style.visibility, "hidden");
  assert.equal(el.getAttribute("data-veneer-state"), "pending");
  answers.get("hero").resolve(block);
  await settle();
  assert.equal(el.style.visibility, "visible", "its own visibility comes back");
  assert.equal(el.getAttribute("data-veneer-state"), "rendered");
  assert.ok(el.children, "the block replaced the baseline");
  assert.deepEqual(shown, [block]);
  assert.ok(isDone());
});

test("nothing for this viewer, or an error, keeps the baseline", async () => {
  const empty = fakeElement({ "data-veneer-placement": "hero" });
  const failed = fakeElement({ "data-veneer-placement": "recommended" });
  const { answers, shown } = setup([empty, failed]);
  answers.get("hero").resolve(null);
  answers.get("recommended").reject(new TypeError("Failed to fetch"));
  await settle();
  for (const el of [empty, failed]) {
    assert.equal(el.getAttribute("data-veneer-state"), "fallback");
    assert.equal(el.style.visibility, "");
    assert.equal(el.children, null);
  }
  assert.deepEqual(shown, []);
});

test("after the timeout the baseline shows and a late block is ignored", async () => {
  const el = fakeElement({ "data-veneer-placement": "hero" });
  const { timers, answers, shown, isDone } = setup([el], 300);
  await timers.tick(299);
  assert.equal(el.style.visibility, "hidden");
  await timers.tick(1);
  assert.equal(el.style.visibility, "");
  assert.equal(el.getAttribute("data-veneer-state"), "fallback");
  assert.ok(isDone());
  answers.get("hero").resolve(block);
  await settle();
  assert.equal(el.getAttribute("data-veneer-state"), "fallback");
  assert.equal(el.children, null);
  assert.deepEqual(shown, []);
});

test("two elements for one placement ask once", async () => {
  const a = withDocument(fakeElement({ "data-veneer-placement": "hero" }));
  const b = withDocument(fakeElement({ "data-veneer-placement": "hero" }));
  const { asked, answers, shown } = setup([a, b]);
  assert.deepEqual(asked, ["hero"]);
  answers.get("hero").resolve(block);
  await settle();
  assert.equal(b.getAttribute("data-veneer-state"), "rendered");
  assert.equal(shown.length, 2);
});

test("a page without placements is done at once", async () => {
  const { isDone } = setup([]);
  await settle();
  assert.ok(isDone());
});
