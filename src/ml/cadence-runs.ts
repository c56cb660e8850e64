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
  /**
   * Per run, three numbers: its first position, that position's time, and the step (NaN while
   * it holds one position). One array, not three: a device keeps six of these.
   */
  private runs = new Float64Array(12);
  /** Runs held; run r covers positions [its start, the next run's start). */
  count = 0;

  /** The time at position `p` (a live one). */
  at(p: number): number {
    const runs = this.runs;
    // Most reads are of the newest run (one run is the usual case).
    let k = 3 * (this.count - 1);
    if (runs[k]! > p) k = 3 * this.runOf(p);
    const d = p - runs[k]!;
    return d === 0 ? runs[k + 1]! : runs[k + 1]! + d * runs[k + 2]!;
  }

  /** Positions [from, to) into `out` from its start. */
  read(from: number, to: number, out: Float64Array): void {
    const runs = this.runs;
    for (let r = this.runOf(from), p = from; p < to; r++) {
      const k = 3 * r;
      const end = r + 1 < this.count ? Math.min(to, runs[k + 3]!) : to;
      const s = runs[k]!;
      const t = runs[k + 1]!;
      const step = runs[k + 2]!;
      for (; p < end; p++) out[p - from] = p === s ? t : t + (p - s) * step;
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
    const runs = this.runs;
    // Runs from `p` on are no longer live: `p` is written again.
    let n = this.count;
    while (n > 0 && runs[3 * (n - 1)]! >= p) n--;
    if (n > 0 && this.extends(3 * (n - 1), p, t)) {
      this.count = n;
      return true;
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
      if (this.count > 0 && this.extends(3 * (this.count - 1), at + i, t)) continue;
      if (this.count >= limit) return false;
      this.push(at + i, t);
    }
    return true;
  }

  /** Moves every position down by `from` (the owner's move), forgetting the runs wholly before it. */
  shift(from: number): void {
    this.drop(this.deadBefore(from, this.count));
    for (let k = 0; k < 3 * this.count; k += 3) this.runs[k] = this.runs[k]! - from;
  }

  /** Bytes held (for measurements). */
  get bytes(): number {
    return this.runs.byteLength;
  }

  /** Whether the run at `k` goes on to `t` at `p`, the position after its last (taking its step from its second). */
  private extends(k: number, p: number, t: number): boolean {
    const runs = this.runs;
    const d = p - runs[k]!;
    const step = runs[k + 2]!;
    if (step === step) return t === runs[k + 1]! + d * step;
    const s = t - runs[k + 1]!;
    if (d !== 1 || !Number.isSafeInteger(s)) return false;
    runs[k + 2] = s;
    return true;
  }

  /** How many of the first `n` runs end at or before `lo` (their successor starts there or before). */
  private deadBefore(lo: number, n: number): number {
    let r = 0;
    while (r + 1 < n && this.runs[3 * (r + 1)]! <= lo) r++;
    return r;
  }

  private drop(r: number): void {
    if (r === 0) return;
    this.runs.copyWithin(0, 3 * r, 3 * this.count);
    this.count -= r;
  }

  private push(p: number, t: number): void {
    if (3 * this.count === this.runs.length) {
      const grown = new Float64Array(this.runs.length * 2);
      grown.set(this.runs);
      this.runs = grown;
    }
    const k = 3 * this.count++;
    this.runs[k] = p;
    this.runs[k + 1] = t;
    this.runs[k + 2] = Number.NaN;
  }

  /** The run holding position `p`: the last whose start is at or before it. */
  private runOf(p: number): number {
    const runs = this.runs;
    let hi = this.count - 1;
    if (runs[3 * hi]! <= p) return hi;
    let lo = 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (runs[3 * mid]! <= p) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
