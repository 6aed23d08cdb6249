import assert from "node:assert/strict";
import { test } from "node:test";

import { readConfig } from "../src/config.js";

const tag = (dataset, src = "https://veneer.example/widgets/veneer.js") => ({ dataset, src });

test("Veneer's address is where the script came from, up to /widgets/", () => {
  const config = readConfig(tag({ veneerKey: "pk_1" }, "https://veneer.example/api/widgets/veneer.js"));
  assert.equal(config.base, "https://veneer.example/api");
  assert.equal(config.key, "pk_1");
});

test("a module without its tag found learns the address from import.meta.url", () => {
  const config = readConfig(null, "http://127.0.0.1:8000/widgets/veneer.0123abcd.js");
  assert.equal(config.base, "http://127.0.0.1:8000");
});

test("data-veneer-url overrides the address", () => {
  assert.equal(readConfig(tag({ veneerUrl: "https://api.example/" })).base, "https://api.example");
});

test("the timeout defaults to 300 ms and is read in milliseconds", () => {
  assert.equal(readConfig(tag({})).timeout, 300);
  assert.equal(readConfig(tag({ veneerTimeout: "120" })).timeout, 120);
  assert.equal(readConfig(tag({ veneerTimeout: "0" })).timeout, 0);
  assert.equal(readConfig(tag({ veneerTimeout: "soon" })).timeout, 300);
});

test("required consent shows the banner unless the site turns it off", () => {
  assert.deepEqual(
    [readConfig(tag({ veneerConsent: "required" })).required, readConfig(tag({ veneerConsent: "required" })).banner],
    [true, "on"],
  );
  assert.equal(readConfig(tag({ veneerConsent: "required", veneerBanner: "off" })).banner, "off");
  assert.deepEqual([readConfig(tag({})).required, readConfig(tag({})).banner], [false, "off"]);
});

test("the why link and the preference center's address are the site's to turn on", () => {
  const config = readConfig(tag({ veneerWhy: "on", veneerPreferencesUrl: "https://shop.example/privacy" }));
  assert.equal(config.why, "on");
  assert.equal(config.preferencesUrl, "https://shop.example/privacy");
  assert.deepEqual([readConfig(tag({})).why, readConfig(tag({})).preferencesUrl], [undefined, undefined]);
});
