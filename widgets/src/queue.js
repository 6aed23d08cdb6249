// Events wait here, batched, until sent; a failed batch is sent again with backoff.

const DELAYS = [1e3, 2e3, 4e3, 8e3, 16e3, 32e3];
const KEPT = 500; // while Veneer is unreachable; the oldest go first

/**
 * `send(batch)` resolves to "retry" when the batch should be sent again (network error, 5xx,
 * 408, 429) and to anything else when it is done with. `open()` says whether events may leave
 * the page yet (consent); until then they wait here.
 */
export function createQueue(send, open, { wait = 1000, size = 50, delays = DELAYS, timers = globalThis } = {}) {
  let pending = [];
  let timer = 0;
  let busy = 0;
  let tries = 0;
  const schedule = (ms) => {
    timers.clearTimeout(timer);
    timer = timers.setTimeout(flush, ms);
  };
  /** Send a batch; with `all` (the page is being hidden or left) send every batch now. */
  function flush(all) {
    timers.clearTimeout(timer);
    timer = 0;
    while (open() && pending.length && (all === true || !busy)) {
      const batch = pending.splice(0, size);
      busy++;
      send(batch).then((outcome) => {
        busy--;
        if (outcome == "retry" && tries < delays.length) {
          pending = batch.concat(pending).slice(-KEPT); // same ids: the server counts them once
          schedule(delays[tries++]);
        } else {
          tries = 0; // sent, refused for good, or given up after the last retry
          if (pending.length && !timer) schedule(wait);
        }
      });
    }
  }
  return {
    push(event) {
      pending.push(event);
      pending = pending.slice(-KEPT);
      if (pending.length >= size && !busy && !tries) flush();
      else if (!timer && !busy) schedule(wait);
    },
    flush,
    clear: () => (pending = []),
    size: () => pending.length,
  };
}
