/**
 * The maximum (or minimum) of several nested time windows over one signal's samples, O(1)
 * amortised per sample: one monotonic stack of sample indices (Lemire 2006, "Streaming
 * maximum-minimum filter using no more than three comparisons per element") shared by every
 * window, in which each window only keeps a position, its first element at or after the
 * window's start. The stack keeps each entry's value beside its index, so comparing never reads
 * the WindowSet's compactly stored samples (window-set.ts).
 */

/**
 * A growable ring of numbers addressed by logical position. It starts at 8: a stack holds the
 * samples no later one dominates, mostly a handful, and a fleet keeps 12 of these a device
 * (started at 64, they were a sixth of the model's state).
 */
class PositionRing {
  buf = new Float64Array(8);
  mask = 7;

  at(p: number): number {
    return this.buf[p & this.mask]!;
  }

  set(p: number, value: number): void {
    this.buf[p & this.mask] = value;
  }

  /** Makes room for positions [from, to) plus one. */
  ensure(from: number, to: number): void {
    if (to - from <= this.mask) return;
    let size = this.mask + 1;
    while (to - from >= size) size *= 2;
    const buf = new Float64Array(size);
    for (let p = from; p < to; p++) buf[p & (size - 1)] = this.buf[p & this.mask]!;
    this.buf = buf;
    this.mask = size - 1;
  }
}

export class WindowExtreme {
  private readonly stack = new PositionRing();
  /** The value of each stack entry's sample. */
  private readonly values = new PositionRing();
  /** Stack positions in use: [head, end). */
  private head = 0;
  private end = 0;
  /** Per window: stack position of its extreme. */
  private readonly front: Float64Array;

  constructor(
    windows: number,
    /** 1 keeps maxima, −1 minima. */
    private readonly sign: 1 | -1,
  ) {
    this.front = new Float64Array(windows);
  }

  /** Takes sample `i` with `value`: drops the samples it dominates, keeps each window's front valid. */
  push(i: number, value: number): void {
    const sign = this.sign;
    const stack = this.stack;
    const values = this.values;
    while (this.end > this.head && sign * values.at(this.end - 1) <= sign * value) this.end--;
    stack.ensure(this.head, this.end + 1);
    values.ensure(this.head, this.end + 1);
    values.set(this.end, value);
    stack.set(this.end++, i);
    const front = this.front;
    for (let k = 0; k < front.length; k++) if (front[k]! >= this.end) front[k] = this.end - 1;
  }

  /** Window `k` now starts at sample index `start`. */
  advance(k: number, start: number): void {
    const stack = this.stack;
    let f = this.front[k]!;
    while (f < this.end && stack.at(f) < start) f++;
    this.front[k] = f;
  }

  /** Forgets positions older than the front of window `k` (the longest). */
  trimTo(k: number): void {
    this.head = this.front[k]!;
  }

  /** Forgets everything. */
  clear(): void {
    this.head = this.end;
    this.front.fill(this.end);
  }

  /** Sample index of window `k`'s extreme (meaningless for an empty window). */
  at(k: number): number {
    return this.stack.at(this.front[k]!);
  }

  /** Value of window `k`'s extreme (meaningless for an empty window). */
  value(k: number): number {
    return this.values.at(this.front[k]!);
  }
}
