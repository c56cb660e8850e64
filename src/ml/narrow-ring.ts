/**
 * The sample times of the feature windows (window-set.ts) and of the verdict's means
 * (time-window-mean.ts), stored as narrowly as they stay exact: a fleet keeps a day of samples
 * per signal per device, so bytes per sample are most of the model's memory, and every time
 * read back is the time stored, bit for bit, so no feature or score moves. Their values live
 * in decimal-ring.ts.
 *
 * Addressed by ever-growing logical indices: index `i` is at `i − origin` of a store a little
 * bigger than the live positions [head, tail). When the tail reaches the store's end the owner
 * moves the live positions to its start (`compact`), into a store an eighth bigger than they
 * are when they fill more than eight ninths of it (`ringCapacity`). A ring that doubled held a
 * day of 1,441 one-minute samples in 2,048 positions; this holds them in about 1,620.
 *
 * Positions are computed as `(i − origin) | 0`: indices often arrive as doubles (the windows'
 * starts live in a Float64Array), and a typed array read at a double index took the feature
 * engine 40 % longer; `| 0` makes it an integer access, as `i & mask` did.
 */
import { PackedTimes } from "./packed-times.ts";

/**
 * The store size for `live` positions (plus the one about to be written) once a store of
 * `capacity` is full: the same when at most eight ninths of it are live, so moving them frees
 * at least a ninth (each position is moved at most nine times: amortised O(1)); else an
 * eighth above them.
 */
export function ringCapacity(live: number, capacity: number): number {
  return live * 9 > capacity * 8 ? Math.ceil(live * 1.125) + 1 : capacity;
}

/** A store of `size` (the same one when its size already is) holding `old`'s [from, to) at its start. */
export function compactStore<T extends Int8Array | Int16Array | Int32Array | Float64Array>(old: T, size: number, from: number, to: number): T {
  if (old.length === size) {
    old.copyWithin(0, from, to);
    return old;
  }
  const next = new (old.constructor as new (n: number) => T)(size);
  next.set(old.subarray(from, to));
  return next;
}

/**
 * Timestamps in epoch ms, at logical indices: a packed store (packed-times.ts, about a byte and
 * a quarter a time where Uint32 offsets took 4) addressed at `i − origin`.
 */
export class TimeRing {
  private store: PackedTimes;
  /** The logical index at store position 0. */
  private origin = 0;

  constructor(size = 64) {
    this.store = new PackedTimes(size);
  }

  /** Positions the store holds. */
  get capacity(): number {
    return this.store.capacity;
  }

  /** Bytes the store holds (for tests and measurements). */
  get bytes(): number {
    return this.store.bytes();
  }

  at(i: number): number {
    return this.store.at((i - this.origin) | 0);
  }

  /** Stores `t` at `i`; [head, i) are the live positions, read by `at` later. */
  set(i: number, t: number, head: number): void {
    this.store.set((i - this.origin) | 0, t, (head - this.origin) | 0);
  }

  /** Moves the live positions [head, tail) to the start of a store of `size` positions. */
  compact(size: number, head: number, tail: number): void {
    this.store.relayout(head - this.origin, tail - this.origin, size);
    this.origin = head;
  }
}
