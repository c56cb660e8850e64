/**
 * The wide history CSV of one device, written window by window: the rows of a window are
 * the union of its keys' timestamps, in time order, each key's value in its column (empty
 * where the key has no point at that instant). Windows arrive in time order and never
 * overlap, so appending them gives a sorted file without holding more than one window.
 */
import { historyCsvHeader, historyCsvRow, type HistoryMeta } from "../nightowl/history-csv.ts";
import type { SeriesChunk } from "./window-planner.ts";

/** The header line, with its line break. */
export function csvHeaderText(keys: readonly string[]): string {
  return historyCsvHeader(keys) + "\n";
}

/**
 * Emits the rows of one window in pieces of about 1 MiB. `chunks` holds the keys that have
 * points; `keys` is the column order.
 * @returns rows written
 */
export function writeCsvWindow(
  meta: HistoryMeta,
  keys: readonly string[],
  chunks: ReadonlyMap<string, SeriesChunk>,
  emit: (text: string) => void,
): number {
  const k = keys.length;
  const cols: (SeriesChunk | undefined)[] = keys.map((key) => chunks.get(key));
  const at = new Int32Array(k);
  const row = new Float64Array(k);
  let text = "";
  let rows = 0;
  for (;;) {
    let ts = Infinity;
    for (let j = 0; j < k; j++) {
      const c = cols[j];
      if (c && at[j]! < c.ts.length && c.ts[at[j]!]! < ts) ts = c.ts[at[j]!]!;
    }
    if (ts === Infinity) break;
    for (let j = 0; j < k; j++) {
      const c = cols[j];
      if (c && at[j]! < c.ts.length && c.ts[at[j]!] === ts) row[j] = c.values[at[j]!++]!;
      else row[j] = NaN;
    }
    text += historyCsvRow(meta, ts, row) + "\n";
    rows++;
    if (text.length >= 1 << 20) {
      emit(text);
      text = "";
    }
  }
  if (text.length > 0) emit(text);
  return rows;
}
