/**
 * A device's leak probability over the last `keepMs`, for the status page's sparkline: one
 * entry per `slotMs` of reading time holding the slot's highest probability (the sparkline
 * shows each bucket's maximum, and its buckets are 15 or 30 minutes wide), in typed arrays.
 * A plain list of points per poll grew to 2,880 objects per device over 48 h at a 1-minute
 * interval; this holds at most `keepMs / slotMs` entries of 12 bytes whatever the interval.
 */
/** Slot width, ms: finer than any sparkline bucket. */
export const TRAIL_SLOT_MS = 5 * 60_000;

export class ProbabilityTrail {
  /** Per entry: time of the newest point in its slot (epoch ms) and the slot's maximum. */
  private t = new Float64Array(8);
  private v = new Float32Array(8);
  private head = 0;
  private end = 0;

  constructor(
    private readonly keepMs: number,
    private readonly slotMs = TRAIL_SLOT_MS,
  ) {}

  get length(): number {
    return this.end - this.head;
  }

  /** Time of the newest point, epoch ms; -Infinity when empty. */
  get lastTs(): number {
    return this.end > this.head ? this.t[this.end - 1]! : -Infinity;
  }

  /** Adds a point; `ts` must be later than the newest (older or equal points are ignored). */
  push(ts: number, value: number): void {
    if (!(ts > this.lastTs)) return;
    const last = this.end - 1;
    if (last >= this.head && Math.floor(this.t[last]! / this.slotMs) === Math.floor(ts / this.slotMs)) {
      this.t[last] = ts;
      if (value > this.v[last]!) this.v[last] = value;
    } else {
      if (this.end === this.t.length) this.makeRoom(ts);
      this.t[this.end] = ts;
      this.v[this.end++] = value;
    }
    while (this.head < this.end && this.t[this.head]! < ts - this.keepMs) this.head++;
  }

  /** Times and values as views (read, do not keep). */
  columns(): { t: Float64Array; v: Float32Array } {
    return { t: this.t.subarray(this.head, this.end), v: this.v.subarray(this.head, this.end) };
  }

  private makeRoom(ts: number): void {
    while (this.head < this.end && this.t[this.head]! < ts - this.keepMs) this.head++;
    const rows = this.end - this.head;
    // Double only when more than half is still kept: each entry is moved a bounded number of times.
    const capacity = rows * 2 > this.t.length ? this.t.length * 2 : this.t.length;
    const t = capacity === this.t.length ? this.t : new Float64Array(capacity);
    const v = capacity === this.v.length ? this.v : new Float32Array(capacity);
    t.set(this.t.subarray(this.head, this.end));
    v.set(this.v.subarray(this.head, this.end));
    this.t = t;
    this.v = v;
    this.head = 0;
    this.end = rows;
  }
}
