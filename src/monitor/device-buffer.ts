/**
 * One device's recent readings, the only copy the monitor keeps: a columnar buffer of rows
 * (time plus one Float64Array per telemetry key, NaN where a key had no reading) covering the
 * last `retentionMs`. Polls, the warm-up and history replay all feed it through `push`, so one
 * rule decides what a new reading is:
 *
 * - a key's reading counts only if it is newer than that key's last one (a poll repeating the
 *   latest value, a duplicate row or a late, out-of-order reading is not a new reading);
 * - a row is dated by its newest new reading and must be later than the last row; a reading
 *   that would date a row at or before it is dropped and counted in `dropped`.
 *
 * The columns are contiguous, so the analytics and the feature engine read `frame()` views in
 * place; old rows are shifted out in batches (amortised O(1) per row). The capacity follows
 * the rows the retention holds (a quarter over, not the next power of two: at 1-minute
 * readings 28 h are 1,680 rows, which doubling would have put in 4,096), and only `keys`, when
 * given, are kept: a reading nothing downstream reads would cost memory for every device.
 */
import type { HistoryFrame } from "../nightowl/history-frame.ts";

const INITIAL_CAPACITY = 256;

export interface DeviceBufferOptions {
  /** Readings kept, ms, counted back from the newest row. */
  retentionMs: number;
  /** The telemetry keys kept; default every key. */
  keys?: ReadonlySet<string>;
}

export class DeviceBuffer {
  private t: Float64Array = new Float64Array(INITIAL_CAPACITY);
  private readonly cols = new Map<string, Float64Array>();
  private readonly lastKeyTs = new Map<string, number>();
  private head = 0;
  private end = 0;
  /** Readings refused as repeated, duplicate or out of order, since creation. */
  dropped = 0;

  constructor(
    readonly deviceId: string,
    private readonly options: DeviceBufferOptions,
  ) {}

  /** Rows held. */
  get length(): number {
    return this.end - this.head;
  }

  /** Time of the newest row, epoch ms; -Infinity when empty. */
  get lastTs(): number {
    return this.end > this.head ? this.t[this.end - 1]! : -Infinity;
  }

  /** The keys that have had a reading, in the order first seen. */
  keys(): string[] {
    return [...this.cols.keys()];
  }

  /**
   * Takes one reading per key (epoch ms and value; non-finite values are no reading). Returns
   * the new row's time, or undefined when nothing in it was new.
   */
  push(readings: Iterable<readonly [key: string, ts: number, value: number]>): number | undefined {
    const last = this.lastTs;
    let rowTs = -Infinity;
    const fresh: Array<readonly [string, number, number]> = [];
    const wanted = this.options.keys;
    for (const r of readings) {
      const [key, ts, value] = r;
      if (!Number.isFinite(value) || !Number.isFinite(ts)) continue;
      if (wanted && !wanted.has(key)) continue;
      if (ts <= (this.lastKeyTs.get(key) ?? -Infinity)) continue;
      fresh.push(r);
      if (ts > rowTs) rowTs = ts;
    }
    if (fresh.length === 0) return undefined;
    if (rowTs <= last) {
      this.dropped += fresh.length;
      return undefined;
    }
    const i = this.reserve(rowTs);
    this.t[i] = rowTs;
    for (const col of this.cols.values()) col[i] = Number.NaN;
    for (const [key, ts, value] of fresh) {
      this.column(key)[i] = value;
      this.lastKeyTs.set(key, ts);
    }
    this.end = i + 1;
    return rowTs;
  }

  /** Takes row `i` of a frame (history replay and warm-up): every finite value, at the row's time. */
  pushFrameRow(frame: HistoryFrame, i: number): number | undefined {
    const ts = frame.ts[i]!;
    const readings: Array<readonly [string, number, number]> = [];
    for (const key in frame.columns) readings.push([key, ts, frame.columns[key]![i]!]);
    return this.push(readings);
  }

  /** The rows from `fromMs` on (default all) as a frame of views into the buffer: read, do not keep. */
  frame(fromMs = -Infinity, meta: Pick<HistoryFrame, "deviceName" | "userLabel"> = { deviceName: "", userLabel: "" }): HistoryFrame {
    let a = this.head;
    if (fromMs > -Infinity) {
      let hi = this.end;
      while (a < hi) {
        const mid = (a + hi) >> 1;
        if (this.t[mid]! < fromMs) a = mid + 1;
        else hi = mid;
      }
    }
    const columns: Record<string, Float64Array> = {};
    for (const [key, col] of this.cols) columns[key] = col.subarray(a, this.end);
    return { deviceId: this.deviceId, ...meta, ts: this.t.subarray(a, this.end), columns };
  }

  /** Bytes held by the arrays (capacity, not only the rows in use). */
  bytes(): number {
    return this.t.byteLength * (1 + this.cols.size);
  }

  private column(key: string): Float64Array {
    let col = this.cols.get(key);
    if (!col) {
      col = new Float64Array(this.t.length).fill(Number.NaN);
      this.cols.set(key, col);
    }
    return col;
  }

  /** The index of the next row, after dropping rows older than the retention and making room. */
  private reserve(newTs: number): number {
    if (this.end < this.t.length) return this.end;
    const keepFrom = newTs - this.options.retentionMs;
    let h = this.head;
    while (h < this.end && this.t[h]! < keepFrom) h++;
    const rows = this.end - h;
    // Grow when more than four fifths of the capacity are still in the retention, to a quarter
    // above the rows held: a shift then frees at least a fifth, so each row is copied at most
    // five times (amortised O(1)), and a buffer whose retention is full stays near its size.
    const capacity = rows * 5 > this.t.length * 4 ? Math.ceil(rows * 1.25) + 1 : this.t.length;
    this.t = move(this.t, h, this.end, capacity);
    for (const [key, col] of this.cols) this.cols.set(key, move(col, h, this.end, capacity));
    this.head = 0;
    this.end = rows;
    return rows;
  }
}

/** How many of the increasing times `ts` are at or before `ms` (binary search). */
export function countUpTo(ts: ArrayLike<number>, ms: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid]! <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Rows [from, to) of `a` at the start of an array of `capacity` (the same one when it fits). */
function move(a: Float64Array, from: number, to: number, capacity: number): Float64Array {
  if (capacity === a.length) {
    a.copyWithin(0, from, to);
    return a;
  }
  const out = new Float64Array(capacity).fill(Number.NaN);
  out.set(a.subarray(from, to));
  return out;
}
