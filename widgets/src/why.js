// "Why am I seeing this?": where the site asks for it, a placement that shows personalized
// content gets a small disclosure (<details>: keyboard and screen readers know it), whose
// panel lists the viewer's explanations, fetched each time it opens. What Veneer says goes
// in as text, never as HTML.
import { make } from "./consent.js";

export const QUERY = "{viewer{explanations{reason data purpose}}}";

/** Whether a placement showing `block` gets the link: its own data-veneer-why says, else
 * the script tag's (`all`); absent or "off" is no. Pinned entries are everyone's. */
export const wanted = (el, block, all) =>
  block.strategy != "pinned" && (el.getAttribute("data-veneer-why") ?? all ?? "off") != "off";

/**
 * Puts the link and its panel at the end of `el`. `load()` resolves to the explanations;
 * each links to where the viewer changes the choice it rests on: `preferences`, the site's
 * preference center, else the widget's own.
 */
export function addWhy(doc, el, load, preferences) {
  const change = (purpose) => {
    const link = make(doc, "a", {
      href: preferences || "#",
      textContent: "Change your choice about " + purpose.toLowerCase().replace("_", " "),
    });
    if (!preferences) link.dataset.veneerPreferences = ""; // the widget's own (see boot.js)
    return link;
  };
  const item = ({ reason, data, purpose }) =>
    make(doc, "li", {},
      make(doc, "p", { textContent: reason }),
      data.length ? make(doc, "p", { textContent: `Based on ${data.join(", ")}.` }) : "",
      change(purpose),
    );
  const panel = make(doc, "div", { ariaLive: "polite" });
  const summary = make(doc, "summary", { textContent: "Why am I seeing this?" });
  const box = make(doc, "details", {}, summary, panel);
  box.dataset.veneerWhyPanel = ""; // clicks here are not clicks on the placement's content
  box.ontoggle = () => {
    if (!box.open) return;
    panel.replaceChildren("Loading...");
    load().then(
      (found) =>
        panel.replaceChildren(
          found.length ? make(doc, "ul", {}, ...found.map(item)) : "You see what everyone sees.",
        ),
      () => panel.replaceChildren("Not available just now."),
    );
  };
  el.append(box);
}
