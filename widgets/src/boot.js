// The widget on a page: placements rendered, events tracked and sent, consent asked for.
import { readConfig } from "./config.js";
import { choicesOf, consentBody, consentUI } from "./consent.js";
import { renderPlacements } from "./placements.js";
import { createQueue } from "./queue.js";
import { openStorage, uid } from "./storage.js";
import { createViewer } from "./viewer.js";
import { addWhy, QUERY, wanted } from "./why.js";

/** What a response means for a batch of events: a network error, 5xx, 408 or 429 is retried. */
export const outcome = (response) =>
  response.ok || (response.status < 500 && response.status != 408 && response.status != 429)
    ? "done"
    : "retry";

export function boot(script, scriptUrl, win = globalThis) {
  if (win.veneer) return win.veneer; // loaded twice (module and script tag): one is enough
  const doc = win.document;
  const config = readConfig(script, scriptUrl);
  const viewer = createViewer(openStorage(win), config.required);

  function call(path, init = {}) {
    const headers = { Authorization: "Bearer " + config.key, "X-Veneer-Anonymous-Id": viewer.id };
    if (config.token) headers["X-Veneer-Viewer-Token"] = config.token;
    if (init.body) headers["Content-Type"] = "application/json";
    return win.fetch(config.base + path, { ...init, headers, credentials: "omit" });
  }

  // sendBeacon cannot carry the Authorization header; a keepalive fetch can, and like a
  // beacon it outlives the page that sent it, so every batch goes that way.
  const queue = createQueue(
    (batch) =>
      call("/v1/events", { method: "POST", body: JSON.stringify(batch), keepalive: true }).then(
        outcome,
        () => "retry",
      ),
    viewer.analytics,
    { timers: win },
  );

  function track(type, entryId, properties) {
    if (viewer.refused()) return;
    queue.push({
      id: uid(),
      type,
      timestamp: new Date().toISOString(),
      entryId,
      properties,
      context: { url: win.location.href, referrer: doc.referrer || undefined, locale: win.navigator.language },
    });
  }

  function setConsent(choices) {
    return call("/v1/consent", { method: "POST", body: JSON.stringify(consentBody(choices, config.policy)) })
      .catch(() => null)
      .then(() => {
        viewer.remember(choices);
        if (viewer.refused()) queue.clear();
        else queue.flush();
      });
  }
  const ui = consentUI(doc, {
    text: config.bannerText,
    save: setConsent,
    current: () =>
      call("/v1/consent")
        .then((r) => r.json())
        .then(choicesOf, () => viewer.choices() || {}),
  });

  // Time on the page counts while it is visible; each stretch is sent when it is hidden.
  let shownAt = doc.visibilityState == "visible" ? Date.now() : 0;
  function hidden() {
    if (shownAt) {
      const seconds = Math.round((Date.now() - shownAt) / 100) / 10;
      shownAt = 0;
      track("time_on_page", config.entry, { seconds });
    }
    queue.flush(true);
  }
  doc.addEventListener("visibilitychange", () => {
    if (doc.visibilityState == "hidden") hidden();
    else shownAt = shownAt || Date.now();
  });
  win.addEventListener("pagehide", hidden);

  doc.addEventListener(
    "click",
    (event) => {
      const target = event.target instanceof win.Element ? event.target : null;
      if (target && target.closest("[data-veneer-preferences]")) {
        event.preventDefault();
        return ui.preferences();
      }
      const block = target && target.closest("[data-veneer-state=rendered]");
      if (!block || target.closest("[data-veneer-why-panel]")) return;
      const entry = target.closest("[data-veneer-entry]");
      const link = target.closest("a[href]");
      track("click", entry ? entry.getAttribute("data-veneer-entry") : undefined, {
        placement: block.getAttribute("data-veneer-placement"),
        href: link ? link.href : undefined,
      });
    },
    true,
  );

  // The viewer's explanations, asked for afresh each time a panel opens.
  const explain = () =>
    call("/graphql", { method: "POST", body: JSON.stringify({ query: QUERY }) })
      .then((r) => r.json())
      .then((answer) => answer.data.viewer.explanations);

  function start() {
    track("page_view", config.entry, { title: doc.title });
    if (config.entry) track("entry_view", config.entry);
    if (config.banner == "on" && !viewer.choices()) ui.showBanner();
    return renderPlacements(
      [...doc.querySelectorAll("[data-veneer-placement]:not([data-veneer-state])")],
      (key) =>
        call(`/v1/personalize/content?placement=${encodeURIComponent(key)}&format=json`).then((r) =>
          r.status == 200 ? r.json() : null,
        ),
      config.timeout,
      (el, block) => {
        for (const entry of block.entries || []) {
          track("entry_view", entry.id, {
            placement: block.placement,
            variantId: entry.variantId || undefined,
          });
        }
        if (wanted(el, block, config.why)) addWhy(doc, el, explain, config.preferencesUrl);
      },
      win,
    );
  }

  return (win.veneer = {
    anonymousId: viewer.id,
    ready:
      doc.readyState == "loading"
        ? new Promise((done) => doc.addEventListener("DOMContentLoaded", () => done(start())))
        : start(),
    track: (type, properties, entryId) => track(type, entryId, properties),
    consent: setConsent,
    preferences: ui.preferences,
    flush: () => queue.flush(true),
  });
}
