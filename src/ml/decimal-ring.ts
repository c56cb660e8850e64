/**
 * A ring of numbers held as short decimals, exactly: the per-sample values, weights and
 * intervals of the feature windows (window-set.ts) and the verdict's means. Sensors report a
 * few decimals (52.1 psi, 8.47 A), the mean of three phases mostly has few too, and intervals
 * are whole seconds, so a value is kept as the integer `n` of `n / 10^k` (k from −3, whole
 * thousands, to 6 decimals) in an Int8Array while every `n` fits (a minute's interval is 60
 * thousands of a millisecond), else an Int16Array, else an Int32Array. An Int8Array holds
 * each `n` less the ring's `bias`, the middle of its live values: a pressure in tenths that
 * swings between a switch's 40 and 60 psi spans 200 of them, a byte about 50 psi where its
 * `n` took two. A value
 * with no such form (7.333…, NaN, −0) is kept aside as it is, and a ring where those become
 * common turns into plain Float64. Encoding is checked at every write (dividing `n` by `10^k`
 * must give back the very same double, which IEEE's correctly rounded division guarantees for
 * every decimal of up to k places), so `at` returns exactly what `set` took.
 *
 * No storage while every live value is the same one but a few (the weights of every signal but
 * the flow meter, 0; the intervals of a device reporting every minute, 60,000 ms, but the
 * first sample's 0 and a late poll's two minutes; a pump's current, 0 but while it runs): the
 * few are kept aside as exceptions, at 16 bytes each, while they cost less than a byte a
 * position would (`EXCEPTION_BYTES`). A compaction that finds the live values all alike but at
 * most half that many lets the store go. Addressed by ever-growing logical indices, compacted
 * as narrow-ring.ts describes.
 */

import { AsideValues } from "./aside-values.ts";
import { compactStore } from "./narrow-ring.ts";

const MIN_K = -3;
const MAX_K = 6;
/** 10^j for j = 0 … 6. */
const POW10 = Array.from({ length: MAX_K + 1 }, (_, j) => 10 ** j);
/** Marks a value kept aside in `aside`. */
const ASIDE8 = -128;
const ASIDE16 = -32768;
const ASIDE32 = -2147483648;

/** The integer n with n · 10^−k === v exactly, if any (never −0, NaN or the aside marks). */
function encode(v: number, k: number): number | undefined {
  const p = POW10[Math.abs(k)]!;
  const n = k >= 0 ? Math.round(v * p) : Math.round(v / p);
  if ((k >= 0 ? n / p : n * p) !== v || !(n > ASIDE32 && n <= 2147483647)) return undefined;
  if (v === 0 && 1 / v < 0) return undefined;
  return n;
}

/**
 * A two-byte ring narrows to a byte at a compaction when its live values span at most this:
 * less than a byte's 254, so values at the edge of a span a byte just holds do not make every
 * compaction re-encode.
 */
const NARROW_SPAN = 224;

/**
 * A ring without a store keeps its exceptions while they number at most its positions over
 * this: 16 bytes each aside against a byte a position in the narrowest store. A compaction
 * goes back to no store when at most half as many are left, so a ring near the limit does not
 * make and drop its store at every compaction.
 */
const EXCEPTION_BYTES = 16;

const fits8 = (n: number) => n > ASIDE8 && n <= 127;
const fits16 = (n: number) => n > ASIDE16 && n <= 32767;

type Store = Int8Array | Int16Array | Int32Array | Float64Array;

export class DecimalRing {
  private store: Store | null = null;
  /** Positions the store holds (or will, once it exists), and the logical index at position 0. */
  private size: number;
  private origin = 0;
  /** The store is plain Float64 (no decimals, nothing aside). */
  private plain = false;
  /** The store's aside mark (which also tells its width). */
  private mark = ASIDE8;
  /** Decimals: a stored n means n / 10^k (k ≥ 0) or n · 10^−k (k < 0); `p` is 10^|k|. */
  private k = MIN_K;
  private p = POW10[-MIN_K]!;
  /** Int8 store only: a stored m means the integer m + bias (0 while the store is made from a uniform ring's zeros). */
  private bias = 0;
  /**
   * With a store: the values with no short decimal form, by logical index, oldest first.
   * Without: the live positions that do not hold `uniform`, with their values.
   */
  private readonly aside = new AsideValues();
  /** Without a store: the value every live position holds but those in `aside`. */
  private uniform = 0;

  constructor(size = 64) {
    this.size = size;
  }

  at(i: number): number {
    const s = this.store;
    if (s === null) return this.aside.size === 0 ? this.uniform : this.aside.find(i, this.uniform);
    const j = (i - this.origin) | 0;
    // One element type per access, so each stays monomorphic for the JIT.
    if (this.plain) return (s as Float64Array)[j]!;
    const mark = this.mark;
    const n = mark === ASIDE8 ? (s as Int8Array)[j]! : mark === ASIDE16 ? (s as Int16Array)[j]! : (s as Int32Array)[j]!;
    if (n === mark) return this.aside.get(i)!;
    const b = n + this.bias;
    return this.k >= 0 ? b / this.p : b * this.p;
  }

  /** Stores `x` at `i`; [head, i) are the live positions. */
  set(i: number, x: number, head: number): void {
    const s = this.store;
    if (s === null) {
      if (i === head) {
        // No live position yet: any value is every live one's.
        this.uniform = x;
        this.aside.clear();
      } else if (Object.is(x, this.uniform)) this.aside.forgetFrom(i);
      else {
        this.aside.add(i, x, head);
        if (this.aside.size * EXCEPTION_BYTES > this.size) this.materialize(head, i + 1);
      }
      return;
    }
    if (this.plain) {
      s[(i - this.origin) | 0] = x;
      return;
    }
    const n = encode(x, this.k);
    if (n === undefined) {
      // More decimals than the ring holds so far: re-encode with them, if any number of them will do.
      let k = this.k + 1;
      while (k <= MAX_K && encode(x, k) === undefined) k++;
      if (k <= MAX_K) return this.refit(head, i, k, x);
      s[(i - this.origin) | 0] = this.mark;
      this.aside.add(i, x, head);
      // Aside, a value costs 16 bytes (and room to grow), several times the 6 bytes a narrow store saves.
      if (this.aside.size * 8 > i - head + 64) this.toPlain(head, i + 1);
      return;
    }
    const m = n - this.bias;
    if (this.mark === ASIDE8 ? !fits8(m) : this.mark === ASIDE16 && !fits16(m)) return this.refit(head, i, this.k, x);
    s[(i - this.origin) | 0] = m;
  }

  /** A ring of one value whose exceptions outgrew it: a store, holding the live values [head, end). */
  private materialize(head: number, end: number): void {
    const live: number[] = [];
    for (let j = head; j < end; j++) live.push(this.at(j));
    this.aside.clear();
    this.store = new Int8Array(this.size);
    // In order: a value that rescales the store re-reads those written before it.
    for (let j = head; j < end; j++) this.set(j, live[j - head]!, head);
  }

  /** Re-encodes the live values [head, i) with `k` decimals, in the narrowest store that holds them and `x`, then stores `x` at `i`. */
  private refit(head: number, i: number, k: number, x: number): void {
    const live: number[] = [];
    for (let j = head; j < i; j++) live.push(this.at(j));
    let lo = Infinity;
    let hi = -Infinity;
    let mark = ASIDE8;
    for (const v of [x, ...live]) {
      const n = encode(v, k);
      if (n === undefined) continue;
      if (n < lo) lo = n;
      if (n > hi) hi = n;
      if (!fits8(n)) mark = fits16(n) && mark !== ASIDE32 ? ASIDE16 : ASIDE32;
    }
    // A byte about their middle holds them when they span at most 254 (−128 marks an aside).
    const bias = lo <= hi && hi - lo <= 254 ? Math.floor((lo + hi) / 2) : 0;
    if (lo <= hi && hi - lo <= 254) mark = ASIDE8;
    this.bias = mark === ASIDE8 ? bias : 0;
    this.store = mark === ASIDE8 ? new Int8Array(this.size) : mark === ASIDE16 ? new Int16Array(this.size) : new Int32Array(this.size);
    this.mark = mark;
    this.k = k;
    this.p = POW10[Math.abs(k)]!;
    this.aside.clear();
    for (let j = head; j < i; j++) this.set(j, live[j - head]!, head);
    this.set(i, x, head);
  }

  /** Turns the store into plain Float64, keeping [head, end). */
  private toPlain(head: number, end: number): void {
    const store = new Float64Array(this.size);
    for (let j = head; j < end; j++) store[(j - this.origin) | 0] = this.at(j);
    this.store = store;
    this.plain = true;
    this.bias = 0;
    this.aside.clear();
  }

  /** Moves the live positions [head, tail) to the start of a store of `size` positions. */
  compact(size: number, head: number, tail: number): void {
    if (this.store) this.store = compactStore(this.store, size, head - this.origin, tail - this.origin);
    this.size = size;
    this.origin = head;
    if (!this.store) this.aside.forgetBefore(head);
    else if (this.letStoreGo(head, tail)) {
      // Done.
    } else if (this.store && this.mark === ASIDE16 && !this.plain && head < tail && this.spanOf(head, tail) <= NARROW_SPAN) {
      // Two bytes were needed once (a spike, a switch's other setting) and are no longer.
      this.refit(head, tail - 1, this.k, this.at(tail - 1));
    }
  }

  /** Largest less smallest `n` of the live values [head, tail) (asides left out). */
  private spanOf(head: number, tail: number): number {
    const s = this.store as Int16Array;
    let lo = Infinity;
    let hi = -Infinity;
    for (let j = (head - this.origin) | 0, end = (tail - this.origin) | 0; j < end; j++) {
      const n = s[j]!;
      if (n === ASIDE16) continue;
      if (n < lo) lo = n;
      if (n > hi) hi = n;
    }
    return hi - lo;
  }

  /**
   * Lets the store go if the live values [head, tail) are all the newest one but at most half
   * the exceptions the ring may keep (stops counting past that), keeping those aside.
   */
  private letStoreGo(head: number, tail: number): boolean {
    const most = (this.size / EXCEPTION_BYTES / 2) | 0;
    const common = head < tail ? this.at(tail - 1) : 0;
    const at: number[] = [];
    const values: number[] = [];
    for (let i = head; i < tail; i++) {
      const v = this.at(i);
      if (Object.is(v, common)) continue;
      if (at.length === most) return false;
      at.push(i);
      values.push(v);
    }
    this.uniform = common;
    this.store = null;
    this.plain = false;
    this.mark = ASIDE8;
    this.k = MIN_K;
    this.p = POW10[-MIN_K]!;
    this.bias = 0;
    this.aside.clear();
    for (let j = 0; j < at.length; j++) this.aside.add(at[j]!, values[j]!, head);
    return true;
  }

  /** Bytes of the store (for tests and measurements; the values kept aside, and a storeless ring's exceptions, not counted). */
  get bytes(): number {
    return this.store?.byteLength ?? 0;
  }

  /** How many values are kept aside, or are a storeless ring's exceptions (for tests). */
  get asideCount(): number {
    return this.aside.size;
  }
}
