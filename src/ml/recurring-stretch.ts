/**
 * A guard's schedule (the rest guard's and the range guard's), as `burst`'s: a stretch where the guard holds
 * that began within 30 minutes of the time of day another began on one of the previous 14 days
 * is a recurring draw (an irrigation schedule that started after training), not a leak — for
 * as long as that one lasted plus 15 minutes, so a leak that begins at a scheduled hour is not excused for longer;
 * stretches 15 minutes apart or closer are one. The first day of a new schedule still alarms. A
 * live monitor knows the stretches of the hours it has replayed and scored since.
 */
export const REST_SCHEDULE = { withinMs: 30 * 60_000, days: 14, mergeMs: 15 * 60_000, slackMs: 15 * 60_000 } as const;
const DAY_MS = 86_400_000;

/** One guard's stretches and whether the current one is excused by an earlier day's. */
export class RecurringStretches {
  /** The guard's stretches, [start, last row] epoch ms, the last one open. */
  private stretches: [number, number][] = [];
  /** How long today's stretch is excused by a schedule (the longest like one); −1: not scheduled. */
  private excuseMs = -1;

  /**
   * Whether the guard's stretch at `ts` (`above`: the guard holds there) is a recurring one;
   * remembers stretch starts. `startMs`: when the stretch began, if before its first row (the
   * rest guard's stretch begins at the site's last rest). `near`: the stretches remembered are
   * those where this holds (at least where the guard does): the range guard learns its schedule
   * from the mornings its features came near their maxima, not only from those that went over.
   */
  scheduled(ts: number, above: boolean, startMs = ts, near = above): boolean {
    if (near || above) {
      const open = this.stretches[this.stretches.length - 1];
      if (open && ts - open[1] <= REST_SCHEDULE.mergeMs) open[1] = ts;
      else {
        this.stretches = this.stretches.filter(([s]) => startMs - s <= (REST_SCHEDULE.days + 1) * DAY_MS);
        // The longest earlier stretch that began at this time of day: today's is excused as long as that one lasted.
        this.excuseMs = -1;
        for (const [s, e] of this.stretches) {
          const days = Math.round((startMs - s) / DAY_MS);
          if (days >= 1 && days <= REST_SCHEDULE.days && Math.abs(startMs - s - days * DAY_MS) <= REST_SCHEDULE.withinMs) this.excuseMs = Math.max(this.excuseMs, e - s);
        }
        this.stretches.push([startMs, ts]);
      }
    }
    if (!above) return false;
    const current = this.stretches[this.stretches.length - 1]!;
    return this.excuseMs >= 0 && current[1] - current[0] <= this.excuseMs + REST_SCHEDULE.slackMs;
  }
}
