import assert from "node:assert/strict";
import { test } from "node:test";

import { wanted } from "../src/why.js";
import { fakeElement } from "./fakes.js";

const variant = { placement: "hero", strategy: "variant" };

test("the why link is off unless the script tag or the placement turns it on", () => {
  assert.equal(wanted(fakeElement(), variant, undefined), false);
  assert.equal(wanted(fakeElement(), variant, "on"), true);
  assert.equal(wanted(fakeElement({ "data-veneer-why": "" }), variant, undefined), true);
  assert.equal(wanted(fakeElement({ "data-veneer-why": "on" }), variant, "off"), true);
  assert.equal(wanted(fakeElement({ "data-veneer-why": "off" }), variant, "on"), false);
});

test("pinned entries are everyone's: nothing about the viewer to explain", () => {
  assert.equal(wanted(fakeElement({ "data-veneer-why": "" }), { strategy: "pinned" }, "on"), false);
  for (const strategy of ["recommendations", "offer"]) {
    assert.equal(wanted(fakeElement(), { strategy }, "on"), true);
  }
});
