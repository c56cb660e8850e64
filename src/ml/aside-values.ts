/**
 * The values a ring of decimals keeps aside (decimal-ring.ts): the few with no short decimal
 * form (a three-phase mean such as 7.333…), or a storeless ring's few exceptions to its one
 * value, by logical index. Rings write at increasing
 * indices and forget from the oldest, so two sorted arrays do what a Map did, at 16 bytes a
 * value where a Map's table took about 60, and no storage at all while none is aside (a device
 * keeps a dozen rings, most without any).
 */
export class AsideValues {
  private at: Float64Array | null = null;
  private values: Float64Array | null = null;
  /** Values held, at [0, size) of both arrays, their indices increasing. */
  size = 0;

  /** The value kept at index `i` (one that was added and not forgotten). */
  get(i: number): number {
    return this.values![this.lowerBound(i)]!;
  }

  /** The value kept at index `i`, or `otherwise` when none is (a ring of one value's exceptions, decimal-ring.ts). */
  find(i: number, otherwise: number): number {
    if (this.size === 0) return otherwise;
    const j = this.lowerBound(i);
    return this.at![j] === i ? this.values![j]! : otherwise;
  }

  /** The first of the values held whose index is `i` or more (the last if none is). */
  private lowerBound(i: number): number {
    const at = this.at!;
    let lo = 0;
    let hi = this.size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (at[mid]! < i) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Forgets the values at index `i` or after (rewritten). */
  forgetFrom(i: number): void {
    this.size = this.countBelow(i);
  }

  /** Forgets the values before `head` (no longer live), letting the storage go when none is left. */
  forgetBefore(head: number): void {
    const n = this.keepFrom(head, this.size);
    if (n === this.size) return;
    if (n === 0) this.clear();
    else this.size = n;
  }

  /** Keeps `x` at index `i`, forgetting the values before `head` and those at `i` or after (no longer live). */
  add(i: number, x: number, head: number): void {
    // Not forgetFrom and forgetBefore: the latter lets the storage go, which this writes into next.
    const n = this.keepFrom(head, this.countBelow(i));
    if (!this.at || n === this.at.length) {
      const size = Math.max(4, n + (n >> 1));
      const at = new Float64Array(size);
      const values = new Float64Array(size);
      if (this.at) {
        at.set(this.at.subarray(0, n));
        values.set(this.values!.subarray(0, n));
      }
      this.at = at;
      this.values = values;
    }
    this.at[n] = i;
    this.values![n] = x;
    this.size = n + 1;
  }

  /** How many of the values held have an index below `i`. */
  private countBelow(i: number): number {
    let n = this.size;
    while (n > 0 && this.at![n - 1]! >= i) n--;
    return n;
  }

  /** Moves those of the first `n` values whose index is `head` or more to the front; how many they are. */
  private keepFrom(head: number, n: number): number {
    let gone = 0;
    while (gone < n && this.at![gone]! < head) gone++;
    if (gone > 0) {
      this.at!.copyWithin(0, gone, n);
      this.values!.copyWithin(0, gone, n);
    }
    return n - gone;
  }

  /** Forgets every value and lets the storage go. */
  clear(): void {
    this.at = this.values = null;
    this.size = 0;
  }
}
