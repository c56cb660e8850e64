/**
 * One device's series in the per-device families (device-family.ts), each in a numbered slot:
 * the analytics' flow, pump and rule series, the ML verdict's. A slot keeps the handle of its
 * series from its first `set` and later writes only the value, so a poll that sets the same
 * series again costs a typed array's write, and the series keeps its place on the page.
 *
 * A slot owns its series: nothing else may set or remove it (else the slot would write to a
 * series the family no longer holds, or to another that took its place).
 */
import { counterIncrement, type DeviceFamily, type SeriesDevice } from "./device-family.ts";

export class SeriesSlots {
  /** Per slot its series' handle, or -1 (or nothing) for none. */
  private readonly handles: number[] = [];

  constructor(readonly device: SeriesDevice) {}

  /** Sets slot `slot`'s series of `gauge` to `value`; `extra` is its extra label's value, if the family has one. */
  set(slot: number, gauge: DeviceFamily, value: number, extra?: string): void {
    const handle = this.handles[slot] ?? -1;
    if (handle >= 0) gauge.set(handle, value);
    else this.handles[slot] = gauge.add(this.device, extra, value);
  }

  /** Adds `delta` (≥ 0) to slot `slot`'s series of `counter`, made at `delta` if it is new; refuses what prom-client refuses. */
  add(slot: number, counter: DeviceFamily, delta: number, extra?: string): void {
    const handle = this.handles[slot] ?? -1;
    if (handle >= 0) counter.inc(handle, delta);
    else this.handles[slot] = counter.add(this.device, extra, counterIncrement(delta));
  }

  /** Removes slot `slot`'s series from `family`, if it has one. */
  remove(slot: number, family: DeviceFamily): void {
    const handle = this.handles[slot] ?? -1;
    if (handle < 0) return;
    family.remove(handle);
    this.handles[slot] = -1;
  }

  /** Whether slot `slot` has a series. */
  has(slot: number): boolean {
    return (this.handles[slot] ?? -1) >= 0;
  }
}
