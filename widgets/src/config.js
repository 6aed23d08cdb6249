// What the script tag says: Veneer's address, the public key and the site's options.

/** Options from the tag's data-veneer-* attributes; Veneer's address from where it was loaded. */
export function readConfig(script, scriptUrl) {
  const data = (script && script.dataset) || {};
  const src = (script && script.src) || scriptUrl || "";
  const at = src.lastIndexOf("/widgets/");
  const timeout = parseFloat(data.veneerTimeout);
  return {
    base: (data.veneerUrl || (at < 0 ? "" : src.slice(0, at))).replace(/\/+$/, ""),
    key: data.veneerKey || "",
    timeout: timeout >= 0 ? timeout : 300,
    // "required": nothing is stored and no event leaves the page before ANALYTICS is granted.
    required: data.veneerConsent == "required",
    banner: data.veneerBanner || (data.veneerConsent == "required" ? "on" : "off"),
    bannerText: data.veneerBannerText,
    token: data.veneerViewerToken,
    entry: data.veneerEntry,
    policy: data.veneerPolicyVersion,
    // "Why am I seeing this?" on personalized placements: "on" for all, unless a placement's
    // own data-veneer-why says "off" (or, with this unset, "on" for that one).
    why: data.veneerWhy,
    preferencesUrl: data.veneerPreferencesUrl,
  };
}
