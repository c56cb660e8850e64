/**
 * The per-device pipeline of `run`: the device's buffer and rule stage, fed by polls and by the
 * warm-up through one door. The analytics families and live scoring are consumers: each reads
 * the rows it has not seen yet from the buffer, so no reading is stored twice and the order in
 * which the poll observers run does not matter (feeding a snapshot twice adds nothing).
 */
import { localClock } from "../analytics/local-time.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { numericValue, type DeviceSnapshot } from "../nightowl/snapshot.ts";
import type { PollObserver, PollResult } from "../nightowl/poll-result.ts";
import type { DeviceBuffer } from "./device-buffer.ts";
import { FrameScratch } from "./frame-scratch.ts";
import { newDeviceBuffer } from "./replay.ts";
import { RuleStage, type RuleStageOptions } from "./rule-stage.ts";
import { slicer } from "../yield-to-server.ts";

const rowsScratch = new FrameScratch();

/** One row read back from the buffer. */
export interface BufferRow {
  ts: number;
  values: Record<string, number>;
}

export class DevicePipeline {
  buffer: DeviceBuffer;
  rules: RuleStage;
  /** Whether recent history has been taken (once per device). */
  warmed = false;

  constructor(
    readonly deviceId: string,
    private readonly options: RuleStageOptions = {},
  ) {
    this.buffer = newDeviceBuffer(deviceId, options.windowMs);
    this.rules = new RuleStage(options);
  }

  /** Takes a poll's readings; returns the new row's time, if the snapshot held a new reading. */
  observe(snapshot: DeviceSnapshot): number | undefined {
    const readings: Array<readonly [string, number, number]> = [];
    for (const [key, r] of Object.entries(snapshot.telemetry)) {
      const v = numericValue(r.value);
      if (v !== null) readings.push([key, r.ts, v]);
    }
    const ts = this.buffer.push(readings);
    if (ts !== undefined) this.rules.update(this.buffer);
    return ts;
  }

  /**
   * Takes recent history (the warm-up) in one go. The rules are not evaluated row by row (a
   * warm-up gives no verdicts; that is the replay's cost) but at each local midnight the
   * history crosses, so the complete days it holds are remembered for the baseline, and at the
   * row that opened the last cadence slot — where a replay of the same rows last evaluated
   * them — so the first poll's rules are those `score` gives that row. Once per device.
   */
  warm(frame: HistoryFrame): number {
    if (this.warmed) return 0;
    this.warmed = true;
    // Rows polled before the history arrived go after it: start afresh and take them again.
    const polled = this.buffer.length > 0 ? this.rowsAfter(-Infinity) : [];
    if (polled.length > 0) {
      this.buffer = newDeviceBuffer(this.deviceId, this.options.windowMs);
      this.rules = new RuleStage(this.options);
    }
    this.buffer.reserveFor(frame.ts);
    const newest = Math.max(frame.ts.length ? frame.ts[frame.ts.length - 1]! : -Infinity, polled.at(-1)?.ts ?? -Infinity);
    const lastSlot = this.rules.slotOf(newest);
    const clock = localClock(this.options.timeZone ?? "UTC");
    let taken = 0;
    let day = Number.NaN;
    const took = (ts: number | undefined) => {
      if (ts === undefined) return;
      taken++;
      const d = clock.dayIndex(ts);
      if (this.rules.slotOf(ts) === lastSlot) this.rules.update(this.buffer);
      else if (d !== day && day === day) this.rules.analyze(this.buffer);
      day = d;
    };
    for (let i = 0; i < frame.ts.length; i++) took(this.buffer.pushFrameRow(frame, i));
    for (const row of polled) took(this.buffer.push(Object.entries(row.values).map(([k, v]) => [k, row.ts, v] as const)));
    return taken;
  }

  /** The rows newer than `afterTs`, oldest first (at most `spanMs` back from the newest). */
  rowsAfter(afterTs: number, spanMs = Infinity): BufferRow[] {
    if (!(this.buffer.lastTs > afterTs)) return [];
    // The rows are copied out: the decoded arrays serve every device's call, each poll.
    const frame = this.buffer.frame(Math.max(afterTs, this.buffer.lastTs - spanMs), undefined, rowsScratch);
    const keys = Object.keys(frame.columns);
    const out: BufferRow[] = [];
    for (let i = 0; i < frame.ts.length; i++) {
      if (!(frame.ts[i]! > afterTs)) continue;
      const values: Record<string, number> = {};
      for (const k of keys) {
        const v = frame.columns[k]![i]!;
        if (v === v) values[k] = v;
      }
      out.push({ ts: frame.ts[i]!, values });
    }
    return out;
  }
}

/**
 * Every device's pipeline in `run`. A poll observer and the warm-up's target; consumers call
 * `feed` with the snapshot they are given, which is a no-op when it was fed already.
 */
export class DevicePipelines implements PollObserver {
  private readonly pipelines = new Map<string, DevicePipeline>();
  /** The snapshot each pipeline was last fed. */
  private readonly fed = new Map<string, DeviceSnapshot>();

  constructor(readonly options: RuleStageOptions = {}) {}

  /** The device's pipeline, fed with the snapshot's new readings (none when already fed). */
  feed(device: DeviceSnapshot): DevicePipeline {
    const p = this.pipeline(device.id);
    // Every consumer feeds the poll's snapshot: the first one does the work.
    if (this.fed.get(device.id) !== device) {
      this.fed.set(device.id, device);
      p.observe(device);
    }
    return p;
  }

  get(deviceId: string): DevicePipeline | undefined {
    return this.pipelines.get(deviceId);
  }

  /** Fills a device's buffer from recent history, once per device (see `DevicePipeline.warm`). */
  warm(device: DeviceSnapshot, frame: HistoryFrame): void {
    this.pipeline(device.id).warm(frame);
  }

  /** Feeds every device of a poll (a slot's analysis is about a millisecond a device), yielding to the server between slices. */
  async observe(result: PollResult): Promise<void> {
    if (!result.ok) return;
    const seen = new Set<string>();
    const pause = slicer();
    for (const d of result.devices) {
      seen.add(d.id);
      await pause();
      this.feed(d);
    }
    for (const id of this.pipelines.keys()) {
      if (seen.has(id)) continue;
      this.pipelines.delete(id);
      this.fed.delete(id);
    }
  }

  private pipeline(id: string): DevicePipeline {
    let p = this.pipelines.get(id);
    if (!p) this.pipelines.set(id, (p = new DevicePipeline(id, this.options)));
    return p;
  }
}
