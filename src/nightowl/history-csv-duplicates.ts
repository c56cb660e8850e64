/**
 * Repeated rows inside one history file: the same device and timestamp twice. Real exports
 * have them (a fetch retried across a window edge, two exports concatenated). An exact
 * duplicate (every cell the same) is dropped; rows that repeat a timestamp with other values
 * conflict, and the row written last wins, as it would in a time-series database. Both are
 * counted, so the reader warns once for each kind instead of refusing the file.
 */

/** One device's rows from one file, row-major values (`keys.length` per row). */
export interface RowBlock {
  rows: number;
  ts: Float64Array;
  lines: Float64Array;
  values: Float64Array;
  readonly keys: readonly string[];
}

export interface DuplicateCount {
  /** Rows dropped as exact copies of another row. */
  exact: number;
  /** Rows that repeated a timestamp with other values and were replaced by a later one. */
  conflicting: number;
  /** Line of the first conflicting repeat, for the warning to point at. */
  firstConflictLine?: number;
}

/**
 * Collapses rows with the same timestamp to the last of them, in place; the block is then in
 * time order when it had any repeat. Rows out of order are found as well (stable sort by time).
 * Returns what was dropped; a block with strictly increasing times is left untouched.
 */
export function dropRepeatedRows(block: RowBlock): DuplicateCount {
  const count: DuplicateCount = { exact: 0, conflicting: 0 };
  if (strictlyIncreasing(block)) return count;
  const order = Uint32Array.from({ length: block.rows }, (_, i) => i).sort((a, b) => block.ts[a]! - block.ts[b]! || a - b);
  let repeats = false;
  for (let i = 1; i < order.length && !repeats; i++) repeats = block.ts[order[i]!] === block.ts[order[i - 1]!];
  if (!repeats) return count;

  const width = block.keys.length;
  const ts = new Float64Array(block.rows);
  const lines = new Float64Array(block.rows);
  const values = new Float64Array(block.rows * width);
  let out = -1;
  for (let i = 0; i < order.length; i++) {
    const r = order[i]!;
    if (out >= 0 && block.ts[r] === ts[out]) {
      // Same timestamp as the row kept so far: that row is a copy, or is replaced by this one.
      if (sameCells(values, out * width, block.values, r * width, width)) count.exact++;
      else {
        count.conflicting++;
        count.firstConflictLine = Math.min(count.firstConflictLine ?? Infinity, block.lines[r]!);
      }
    } else out++;
    ts[out] = block.ts[r]!;
    lines[out] = block.lines[r]!;
    values.set(block.values.subarray(r * width, (r + 1) * width), out * width);
  }
  block.rows = out + 1;
  block.ts = ts;
  block.lines = lines;
  block.values = values;
  return count;
}

function strictlyIncreasing(block: RowBlock): boolean {
  for (let i = 1; i < block.rows; i++) if (!(block.ts[i]! > block.ts[i - 1]!)) return false;
  return true;
}

/** Cell by cell, an empty cell (NaN) equal only to an empty cell. */
function sameCells(a: Float64Array, at: number, b: Float64Array, bt: number, width: number): boolean {
  for (let k = 0; k < width; k++) {
    const x = a[at + k]!;
    const y = b[bt + k]!;
    if (x !== y && !(x !== x && y !== y)) return false;
  }
  return true;
}
