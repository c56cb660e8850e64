/**
 * A full garbage collection whenever the process has grown by a step since the last one: looked
 * at after each poll, and after each device of the warm-up and of the first poll's scoring.
 * Without it a 10,000-device fleet grew from
 * about 680 MB to 1.9 GB over the two minutes after its first poll, then fell back at once:
 * garbage, not live data.
 *
 * Why `paceGarbage` does not catch it: a poll's objects (the device list, snapshots, frames)
 * live as long as the poll, a second or two at 10,000 devices, and survive the young
 * collections made meanwhile, so they die in the old generation, which only a full collection
 * sweeps. JavaScriptCore runs one when the heap has doubled since the last (its growth factor
 * for a heap under a quarter of the machine's memory), so the old generation's garbage grew to
 * as much as the live data before it was swept. `Bun.gc(true)` is Bun's documented synchronous
 * full collection: about 200 ms of the main thread with 600 MB live, so it is asked for only
 * past a step of `minGrowthBytes` (a small fleet never pays it) or `growthFraction` of the size
 * after the last one, whichever is more. Looked at between a poll's passes too, it made more
 * collections, each a stall a scrape waits for (10,000 devices: 2.08 s of CPU a poll against
 * 1.83, scrape p99 over one connection 102 ms against 32): after the poll, its garbage is all dead.
 * Under a runtime without `Bun.gc`, nothing.
 */

/** The step below which no collection is made, bytes. */
export const MIN_GROWTH_BYTES = 64 << 20;
/** The step as a fraction of the resident size after the last collection. */
export const GROWTH_FRACTION = 1 / 8;

export interface GarbageBoundOptions {
  minGrowthBytes?: number;
  growthFraction?: number;
  /** Resident bytes now. */
  rss?: () => number;
  collect?: () => void;
}

/** A function to call between units of work; it collects when the process has grown by a step since the last collection (or since it was made). */
export function garbageBound(options: GarbageBoundOptions = {}): () => boolean {
  const minGrowth = options.minGrowthBytes ?? MIN_GROWTH_BYTES;
  const fraction = options.growthFraction ?? GROWTH_FRACTION;
  const rss = options.rss ?? (() => process.memoryUsage.rss());
  const collect = options.collect ?? (() => (globalThis as { Bun?: { gc(force: boolean): void } }).Bun?.gc(true));
  let base = rss();
  return () => {
    const now = rss();
    // Base follows the process down: a step is measured from the smallest size seen since the last collection.
    if (now < base) base = now;
    if (now - base < Math.max(minGrowth, base * fraction)) return false;
    collect();
    base = rss();
    return true;
  };
}

/** The process's bound: one baseline for every caller. */
export const boundGarbage = garbageBound();
