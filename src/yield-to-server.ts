/**
 * Lets pending I/O (a scrape of /metrics) run between devices of a CPU-heavy pass over many
 * devices, so no single poll holds the event loop for the whole account.
 */
export function yieldToServer(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Work between two yields of a sliced pass, milliseconds: a scrape arriving meanwhile waits at
 * most about this long for the event loop.
 */
export const SLICE_MS = 5;

/**
 * A pass over many devices that yields once per `sliceMs` of work, not once per device. A turn
 * of the event loop costs more than a device's share of most stages, and under scrape load each
 * turn also serves every pending request: a yield per device made a 2,000-device poll wait
 * thousands of times behind the scrapers and last longer than its interval. Call the returned
 * function before each device's work and await it: it yields only when the slice is spent
 * (and returns undefined otherwise, so the await is a microtask, not a turn).
 */
export function slicer(sliceMs = SLICE_MS, now: () => number = () => performance.now(), pause: () => Promise<void> = yieldToServer): () => Promise<void> | undefined {
  let sliceStart = now();
  return () => {
    if (now() - sliceStart < sliceMs) return undefined;
    return pause().then(() => {
      sliceStart = now();
    });
  };
}

/**
 * `fn` over every item, in order, in slices that yield (`pause`, default a fresh `slicer()`):
 * for a pass over the whole fleet that would otherwise be one stretch of the event loop (the
 * status source's bookkeeping, the log's verdicts), which at 10,000 devices a scrape waited for.
 * Synchronous until the first slice is spent: a pass that fits in one slice has finished when
 * this returns (undefined), as a plain loop would have, so a caller that must not become a
 * promise for a small fleet need not (the notifier's observe); else the promise resolves once
 * the rest has run.
 */
export function forEachSliced<T>(items: readonly T[], fn: (item: T, index: number) => void, pause: () => Promise<void> | undefined = slicer()): Promise<void> | undefined {
  return eachFrom(items, fn, pause, 0);
}

function eachFrom<T>(items: readonly T[], fn: (item: T, index: number) => void, pause: () => Promise<void> | undefined, start: number): Promise<void> | undefined {
  for (let i = start; i < items.length; i++) {
    // Awaited only when the slice is spent: an await per item would be a microtask per device.
    const paused = pause();
    if (paused) {
      return paused.then(() => {
        fn(items[i]!, i);
        return eachFrom(items, fn, pause, i + 1);
      });
    }
    fn(items[i]!, i);
  }
  return undefined;
}

/** {@link forEachSliced} keeping what `fn` returns, in the items' order. */
export async function mapSliced<T, R>(items: readonly T[], fn: (item: T, index: number) => R, pause: () => Promise<void> | undefined = slicer()): Promise<R[]> {
  const out: R[] = new Array(items.length);
  await forEachSliced(items, (item, i) => {
    out[i] = fn(item, i);
  }, pause);
  return out;
}
