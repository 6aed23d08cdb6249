// Placements: the page's own (baseline) markup stays in place, hidden but keeping its space,
// until Veneer answers or the timeout passes; then the baseline stays and a late answer is
// ignored. Only placements are ever hidden, never the page. Each placement's
// data-veneer-state says where it is, for the site's CSS: pending, then rendered (Veneer's
// block) or fallback (the baseline, for good).

/**
 * `load(key)` resolves to the block (`{html, entries}`) or null (nothing for this viewer).
 * `shown(element, block)` runs for each placement that shows Veneer's block.
 * Resolves when every placement has settled: shows Veneer's block, or its baseline for good.
 */
export function renderPlacements(elements, load, timeout, shown, timers = globalThis) {
  const waiting = new Map();
  const answers = new Map(); // one request per placement key, however many elements show it
  let done;
  const settled = new Promise((resolve) => (done = resolve));
  const settle = (el, state) => {
    el.style.visibility = waiting.get(el);
    el.setAttribute("data-veneer-state", state);
    waiting.delete(el);
    if (!waiting.size) {
      timers.clearTimeout(timer);
      done();
    }
  };
  for (const el of elements) {
    waiting.set(el, el.style.visibility);
    el.style.visibility = "hidden";
    el.setAttribute("data-veneer-state", "pending");
  }
  const timer = timers.setTimeout(() => waiting.forEach((_, el) => settle(el, "fallback")), timeout);
  if (!waiting.size) done();
  for (const el of elements) {
    const key = el.getAttribute("data-veneer-placement");
    if (!answers.has(key)) answers.set(key, load(key).catch(() => null));
    answers.get(key).then((block) => {
      if (!waiting.has(el)) return; // too late: the baseline stays
      if (block && block.html) {
        el.replaceChildren(inert(block.html, el.ownerDocument));
        settle(el, "rendered");
        shown(el, block);
      } else settle(el, "fallback");
    });
  }
  return settled;
}

const ACTIVE = /^(script|iframe|frame|object|embed|base|meta|link)$/i;

/**
 * The block's HTML as nodes that cannot run script. Veneer sanitizes it already; this is the
 * second lock: parsed in a <template> (nothing loads or runs there), without script elements,
 * event handlers or javascript: URLs.
 */
export function inert(html, doc) {
  const template = doc.createElement("template");
  template.innerHTML = html;
  for (const el of template.content.querySelectorAll("*")) {
    if (ACTIVE.test(el.localName)) el.remove();
    for (const { name, value } of [...el.attributes]) {
      const url = value.replace(/[\s\0-\x1f]/g, ""); // browsers skip these inside URLs
      if (/^on/i.test(name) || /^(javascript|vbscript):/i.test(url)) el.removeAttribute(name);
    }
  }
  return template.content;
}
