/**
 * The one meter rule: how a flow meter's running total (`Pulse_TotalGallons`) becomes gallons
 * drawn, used by the consumption figures, the monitor's water total and the leak model's flow
 * feature alike. A reading above the current meter's highest adds the difference; a fall of
 * at most `toleranceGallons` is jitter (nothing drawn, the highest kept, so the climb back is
 * not counted twice); a larger fall is a replaced meter, whose reading is what it has counted
 * since the swap.
 */

/** Falls of more than this are a meter replacement, gallons. */
export const METER_REPLACEMENT_TOLERANCE_GALLONS = 1;

export class Meter {
  /** Highest reading of the current meter; NaN before the first reading. */
  high = Number.NaN;
  /** Whether the last reading was a replaced meter's. */
  replaced = false;

  constructor(readonly toleranceGallons = METER_REPLACEMENT_TOLERANCE_GALLONS) {}

  /** Gallons drawn since the previous reading, given reading `c`; NaN for the first. */
  add(c: number): number {
    this.replaced = false;
    if (Number.isNaN(this.high)) {
      this.high = c;
      return Number.NaN;
    }
    if (c < this.high - this.toleranceGallons) {
      this.replaced = true;
      this.high = c;
      return Math.max(0, c);
    }
    if (c > this.high) {
      const added = c - this.high;
      this.high = c;
      return added;
    }
    return 0;
  }
}
