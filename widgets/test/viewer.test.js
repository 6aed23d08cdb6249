import assert from "node:assert/strict";
import { test } from "node:test";

import { openStorage, uid } from "../src/storage.js";
import { CHOICES, ID, createViewer } from "../src/viewer.js";
import { fakeLocalStorage } from "./fakes.js";

const consenting = { ANALYTICS: true, PERSONALIZATION: true, RECOMMENDATIONS: false, THIRD_PARTY: false };
const refusing = { ANALYTICS: false, PERSONALIZATION: false, RECOMMENDATIONS: false, THIRD_PARTY: false };

test("ids are 32 random hex digits", () => {
  assert.match(uid(), /^[0-9a-f]{32}$/);
  assert.notEqual(uid(), uid());
});

test("without required consent the anonymous id is stored at once and kept", () => {
  const localStorage = fakeLocalStorage();
  const first = createViewer(openStorage({ localStorage }), false);
  assert.equal(localStorage.data.get(ID), first.id);
  assert.equal(createViewer(openStorage({ localStorage }), false).id, first.id);
  assert.ok(first.analytics());
});

test("where consent is required nothing is stored before ANALYTICS is granted", () => {
  const localStorage = fakeLocalStorage();
  const viewer = createViewer(openStorage({ localStorage }), true);
  assert.equal(localStorage.data.size, 0);
  assert.ok(!viewer.analytics() && !viewer.refused(), "undecided: events wait");
  viewer.remember(consenting);
  assert.equal(localStorage.data.get(ID), viewer.id);
  assert.deepEqual(JSON.parse(localStorage.data.get(CHOICES)), consenting);
  assert.ok(viewer.analytics());
});

test("a refusal is remembered without any id, and withdrawing consent forgets the id", () => {
  const localStorage = fakeLocalStorage();
  const viewer = createViewer(openStorage({ localStorage }), true);
  viewer.remember(consenting);
  viewer.remember(refusing);
  assert.deepEqual([...localStorage.data.keys()], [CHOICES]);
  assert.ok(viewer.refused() && !viewer.analytics());
  const later = createViewer(openStorage({ localStorage }), true);
  assert.ok(later.refused());
  assert.notEqual(later.id, viewer.id, "a new page gets a new, unstored id");
});

test("an explicit refusal counts where consent is not required too", () => {
  const localStorage = fakeLocalStorage();
  const viewer = createViewer(openStorage({ localStorage }), false);
  viewer.remember(refusing);
  assert.ok(viewer.refused());
  assert.equal(localStorage.data.has(ID), false);
});

test("blocked localStorage falls back to memory for the page", () => {
  const storage = openStorage({ localStorage: fakeLocalStorage({ broken: true }) });
  storage.set("k", "v");
  assert.equal(storage.get("k"), "v");
  storage.remove("k");
  assert.equal(storage.get("k"), null);
  const viewer = createViewer(storage, false);
  assert.equal(storage.get(ID), viewer.id);
});
