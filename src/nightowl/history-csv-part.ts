/**
 * One device's rows from one history CSV as they are read, column by column (used by
 * history-csv-reader.ts, which merges a device's parts into its frame).
 */
import type { HistoryCsvRow } from "./history-csv-line.ts";
import type { DuplicateCount, RowBlock } from "./history-csv-duplicates.ts";

/** Rows a part's chunks grow to: the first chunks are small (a file may hold many small devices). */
const CHUNK_ROWS = 16_384;
const FIRST_CHUNK_ROWS = 256;

/** A run of one part's rows, column by column. */
interface Chunk {
  ts: Float64Array;
  lines: Float64Array;
  /** One array per key; null once the chunk is full when the key had no value in it. */
  values: (Float64Array | null)[];
}

/**
 * One device's rows from one file, as read: column by column in chunks that grow to 16,384
 * rows and are never copied while reading (a doubling buffer would hold up to twice the rows
 * and copy them at every growth). A key with no value in a full chunk keeps nothing for it,
 * and a key with no value in the whole part becomes one shared array of NaN, so the empty
 * columns of a wide file cost nothing (frames are read, never written). When the rows are in
 * strictly increasing time, the usual case, the frame's columns are built one key at a time
 * and each key's chunks let go as soon as it is copied, so reading needs about the history's
 * values once, plus one column.
 */
export class DevicePart {
  rows = 0;
  private chunks: Chunk[] = [];
  private filled = 0;
  /** Column arrays a sealed chunk let go (no value in them), reused by the next chunk of their size. */
  private spare: Float64Array[] = [];
  /** What `dropRepeatedRows` removed, once the file is read. */
  duplicates: DuplicateCount = { exact: 0, conflicting: 0 };

  constructor(
    readonly file: string,
    readonly fileIndex: number,
    readonly keys: readonly string[],
    readonly meta: Pick<HistoryCsvRow, "userLabel" | "deviceId" | "deviceName" | "customer" | "site">,
  ) {}

  push(row: HistoryCsvRow): void {
    let chunk = this.chunks[this.chunks.length - 1];
    if (chunk === undefined || this.filled === chunk.ts.length) {
      if (chunk) this.spare = sealChunk(chunk, chunk.ts.length);
      const size = Math.min(CHUNK_ROWS, Math.max(FIRST_CHUNK_ROWS, this.rows));
      const spare = this.spare.filter((a) => a.length === size);
      chunk = { ts: new Float64Array(size), lines: new Float64Array(size), values: this.keys.map(() => spare.pop() ?? new Float64Array(size)) };
      this.spare = [];
      this.chunks.push(chunk);
      this.filled = 0;
    }
    const at = this.filled++;
    chunk.ts[at] = row.ts;
    chunk.lines[at] = row.line;
    const values = row.values;
    for (let k = 0; k < values.length; k++) chunk.values[k]![at] = values[k]!;
    this.rows++;
  }

  /** Strictly increasing times (no repeat, nothing out of order). */
  increasing(): boolean {
    let last = -Infinity;
    let left = this.rows;
    for (const chunk of this.chunks) {
      for (let i = 0; i < chunk.ts.length && left > 0; i++, left--) {
        if (!(chunk.ts[i]! > last)) return false;
        last = chunk.ts[i]!;
      }
    }
    return true;
  }

  /** The rows as one frame's columns, when `increasing()`: each column's chunks let go once copied. */
  takeColumns(): { ts: Float64Array; columns: Float64Array[] } {
    this.sealLast();
    const ts = this.gather((c) => c.ts);
    let empty: Float64Array | undefined;
    const columns = this.keys.map((_, k) => {
      if (this.chunks.every((c) => c.values[k] === null)) return (empty ??= new Float64Array(this.rows).fill(NaN));
      const column = this.gather((c) => c.values[k] ?? null);
      for (const c of this.chunks) c.values[k] = null;
      return column;
    });
    this.chunks = [];
    return { ts, columns };
  }

  /** The rows row-major in one block, for sorting and duplicate removal; the chunks are let go. */
  takeBlock(): RowBlock {
    this.sealLast();
    const width = this.keys.length;
    const ts = this.gather((c) => c.ts);
    const lines = this.gather((c) => c.lines);
    const values = new Float64Array(this.rows * width);
    let r = 0;
    for (const chunk of this.chunks) {
      const n = Math.min(chunk.ts.length, this.rows - r);
      for (let k = 0; k < width; k++) {
        const column = chunk.values[k];
        for (let i = 0; i < n; i++) values[(r + i) * width + k] = column ? column[i]! : NaN;
      }
      r += n;
    }
    this.chunks = [];
    return { rows: this.rows, ts, lines, values, keys: this.keys };
  }

  private sealLast(): void {
    const last = this.chunks[this.chunks.length - 1];
    if (last) sealChunk(last, this.filled);
  }

  /** One array of every chunk's `pick` (null: NaN) in row order. */
  private gather(pick: (chunk: Chunk) => Float64Array | null): Float64Array {
    const out = new Float64Array(this.rows);
    let at = 0;
    for (const chunk of this.chunks) {
      const n = Math.min(chunk.ts.length, this.rows - at);
      const part = pick(chunk);
      if (part === null) out.fill(NaN, at, at + n);
      else out.set(n === part.length ? part : part.subarray(0, n), at);
      at += n;
    }
    return out;
  }
}

/** Lets go of the chunk's columns with no value in their first `rows` rows; returns them. */
function sealChunk(chunk: Chunk, rows: number): Float64Array[] {
  const freed: Float64Array[] = [];
  chunk.values = chunk.values.map((column) => {
    if (column === null) return null;
    for (let i = 0; i < rows; i++) if (column[i] === column[i]) return column;
    freed.push(column);
    return null;
  });
  return freed;
}
