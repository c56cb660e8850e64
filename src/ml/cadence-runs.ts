/**
 * Times kept as runs of one cadence (packed-times.ts): a device stamping its readings every
 * minute gives times `t₀ + k · 60,000`, so a day of them is one run — its first position, its
 * first time and its step — and takes no bytes a time. A missed reading, a late poll or a
 * restart starts a new run, so a day with a few of them is a few runs, not a byte a time.
 * Times with no cadence (a millisecond's jitter) would make a run of every time: past about a
 * run per 32 positions, `write` and `load` refuse and the owner packs them per block instead.
 *
 * Exact: a time is taken only when `first + (p − start) · step` gives it back, whole
 * milliseconds below 2^53 (integers add and multiply exactly there), and `at` computes the
 * very same expression.
 */

/** Runs allowed for `live` positions: about one a block of 32, and a few for a short store. */
export function runLimit(live: number): number {
  return 8 + (live >> 5);
}

export class CadenceRuns {
  /** Per run: its first position, that position's time, and the step (NaN while it holds one position). */
  private start = new Float64Array(4);
  private first = new Float64Array(4);
  private step = new Float64Array(4);
  /** Runs held; run r covers positions [start[r], start[r + 1]). */
  count = 0;

  /** The time at position `p` (a live one). */
  at(p: number): number {
    const r = this.runOf(p);
    const d = p - this.start[r]!;
    return d === 0 ? this.first[r]! : this.first[r]! + d * this.step[r]!;
  }

  /** Positions [from, to) into `out` from its start. */
  read(from: number, to: number, out: Float64Array): void {
    let r = this.runOf(from);
    for (let p = from; p < to; ) {
      const end = r + 1 < this.count ? Math.min(to, this.start[r + 1]!) : to;
      const s = this.start[r]!;
      const t = this.first[r]!;
      const step = this.step[r]!;
      for (; p < end; p++) out[p - from] = p === s ? t : t + (p - s) * step;
      r++;
    }
  }

  /**
   * Takes `t` at position `p`, the positions [lo, p) live and those after `p` not. Returns
   * false (and changes nothing) when `t` is not a safe integer or would start a run past the
   * limit for the live positions.
   */
  write(p: number, t: number, lo: number): boolean {
    if (!Number.isSafeInteger(t)) return false;
    if (p === lo) {
      this.count = 0;
      this.push(p, t);
      return true;
    }
    // Runs from `p` on are no longer live: `p` is written again.
    let n = this.count;
    while (n > 0 && this.start[n - 1]! >= p) n--;
    if (n > 0) {
      const r = n - 1;
      const d = p - this.start[r]!;
      const step = this.step[r]!;
      if (step !== step) {
        const s = t - this.first[r]!;
        if (d === 1 && Number.isSafeInteger(s)) {
          this.step[r] = s;
          this.count = n;
          return true;
        }
      } else if (t === this.first[r]! + d * step) {
        this.count = n;
        return true;
      }
    }
    const dead = n > 0 ? this.deadBefore(lo, n) : 0;
    if (n - dead + 1 > runLimit(p - lo + 1)) return false;
    this.count = n;
    this.drop(dead);
    this.push(p, t);
    return true;
  }

  /**
   * Replaces the runs with those of `times[0..n)` at positions `at…`; false (the runs then
   * undefined) when they are not safe integers or make more runs than the limit.
   */
  load(times: Float64Array, n: number, at: number): boolean {
    this.count = 0;
    const limit = runLimit(n);
    for (let i = 0; i < n; i++) {
      const t = times[i]!;
      if (!Number.isSafeInteger(t)) return false;
      const r = this.count - 1;
      if (r >= 0) {
        const d = at + i - this.start[r]!;
        const step = this.step[r]!;
        if (step !== step) {
          const s = t - this.first[r]!;
          if (d === 1 && Number.isSafeInteger(s)) {
            this.step[r] = s;
            continue;
          }
        } else if (t === this.first[r]! + d * step) continue;
      }
      if (this.count >= limit) return false;
      this.push(at + i, t);
    }
    return true;
  }

  /** Moves every position down by `from` (the owner's move), forgetting the runs wholly before it. */
  shift(from: number): void {
    this.drop(this.deadBefore(from, this.count));
    for (let r = 0; r < this.count; r++) this.start[r] = this.start[r]! - from;
  }

  /** Bytes held (for measurements). */
  get bytes(): number {
    return 3 * this.start.byteLength;
  }

  /** How many of the first `n` runs end at or before `lo` (their successor starts there or before). */
  private deadBefore(lo: number, n: number): number {
    let k = 0;
    while (k + 1 < n && this.start[k + 1]! <= lo) k++;
    return k;
  }

  private drop(k: number): void {
    if (k === 0) return;
    for (const a of [this.start, this.first, this.step]) a.copyWithin(0, k, this.count);
    this.count -= k;
  }

  private push(p: number, t: number): void {
    if (this.count === this.start.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.start = grow(this.start);
      this.first = grow(this.first);
      this.step = grow(this.step);
    }
    const r = this.count++;
    this.start[r] = p;
    this.first[r] = t;
    this.step[r] = Number.NaN;
  }

  /** The run holding position `p`: the last whose start is at or before it. */
  private runOf(p: number): number {
    const start = this.start;
    let hi = this.count - 1;
    if (start[hi]! <= p) return hi;
    let lo = 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (start[mid]! <= p) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
