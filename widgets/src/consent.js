// A small consent banner and preference center; the choices go to Veneer's consent API.

export const PURPOSES = {
  ANALYTICS: "Analytics: count visits and what is viewed",
  PERSONALIZATION: "Personalization: content chosen for you",
  RECOMMENDATIONS: "Recommendations from what you viewed",
  THIRD_PARTY: "Data from partners",
};
const TEXT = "May we measure visits and personalize what you see? You can change this at any time.";
const FONT = "font:14px/1.4 system-ui,sans-serif;color:#111;background:#fff;";

/** Every purpose granted, or every one denied. */
export const every = (granted) => Object.fromEntries(Object.keys(PURPOSES).map((p) => [p, granted]));

/** A consent API body from the choices. */
export const consentBody = (choices, policyVersion) => ({
  purposes: Object.keys(PURPOSES).map((purpose) => ({ purpose, granted: !!choices[purpose] })),
  source: "widget",
  policyVersion,
});

/** The purposes' states from the consent API's answer, as {PURPOSE: granted}. */
export const choicesOf = (answer) =>
  Object.fromEntries(((answer && answer.purposes) || []).map((s) => [s.purpose, s.granted]));

export function make(doc, tag, props, ...children) {
  const el = Object.assign(doc.createElement(tag), props);
  el.append(...children);
  return el;
}

/**
 * `current()` resolves to the viewer's choices; `save(choices)` records new ones.
 * The UI is built with DOM calls and CSSOM styles, so a strict Content-Security-Policy on
 * the site needs no exception for it.
 */
export function consentUI(doc, { text, current, save }) {
  const button = (label, choice, onclick) => {
    const el = make(doc, "button", { type: "button", textContent: label, onclick });
    el.style.cssText = "margin:8px 8px 0 0;padding:6px 14px;cursor:pointer;" + FONT;
    el.dataset.veneerChoice = choice;
    return el;
  };
  let banner;
  const choose = (choices) => {
    if (banner) banner.remove();
    banner = null;
    return save(choices);
  };

  function preferences() {
    return current().then((choices) => {
      const boxes = Object.entries(PURPOSES).map(([purpose, label]) =>
        make(doc, "label", { style: "display:block;margin:6px 0" },
          make(doc, "input", { type: "checkbox", name: purpose, checked: !!choices[purpose] }),
          " " + label,
        ),
      );
      const dialog = make(doc, "dialog", { ariaLabel: "Privacy preferences" },
        make(doc, "form", { method: "dialog" },
          make(doc, "strong", { textContent: "Privacy preferences" }), ...boxes,
          button("Save", "save"),
        ),
      );
      dialog.style.cssText = "max-width:420px;border:0;border-radius:8px;padding:20px;" + FONT;
      dialog.dataset.veneerPreferencesDialog = "";
      dialog.addEventListener("close", () => {
        dialog.remove();
      });
      dialog.querySelector("[data-veneer-choice=save]").onclick = () => {
        const picked = Object.fromEntries(boxes.map((b) => [b.firstChild.name, b.firstChild.checked]));
        dialog.close();
        choose(picked);
      };
      doc.body.append(dialog);
      dialog.showModal();
      return dialog;
    });
  }

  function showBanner() {
    banner = make(doc, "div", { role: "region", ariaLabel: "Privacy choices" },
      make(doc, "div", { textContent: text || TEXT }),
      button("Accept", "accept", () => choose(every(true))),
      button("Reject", "reject", () => choose(every(false))),
      button("Choose", "choose", preferences),
    );
    banner.style.cssText =
      "position:fixed;z-index:2147483647;left:16px;right:16px;bottom:16px;max-width:640px;margin:auto;" +
      "padding:16px;border-radius:8px;box-shadow:0 2px 12px rgba(0,0,0,.3);" + FONT;
    banner.dataset.veneerConsentBanner = "";
    doc.body.append(banner);
    return banner;
  }

  return { showBanner, preferences };
}
