/**
 * A pump's run cycles, opened and closed row by row by the pump-health pass: from the first
 * running reading to the first stopped one, with the mean current and the pressure rise that
 * the dry-run check reads.
 */
import type { PumpCycle } from "./pump-health.ts";

type OpenCycle = PumpCycle & { sum: number; count: number; basePressure: number; maxPressure: number };

/** The pump's cycles, opened and closed row by row. */
export class CycleTracker {
  readonly cycles: PumpCycle[] = [];
  starts = 0;
  private open: OpenCycle | undefined;

  /** A running row at `t`; `isStart` when the previous linked row was stopped. */
  running(t: number, current: number, pressure: number, isStart: boolean, prevPressure: number): void {
    if (!this.open) {
      if (isStart) this.starts++;
      this.open = { startMs: t, endMs: t, complete: isStart, meanCurrentA: NaN, pressureRisePsi: NaN, dryRun: false, sum: 0, count: 0, basePressure: isStart && !Number.isNaN(prevPressure) ? prevPressure : pressure, maxPressure: -Infinity };
    }
    this.open.sum += current;
    this.open.count++;
    if (!Number.isNaN(pressure)) this.open.maxPressure = Math.max(this.open.maxPressure, pressure);
  }

  /** A stopped row at `t`: the open cycle, if any, ends complete. */
  stopped(t: number, pressure: number): void {
    if (!this.open) return;
    if (!Number.isNaN(pressure)) this.open.maxPressure = Math.max(this.open.maxPressure, pressure);
    this.close(t, true);
  }

  get isOpen(): boolean {
    return this.open !== undefined;
  }

  close(endMs: number, complete: boolean): void {
    const c = this.open;
    if (!c) return;
    c.endMs = endMs;
    c.complete = c.complete && complete;
    c.meanCurrentA = c.count ? c.sum / c.count : NaN;
    c.pressureRisePsi = Number.isNaN(c.basePressure) || c.maxPressure === -Infinity ? NaN : c.maxPressure - c.basePressure;
    const { sum: _s, count: _c, basePressure: _b, maxPressure: _m, ...done } = c;
    this.cycles.push(done);
    this.open = undefined;
  }
}

