// First-party storage: localStorage where the browser allows it, else memory for this page.

export function openStorage(win) {
  const memory = new Map();
  const local = (act) => {
    try {
      return act(win.localStorage);
    } catch {
      return null; // blocked (privacy settings, sandboxed frames) or full
    }
  };
  return {
    get: (key) => (memory.has(key) ? memory.get(key) : local((s) => s.getItem(key))),
    set(key, value) {
      memory.set(key, value);
      local((s) => s.setItem(key, value));
    },
    remove(key) {
      memory.delete(key);
      local((s) => s.removeItem(key));
    },
  };
}

/** 128 random bits as hex: for anonymous ids and event ids (randomUUID needs HTTPS). */
export function uid(crypto = globalThis.crypto) {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");
}
