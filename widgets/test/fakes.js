// Stand-ins for the browser parts the widget touches, small enough to read in one go.

/** A clock whose timers run only when the test moves time on. */
export function fakeTimers() {
  let now = 0;
  let next = 1;
  const timers = new Map();
  return {
    setTimeout(fn, ms = 0) {
      timers.set(next, { at: now + ms, fn });
      return next++;
    },
    clearTimeout(id) {
      timers.delete(id);
    },
    /** Move time on by `ms`, running each timer that falls due, in order. */
    async tick(ms) {
      const until = now + ms;
      for (;;) {
        await settle();
        const due = [...timers].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at);
        if (!due.length) break;
        const [id, timer] = due[0];
        timers.delete(id);
        now = timer.at;
        timer.fn();
      }
      now = until;
      await settle();
    },
    pending: () => [...timers.values()].map((t) => t.at - now),
  };
}

/** Let every promise callback that is ready run. */
export const settle = () => new Promise((done) => setImmediate(done));

/** localStorage as a Map; `broken` throws as Safari's does in some private modes. */
export function fakeLocalStorage({ broken = false } = {}) {
  const data = new Map();
  const check = () => {
    if (broken) throw new Error("SecurityError");
  };
  return {
    data,
    getItem: (key) => (check(), data.has(key) ? data.get(key) : null),
    setItem: (key, value) => (check(), data.set(key, String(value))),
    removeItem: (key) => (check(), data.delete(key)),
  };
}

/** An element with the few DOM members the placements use. */
export function fakeElement(attributes = {}, visibility = "") {
  const attrs = new Map(Object.entries(attributes));
  return {
    style: { visibility },
    children: null,
    ownerDocument: null,
    getAttribute: (name) => (attrs.has(name) ? attrs.get(name) : null),
    setAttribute: (name, value) => attrs.set(name, String(value)),
    replaceChildren(nodes) {
      this.children = nodes;
    },
  };
}

/** A promise with its resolve and reject in reach. */
export function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}
