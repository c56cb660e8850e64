/**
 * A full garbage collection between the passes of a long job over a big history (after
 * reading it, between training's passes): what one pass leaves behind is returned before the
 * next allocates, so the peak is the data, not the data plus the last pass's garbage (90 days
 * of one device: 230 MB without, 190 MB with). Costs a few tens of milliseconds, so it is
 * asked for only past `BIG_HISTORY_ROWS`. Under a runtime without `Bun.gc`, nothing.
 */
export const BIG_HISTORY_ROWS = 50_000;

export function releaseMemory(rows: number): void {
  if (rows < BIG_HISTORY_ROWS) return;
  (globalThis as { Bun?: { gc(force: boolean): void } }).Bun?.gc(true);
}
