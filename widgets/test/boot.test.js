import assert from "node:assert/strict";
import { test } from "node:test";

import { boot, outcome } from "../src/boot.js";
import { ID } from "../src/viewer.js";
import { fakeElement, fakeLocalStorage, fakeTimers, settle } from "./fakes.js";

const BASE = "https://veneer.example";
const block = {
  placement: "hero",
  html: "<p>For campers</p>",
  entries: [{ id: "tent-x2", variantId: "v-campers", baseline: false }],
};

/** A page on another origin with the snippet; Veneer's answers come from `answer(url, init)`. */
function page({ dataset = {}, placements = [], answer = () => ({ status: 202, body: {} }) } = {}) {
  const timers = fakeTimers();
  const listeners = {};
  const on = (type, fn) => (listeners[type] ||= []).push(fn);
  const requests = [];
  const localStorage = fakeLocalStorage();
  const document = {
    readyState: "complete",
    visibilityState: "visible",
    referrer: "",
    title: "Tents",
    querySelectorAll: () => placements,
    addEventListener: on,
  };
  const win = {
    document,
    localStorage,
    location: { href: "https://shop.example/tents" },
    navigator: { language: "en-GB" },
    Element: class {},
    addEventListener: on,
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    async fetch(url, init) {
      const request = { url, ...init, json: init.body ? JSON.parse(init.body) : undefined };
      requests.push(request);
      const { status, body } = await answer(url, init);
      if (status === 0) throw new TypeError("Failed to fetch");
      return { status, ok: status < 300, json: async () => body };
    },
  };
  const script = { src: `${BASE}/widgets/veneer.js`, dataset: { veneerKey: "pk_site", ...dataset } };
  const veneer = boot(script, undefined, win);
  const fire = (type) => (listeners[type] || []).forEach((fn) => fn({}));
  const events = () => requests.filter((r) => r.url.endsWith("/v1/events")).flatMap((r) => r.json);
  return { veneer, win, timers, requests, localStorage, fire, events };
}

test("a 5xx, 408, 429 or network error is retried; other answers are final", () => {
  assert.deepEqual(
    [202, 400, 401, 403, 413, 408, 429, 500, 503].map((status) => outcome({ status, ok: status < 300 })),
    ["done", "done", "done", "done", "done", "retry", "retry", "retry", "retry"],
  );
});

test("placements come from the content endpoint, for this viewer, and their entries count as viewed", async () => {
  const hero = fakeElement({ "data-veneer-placement": "hero" });
  hero.ownerDocument = {
    createElement: () => ({ innerHTML: "", content: { querySelectorAll: () => [] } }),
  };
  const { veneer, timers, requests, events } = page({
    placements: [hero],
    answer: (url) => (url.includes("/personalize/") ? { status: 200, body: block } : { status: 202, body: {} }),
  });
  await veneer.ready;
  const [content] = requests;
  assert.equal(content.url, `${BASE}/v1/personalize/content?placement=hero&format=json`);
  assert.equal(content.headers.Authorization, "Bearer pk_site");
  assert.equal(content.headers["X-Veneer-Anonymous-Id"], veneer.anonymousId);
  assert.equal(content.credentials, "omit");
  assert.equal(hero.getAttribute("data-veneer-state"), "rendered");

  await timers.tick(1000);
  const batch = requests.find((r) => r.url === `${BASE}/v1/events`);
  assert.equal(batch.method, "POST");
  assert.equal(batch.keepalive, true, "a batch outlives the page that sent it");
  assert.equal(batch.headers["Content-Type"], "application/json");
  assert.deepEqual(
    events().map((e) => [e.type, e.entryId, e.properties]),
    [
      ["page_view", undefined, { title: "Tents" }],
      ["entry_view", "tent-x2", { placement: "hero", variantId: "v-campers" }],
    ],
  );
  const [view] = events();
  assert.match(view.id, /^[0-9a-f]{32}$/);
  assert.deepEqual(view.context, { url: "https://shop.example/tents", locale: "en-GB" });
  assert.ok(!Number.isNaN(Date.parse(view.timestamp)));
});

test("hiding the page sends the time on it at once", async () => {
  const { win, fire, events } = page();
  win.document.visibilityState = "hidden";
  fire("visibilitychange");
  await settle();
  const types = events().map((e) => e.type);
  assert.deepEqual(types, ["page_view", "time_on_page"]);
  assert.equal(typeof events()[1].properties.seconds, "number");
});

test("where consent is required, nothing is stored or sent until ANALYTICS is granted", async () => {
  const { veneer, timers, requests, localStorage, events } = page({
    dataset: { veneerConsent: "required", veneerBanner: "off" },
  });
  await timers.tick(60_000);
  assert.deepEqual(events(), []);
  assert.equal(localStorage.data.size, 0);

  await veneer.consent({ ANALYTICS: true, PERSONALIZATION: true });
  const consent = requests.find((r) => r.url.endsWith("/v1/consent"));
  assert.deepEqual(consent.json.purposes.find((p) => p.purpose === "ANALYTICS"), {
    purpose: "ANALYTICS",
    granted: true,
  });
  assert.equal(consent.json.source, "widget");
  assert.equal(localStorage.data.get(ID), veneer.anonymousId);
  await timers.tick(0);
  assert.deepEqual(events().map((e) => e.type), ["page_view"], "the held page view goes now");
});

test("a refusal drops the events that waited", async () => {
  const { veneer, timers, events } = page({ dataset: { veneerConsent: "required", veneerBanner: "off" } });
  await veneer.consent({ ANALYTICS: false });
  veneer.track("click");
  await timers.tick(60_000);
  assert.deepEqual(events(), []);
});

test("Veneer down: events wait and are sent again with backoff", async () => {
  let down = true;
  const { timers, requests } = page({ answer: () => (down ? { status: 0 } : { status: 202, body: {} }) });
  await timers.tick(1000);
  assert.equal(requests.length, 1);
  await timers.tick(1000);
  assert.equal(requests.length, 2);
  down = false;
  await timers.tick(2000);
  assert.equal(requests.length, 3);
  assert.deepEqual(requests[2].json.map((e) => e.id), requests[0].json.map((e) => e.id));
  await timers.tick(60_000);
  assert.equal(requests.length, 3);
});
