/**
 * The sample times of the feature windows (window-set.ts) and of the verdict's means
 * (time-window-mean.ts), stored as narrowly as they stay exact: a fleet keeps a day of samples
 * per signal per device, so bytes per sample are most of the model's memory, and every time
 * read back is the time stored, bit for bit, so no feature or score moves. Their values live
 * in decimal-ring.ts.
 *
 * Addressed by ever-growing logical indices (`i & mask`); grows by doubling, moving the live
 * positions [head, tail) the owner names.
 */

const U32_MAX = 0xffff_ffff;

/**
 * Timestamps in epoch ms. Whole milliseconds are kept as Uint32 offsets from a base at or
 * before every live one (49 days of span, so a day's window fits many times over); a time that
 * is not a whole millisecond, or a live span too long for 32 bits, widens the ring to Float64
 * for good.
 */
export class TimeRing {
  private u32: Uint32Array | null;
  private f64: Float64Array | null = null;
  private base = Number.NaN;
  private mask: number;

  constructor(size = 64) {
    this.u32 = new Uint32Array(size);
    this.mask = size - 1;
  }

  at(i: number): number {
    const u = this.u32;
    return u ? this.base + u[i & this.mask]! : this.f64![i & this.mask]!;
  }

  /** Stores `t` at `i`; [head, i) are the live positions, read by `at` later. */
  set(i: number, t: number, head: number): void {
    const u = this.u32;
    if (u) {
      const offset = t - this.base;
      if (offset >= 0 && offset <= U32_MAX && Number.isInteger(offset)) {
        u[i & this.mask] = offset;
        return;
      }
      this.rebase(head, i, t);
      if (this.u32) return;
    }
    this.f64![i & this.mask] = t;
  }

  /** Room for `size` positions, keeping [head, tail). */
  grow(size: number, head: number, tail: number): void {
    const mask = size - 1;
    const old = this.u32 ?? this.f64!;
    const next = this.u32 ? new Uint32Array(size) : new Float64Array(size);
    for (let i = head; i < tail; i++) next[i & mask] = old[i & this.mask]!;
    if (this.u32) this.u32 = next as Uint32Array;
    else this.f64 = next as Float64Array;
    this.mask = mask;
  }

  /** Moves the base to the oldest of the live times and `t`, or widens when they do not fit. */
  private rebase(head: number, i: number, t: number): void {
    let base = t;
    for (let j = head; j < i; j++) base = Math.min(base, this.at(j));
    let fits = Number.isInteger(t - base) && t - base <= U32_MAX;
    for (let j = head; j < i && fits; j++) fits = this.at(j) - base <= U32_MAX;
    if (fits) {
      const u = this.u32!;
      for (let j = head; j < i; j++) u[j & this.mask] = this.at(j) - base;
      this.base = base;
      u[i & this.mask] = t - base;
      return;
    }
    const f = new Float64Array(this.mask + 1);
    for (let j = head; j < i; j++) f[j & this.mask] = this.at(j);
    this.f64 = f;
    this.u32 = null;
  }
}
