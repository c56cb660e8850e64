/**
 * A pointer into a WindowSet's samples that only moves forward, for rates of change and
 * spell references: each query looks no further back than the one before, so a whole
 * history costs O(1) amortised per query.
 */
import type { WindowSet } from "./window-set.ts";

export class Lookback {
  index = 0;

  constructor(private readonly set: WindowSet) {}

  reset(): void {
    this.index = this.set.tail;
  }

  /** The newest sample at or before `t`, or the oldest retained when none is that old. */
  at(t: number): number {
    const set = this.set;
    if (this.index < set.head) this.index = set.head;
    while (this.index + 1 < set.tail && set.tsAt(this.index + 1) <= t) this.index++;
    return this.index;
  }

  /** The first sample at or after `t`, or the newest when none is that recent. */
  firstFrom(t: number): number {
    const set = this.set;
    if (this.index < set.head) this.index = set.head;
    while (this.index + 1 < set.tail && set.tsAt(this.index) < t) this.index++;
    return this.index;
  }
}
