/**
 * A column of readings stored exactly in as few bytes as they allow. A sensor reports a few
 * decimals (240.3 V, 8.47 A, 52.1 psi, a 572,500-gallon meter total), so a reading is held as
 * the integer `n` of `n / 10^k`. Consecutive readings of a sensor are close (a minute moves a
 * pressure by tenths of a psi and a meter by a few gallons), so the column starts as half a
 * byte a row: each row holds its `n`'s step from the reading before it (nibbles.ts), and the
 * rare step that does not fit (a pump starting, a first reading) is kept aside with its whole
 * `n`. Rows are written in order (a buffer appends), and read in runs from the start, so a run
 * is summed as it is decoded. A column whose steps are often too big for half a byte takes a
 * byte a row (Int8); one whose steps are often too big for that, or written out of order,
 * holds every `n` itself: in an Int16Array while every `n` fits, else an Int32Array; and a
 * reading with more decimals than `MAX_DECIMALS`, a huge or a negative-zero one turns it into
 * the Float64 it came as.
 *
 * It is lossless, not rounded: a reading is encoded only when dividing its integer by `10^k`
 * gives back the very same double (IEEE division is correctly rounded, and the parsed reading
 * is the double nearest its decimal, so this holds for every reading of up to `k` decimals),
 * and it is checked at every write. `get` and `read` then return exactly what was written —
 * the analytics and the model see the same numbers as with Float64 columns, at a sixteenth of
 * the bytes for most keys. The scale and the width only ever grow (a reading with one more
 * decimal rescales the column once).
 */

import { MAX_DECIMALS, NA16, NA32, POW10, decode16, decode32, encode, fits16 } from "./scaled-integers.ts";
import { MAX_NIBBLE_STEP, MIN_NIBBLE_STEP, NIBBLE_ASIDE, NIBBLE_ZERO, type AsideList, decodeNibbles, moveNibbles, nibbleBytes, putNibble, walkNibbles, walkedAsides } from "./nibbles.ts";

/** Step mode: no reading in the row. */
const NA8 = -128;
/** Step mode: the row's `n` is kept aside (its step does not fit a byte). */
const ASIDE8 = -127;
/**
 * Step mode widens once more than one row of its capacity in this many is kept aside: an
 * aside takes 2 or 4 bytes in its list (half as much again while the list has room to grow), and the next
 * width takes half a byte (half-byte steps to byte steps) to a byte (byte steps to Int16) more
 * on every row, so fewer asides would not pay for it. Judged against the capacity, not the
 * rows written so far: a pump's starts come in bursts, and a burst early in a day must not
 * widen the whole column for good.
 */
const ROWS_PER_ASIDE = 8;
const MIN_ASIDE = 16;

/** Uint8Array: step codes packed two a byte (nibbles.ts); Int8Array: a step a byte. */
type Store = Uint8Array | Int8Array | Int16Array | Int32Array | Float64Array;

export class ExactColumn {
  private data: Store;
  /** Rows the column has room for. */
  private rows: number;
  /** Decimals of the integer modes: a stored n means n / 10^k. */
  private k = 0;
  // Step modes (half a byte, then Int8) only: the `n` carried into row 0 (the last reading before it), the `n` of
  // the newest reading, the newest row written, whether a reading came yet, and the `n` of the
  // rows whose step a byte could not hold.
  private base = 0;
  private last = 0;
  private lastRow = -1;
  private seen = false;
  /**
   * The `n` of each row marked aside, in row order (a list, not a map: reads walk the rows in
   * order): Int16 while every one fits (a pressure's or a current's do), grown by half.
   */
  private aside: AsideList | null = null;
  private asides = 0;
  /** Asides before the row the last `walk` stopped at. */
  private walked = 0;
  /**
   * Where the last step-mode walk ended, to go on from there: reading a poll's new rows walked
   * from row 0 each time, a day of readings per key per device per poll (9 % of a 2,000-device
   * poll's main thread). Valid for `walkData` until a move, or a write before `walkTo`.
   */
  private walkTo = -1;
  private walkN = 0;
  private walkA = 0;
  private walkData: Store | null = null;

  constructor(capacity: number) {
    this.rows = capacity;
    this.data = new Uint8Array(nibbleBytes(capacity));
  }

  /** Rows the column has room for. */
  get capacity(): number {
    return this.rows;
  }

  /** Bytes per row now (0.5, 1, 2, 4 or 8). */
  get bytesPerRow(): number {
    return this.data instanceof Uint8Array ? 0.5 : this.data.BYTES_PER_ELEMENT;
  }

  /** Bytes held (capacity × width; the rows kept aside not counted). */
  bytes(): number {
    return this.data.byteLength;
  }

  /** Rows whose `n` is kept aside (step mode; for tests and measurements). */
  get asideCount(): number {
    return this.asides;
  }

  /** Bytes the list of rows kept aside holds (for tests and measurements). */
  get asideBytes(): number {
    return this.aside?.byteLength ?? 0;
  }

  /** Writes row `i`; NaN is no reading. */
  set(i: number, v: number): void {
    const data = this.data;
    if (data instanceof Float64Array) {
      data[i] = v;
      return;
    }
    if (data instanceof Uint8Array || data instanceof Int8Array) return this.setStep(data, i, v);
    if (v !== v) {
      data[i] = data instanceof Int16Array ? NA16 : NA32;
      return;
    }
    const n = encode(v, this.k);
    if (n !== undefined && (data instanceof Int32Array || fits16(n))) {
      data[i] = n;
      return;
    }
    this.widen(v);
    this.set(i, v);
  }

  /** Row `i`, exactly as written; NaN where there was no reading. */
  get(i: number): number {
    const data = this.data;
    if (data instanceof Uint8Array || data instanceof Int8Array) return this.read(i, i + 1)[0]!;
    const n = data[i]!;
    if (data instanceof Float64Array) return n;
    if (n === (data instanceof Int16Array ? NA16 : NA32)) return Number.NaN;
    return n / POW10[this.k]!;
  }

  /** Rows [from, to) as Float64, into `out` (default a new array). */
  read(from: number, to: number, out = new Float64Array(to - from)): Float64Array {
    const data = this.data;
    if (data instanceof Float64Array) out.set(data.subarray(from, to));
    // One loop per store type: a loop over either would be polymorphic, and this runs for
    // every analysed row of every key at every analysis.
    // (Arguments are taken in order: `walk` sets `walked` before it is read.)
    else if (data instanceof Uint8Array) decodeNibbles(data, from, to, POW10[this.k]!, out, this.walk(data, from), this.walked, this.aside);
    else if (data instanceof Int8Array) this.decodeSteps(data, from, to, POW10[this.k]!, out);
    else if (data instanceof Int16Array) decode16(data, from, to, POW10[this.k]!, out);
    else decode32(data, from, to, POW10[this.k]!, out);
    return out;
  }

  /**
   * Moves rows [from, to) to the start of a store of `capacity` rows (the same store when the
   * capacity is unchanged); the rows after them read as no reading.
   */
  move(from: number, to: number, capacity: number): void {
    this.moveRows(from, to, capacity);
    // The rows moved under the walk (the store may be the same array, its rows shifted).
    this.walkTo = -1;
  }

  private moveRows(from: number, to: number, capacity: number): void {
    const data = this.data;
    if (data instanceof Uint8Array || data instanceof Int8Array) {
      // Rows from `to` on hold no reading afterwards: the newest reading is then the last
      // before `to`, and the asides left are those of [from, to).
      let kept = this.asides;
      if (this.lastRow >= to) {
        this.last = this.walk(data, to);
        kept = this.walked;
      }
      // Row `from` becomes row 0: what it stepped from is the reading carried into it.
      this.base = this.walk(data, from);
      const gone = this.walked;
      this.aside?.copyWithin(0, gone, kept);
      this.asides = kept - gone;
      this.lastRow = Math.max(-1, Math.min(this.lastRow, to - 1) - from);
    }
    this.rows = capacity;
    if (data instanceof Uint8Array) {
      this.data = moveNibbles(data, from, to, capacity);
      return;
    }
    const na = data instanceof Int8Array ? NA8 : data instanceof Float64Array ? Number.NaN : data instanceof Int16Array ? NA16 : NA32;
    if (capacity === data.length) {
      data.copyWithin(0, from, to);
      data.fill(na, to - from);
      return;
    }
    const out = new (data.constructor as new (n: number) => Store)(capacity).fill(na);
    out.set(data.subarray(from, to));
    this.data = out;
  }

  /**
   * Makes room for `v`: the fewest decimals (from the current ones) that hold it and every
   * row exactly, in the narrowest store their integers fit; Float64 when none do.
   */
  private widen(v: number): void {
    const steps = this.data instanceof Uint8Array || this.data instanceof Int8Array;
    // Step mode knows its newest row, and no row after it holds a reading: a buffer sized
    // ahead for a day's rows need not decode the day it has not filled yet.
    const values = this.read(0, steps ? this.lastRow + 1 : this.rows);
    for (let k = this.k; k <= MAX_DECIMALS; k++) {
      if (encode(v, k) === undefined) continue;
      let wide = !fits16(encode(v, k)!);
      let ok = true;
      for (const x of values) {
        if (x !== x) continue;
        const n = encode(x, k);
        if (n === undefined) { ok = false; break; }
        if (!fits16(n)) wide = true;
      }
      if (!ok) continue;
      this.k = k;
      if (steps) return this.restep(values);
      this.data = wide ? new Int32Array(values.length) : new Int16Array(values.length);
      for (let i = 0; i < values.length; i++) this.set(i, values[i]!);
      return;
    }
    if (values.length === this.rows) this.data = values;
    else {
      const all = new Float64Array(this.rows).fill(Number.NaN);
      all.set(values);
      this.data = all;
    }
    this.walkData = null;
  }

  /** Step mode's write: row `i` after every row written so far. */
  private setStep(data: Uint8Array | Int8Array, i: number, v: number): void {
    if (i < this.walkTo) this.walkTo = -1;
    if (i <= this.lastRow) {
      this.unstep();
      return this.set(i, v);
    }
    const nibbles = data instanceof Uint8Array;
    if (v !== v) {
      // A fresh or moved store reads as no reading after its rows already.
      if (!nibbles) data[i] = NA8;
      this.lastRow = i;
      return;
    }
    const n = encode(v, this.k);
    if (n === undefined) {
      this.widen(v);
      return this.set(i, v);
    }
    if (!this.seen) {
      // The first reading steps from itself: whatever came before it is no reading.
      this.seen = true;
      this.base = this.last = n;
      // A walk over no reading ended at the old base.
      this.walkTo = -1;
    }
    const step = n - this.last;
    if (nibbles && step >= MIN_NIBBLE_STEP && step <= MAX_NIBBLE_STEP) putNibble(data, i, step + NIBBLE_ZERO);
    else if (!nibbles && step > ASIDE8 && step <= 127) data[i] = step;
    else {
      if (this.asides >= MIN_ASIDE && (this.asides + 1) * ROWS_PER_ASIDE > this.rows) {
        // Too many asides: half-byte steps become whole bytes, whole bytes whole integers.
        if (nibbles) this.restep(this.read(0, this.lastRow + 1), true);
        else this.unstep();
        return this.set(i, v);
      }
      let aside = this.aside;
      const wide = !fits16(n);
      if (!aside || this.asides === aside.length || (wide && aside instanceof Int16Array)) {
        const size = !aside || this.asides === aside.length ? Math.max(8, this.asides + (this.asides >> 1)) : aside.length;
        aside = wide || this.aside instanceof Int32Array ? new Int32Array(size) : new Int16Array(size);
        if (this.aside) aside.set(this.aside.subarray(0, this.asides));
        this.aside = aside;
      }
      aside[this.asides++] = n;
      if (nibbles) putNibble(data, i, NIBBLE_ASIDE);
      else data[i] = ASIDE8;
    }
    this.last = n;
    this.lastRow = i;
  }

  /** Re-encodes `values` (the rows up to the newest) in step mode with the current decimals, a byte a step if `bytes`. */
  private restep(values: Float64Array, bytes = this.data instanceof Int8Array): void {
    const rows = this.lastRow;
    this.data = bytes ? new Int8Array(this.rows).fill(NA8) : new Uint8Array(nibbleBytes(this.rows));
    this.base = this.last = 0;
    this.lastRow = -1;
    this.seen = false;
    this.aside = null;
    this.asides = 0;
    for (let i = 0; i <= rows; i++) this.set(i, values[i]!);
  }

  /** Leaves step mode: every row's `n` in the narrowest store that holds them all. */
  private unstep(): void {
    const values = this.read(0, this.rows);
    let wide = false;
    for (const x of values) if (x === x && !fits16(encode(x, this.k)!)) wide = true;
    this.data = wide ? new Int32Array(values.length) : new Int16Array(values.length);
    this.aside = null;
    this.asides = 0;
    // No walk any more: let the step store go.
    this.walkData = null;
    for (let i = 0; i < values.length; i++) this.set(i, values[i]!);
  }

  /** Step mode: the `n` of the last reading before row `to` (`base` if none); sets `walked`. */
  private walk(data: Uint8Array | Int8Array, to: number): number {
    const resume = this.walkData === data && this.walkTo >= 0 && this.walkTo <= to;
    const from = resume ? this.walkTo : 0;
    let n = resume ? this.walkN : this.base;
    let a = resume ? this.walkA : 0;
    if (data instanceof Uint8Array) {
      n = walkNibbles(data, from, to, n, a, this.aside);
      a = walkedAsides;
    } else {
      for (let i = from; i < to; i++) {
        const c = data[i]!;
        if (c === NA8) continue;
        n = c === ASIDE8 ? this.aside![a++]! : n + c;
      }
    }
    this.walkData = data;
    this.walkTo = to;
    this.walkN = n;
    this.walkA = a;
    this.walked = a;
    return n;
  }

  private decodeSteps(data: Int8Array, from: number, to: number, p: number, out: Float64Array): void {
    let n = this.walk(data, from);
    let a = this.walked;
    const aside = this.aside;
    for (let i = from; i < to; i++) {
      const c = data[i]!;
      if (c === NA8) {
        out[i - from] = Number.NaN;
        continue;
      }
      n = c === ASIDE8 ? aside![a++]! : n + c;
      out[i - from] = n / p;
    }
  }
}
