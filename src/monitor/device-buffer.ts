/**
 * One device's recent readings, the only copy the monitor keeps: a columnar buffer of rows
 * (time plus one column per telemetry key, no reading where a key had none) covering the last
 * `retentionMs`. Polls, the warm-up and history replay all feed it through `push`, so one
 * rule decides what a new reading is:
 *
 * - a key's reading counts only if it is newer than that key's last one (a poll repeating the
 *   latest value, a duplicate row or a late, out-of-order reading is not a new reading);
 * - a row is dated by its newest new reading and must be later than the last row; a reading
 *   that would date a row at or before it is dropped and counted in `dropped`.
 *
 * Memory is what a fleet pays per device, so the columns are compact and exact: times packed
 * in about a byte a row (`TimeColumn`), readings as scaled decimals (`ExactColumn`: a byte a row for a
 * sensor's step from its last reading, where Float64 took 8), each reading read back bit for
 * bit as it was pushed. A key
 * the device never reports has no column. `frame()` decodes the rows asked for into Float64
 * arrays for the analytics and the model. Old rows are shifted out in batches (amortised O(1)
 * per row); the capacity follows the rows the retention holds (an eighth over), and only
 * `keys`, when given, are kept: a reading nothing downstream reads would cost memory for every
 * device.
 */
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { ExactColumn } from "./exact-column.ts";
import type { FrameScratch } from "./frame-scratch.ts";
import { TimeColumn } from "./time-column.ts";

const INITIAL_CAPACITY = 256;

export interface DeviceBufferOptions {
  /** Readings kept, ms, counted back from the newest row. */
  retentionMs: number;
  /** The telemetry keys kept; default every key. */
  keys?: ReadonlySet<string>;
}

export class DeviceBuffer {
  private t = new TimeColumn(INITIAL_CAPACITY);
  /**
   * Per key, in the order first seen: its name, its column and its newest reading's time.
   * Arrays, not maps: a device has a dozen or two keys, found by a short scan, and a Map's
   * table took about 0.9 KiB a device for each of the two it was.
   */
  private readonly names: string[] = [];
  private readonly cols: ExactColumn[] = [];
  private readonly lastKeyTs: number[] = [];
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
    return this.end > this.head ? this.t.get(this.end - 1) : -Infinity;
  }

  /** The keys that have had a reading, in the order first seen. */
  keys(): string[] {
    return [...this.names];
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
      if (ts <= this.lastTsOf(key)) continue;
      fresh.push(r);
      if (ts > rowTs) rowTs = ts;
    }
    if (fresh.length === 0) return undefined;
    if (rowTs <= last) {
      this.dropped += fresh.length;
      return undefined;
    }
    const i = this.reserve(rowTs);
    this.t.set(i, rowTs);
    for (const [key, ts, value] of fresh) this.take(key, i, ts, value);
    this.end = i + 1;
    return rowTs;
  }

  /**
   * Takes row `i` of a frame (history replay and warm-up): every finite value, at the row's
   * time. The same as `push` of the row's readings, without building them: a warm-up pushes a
   * day of rows for every device of a fleet at once.
   */
  pushFrameRow(frame: HistoryFrame, i: number): number | undefined {
    const ts = frame.ts[i]!;
    if (!Number.isFinite(ts)) return undefined;
    const wanted = this.options.keys;
    let fresh = 0;
    for (const key in frame.columns) if (this.isNew(key, ts, frame.columns[key]![i]!, wanted)) fresh++;
    if (fresh === 0) return undefined;
    if (ts <= this.lastTs) {
      this.dropped += fresh;
      return undefined;
    }
    const row = this.reserve(ts);
    this.t.set(row, ts);
    for (const key in frame.columns) {
      const value = frame.columns[key]![i]!;
      if (this.isNew(key, ts, value, wanted)) this.take(key, row, ts, value);
    }
    this.end = row + 1;
    return ts;
  }

  /** Whether `push` takes the reading (before the row's time is judged). */
  private isNew(key: string, ts: number, value: number, wanted: ReadonlySet<string> | undefined): boolean {
    return Number.isFinite(value) && (!wanted || wanted.has(key)) && ts > this.lastTsOf(key);
  }

  /**
   * The rows from `fromMs` on (default all) as a frame of Float64 arrays: arrays of their own,
   * or, with `scratch`, views of the scratch's arrays, valid until its next use.
   */
  frame(fromMs = -Infinity, meta: Pick<HistoryFrame, "deviceName" | "userLabel"> = { deviceName: "", userLabel: "" }, scratch?: FrameScratch): HistoryFrame {
    const a = fromMs > -Infinity ? this.t.lowerBound(fromMs, this.head, this.end) : this.head;
    const rows = this.end - a;
    const columns: Record<string, Float64Array> = {};
    let slot = 1;
    this.cols.forEach((col, k) => (columns[this.names[k]!] = col.read(a, this.end, scratch?.take(slot++, rows))));
    return { deviceId: this.deviceId, ...meta, ts: this.t.read(a, this.end, scratch?.take(0, rows)), columns };
  }

  /** The times of the rows from `fromMs` on (what `frame(fromMs).ts` holds, without decoding every column). */
  times(fromMs = -Infinity): Float64Array {
    return this.t.read(this.t.lowerBound(fromMs, this.head, this.end), this.end);
  }

  /** One key's readings of the rows from `fromMs` on (aligned with `times(fromMs)`); undefined when the key never came. */
  values(key: string, fromMs = -Infinity): Float64Array | undefined {
    return this.cols[this.names.indexOf(key)]?.read(this.t.lowerBound(fromMs, this.head, this.end), this.end);
  }

  /**
   * Makes room at once for what pushing the rows at times `ts` (increasing, epoch ms) leaves in
   * the buffer: a warm-up's day of rows would otherwise grow every column an eighth at a time,
   * copying it each time (about nine times the buffer's size in garbage, for every device).
   */
  reserveFor(ts: ArrayLike<number>): void {
    // The newest time the rows will have: rows without a finite time are not pushed (a NaN
    // here counted no row out of the retention and reserved for every row).
    let n = ts.length;
    while (n > 0 && !Number.isFinite(ts[n - 1]!)) n--;
    if (n === 0) return;
    const rows = this.length + n - countUpTo(ts, ts[n - 1]! - this.options.retentionMs);
    const capacity = Math.ceil(rows * 1.125) + 1;
    if (capacity <= this.t.capacity) return;
    this.t.move(this.head, this.end, capacity);
    for (const col of this.cols) col.move(this.head, this.end, capacity);
    this.end -= this.head;
    this.head = 0;
  }

  /** Bytes held by the arrays (capacity, not only the rows in use). */
  bytes(): number {
    let n = this.t.bytes();
    for (const col of this.cols) n += col.bytes();
    return n;
  }

  /** The time of `key`'s newest reading; -Infinity before its first. */
  private lastTsOf(key: string): number {
    const k = this.names.indexOf(key);
    return k < 0 ? -Infinity : this.lastKeyTs[k]!;
  }

  /** Writes `key`'s reading at row `row` (a column for it first, if it has none) and notes its time. */
  private take(key: string, row: number, ts: number, value: number): void {
    let k = this.names.indexOf(key);
    if (k < 0) {
      k = this.names.push(key) - 1;
      this.cols.push(new ExactColumn(this.t.capacity));
      this.lastKeyTs.push(ts);
    }
    this.cols[k]!.set(row, value);
    this.lastKeyTs[k] = ts;
  }

  /** The index of the next row, after dropping rows older than the retention and making room. */
  private reserve(newTs: number): number {
    const capacity0 = this.t.capacity;
    if (this.end < capacity0) return this.end;
    const keepFrom = newTs - this.options.retentionMs;
    const h = this.t.lowerBound(keepFrom, this.head, this.end);
    const rows = this.end - h;
    // Grow when more than eight ninths of the capacity are still in the retention, to an eighth
    // above the rows held: a shift then frees at least a ninth, so each row is copied at most
    // nine times (amortised O(1), and a copy of 2-byte columns is cheap), and a buffer whose
    // retention is full stays near its size.
    const capacity = rows * 9 > capacity0 * 8 ? Math.ceil(rows * 1.125) + 1 : capacity0;
    this.t.move(h, this.end, capacity);
    for (const col of this.cols) col.move(h, this.end, capacity);
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
