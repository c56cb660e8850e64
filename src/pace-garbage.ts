/**
 * Asks the garbage collector to run every so often during a long pass that makes much
 * short-lived garbage: the warm-up (each device's history frame), the rule stage's analyses
 * (each decodes 26 h of the buffer; every device opens its 5-minute slot in the same poll),
 * live scoring's first poll (26 h of rows per device), the page's rendering and training's
 * passes over a big history.
 *
 * Left to its own heuristics, JavaScriptCore lets the heap grow to about twice its live size
 * before a full collection, and a pass over a whole fleet without a turn of the event loop
 * also holds back the sweeping that returns dead typed arrays' memory. So a fleet's peak was
 * its live data plus as much again in garbage: at 2,000 devices a slot's analyses took the
 * process from 655 to 1,053 MB within one poll. `Bun.gc(false)` is Bun's documented request
 * for an asynchronous collection (and asks mimalloc to return freed memory); asked for at most
 * once per `everyMs`, it costs about a millisecond of the main thread, and the peak stays near
 * the live data (676 MB in the same run). What outlives the young collections is for
 * `boundGarbage`. Under a runtime without `Bun.gc`, nothing.
 */

/** Milliseconds between two requests: the garbage made meanwhile is what the peak may hold above the live data. */
export const PACE_MS = 50;

export interface PacerOptions {
  everyMs?: number;
  now?: () => number;
  collect?: () => void;
}

/** A function to call after each unit of a long pass; it asks for a collection once `everyMs` have passed since the last. */
export function garbagePacer(options: PacerOptions = {}): () => void {
  const everyMs = options.everyMs ?? PACE_MS;
  const now = options.now ?? (() => performance.now());
  const collect = options.collect ?? (() => (globalThis as { Bun?: { gc(force: boolean): void } }).Bun?.gc(false));
  let last = now();
  return () => {
    const t = now();
    if (t - last < everyMs) return;
    last = t;
    collect();
  };
}

/** The process's pacer: one clock for every pass, so two interleaved passes do not double the requests. */
export const paceGarbage = garbagePacer();
