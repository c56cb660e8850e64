/**
 * The history of one simulated device, generated on demand: a state checkpoint at every local
 * midnight since the origin (a few numbers each), and whole days regenerated from their
 * checkpoint into a shared, bounded LRU cache. Memory stays bounded however long the history.
 */
import type { ScenarioTruth } from "./scenario.ts";
import { deviceKeys, type SimDeviceSpec } from "./site.ts";
import { initialState, localDayOf, localDayStart, runDay, type DayFrame, type WellState } from "./well-model.ts";

/** Days cached across all devices; a dense (10 s) day of 20 keys is about 1.4 MB. */
export class DayCache {
  private readonly days = new Map<string, DayFrame>();
  constructor(readonly capacity = 48) {}

  get(key: string): DayFrame | undefined {
    const frame = this.days.get(key);
    if (frame) {
      this.days.delete(key);
      this.days.set(key, frame);
    }
    return frame;
  }

  set(key: string, frame: DayFrame): void {
    this.days.set(key, frame);
    while (this.days.size > this.capacity) this.days.delete(this.days.keys().next().value!);
  }

  dropFrom(prefix: string, fromDay: number): void {
    for (const key of [...this.days.keys()]) {
      if (key.startsWith(prefix) && Number(key.slice(prefix.length)) >= fromDay) this.days.delete(key);
    }
  }
}

export class DeviceHistory {
  readonly keys: readonly string[];
  private readonly keySet: Set<string>;
  private readonly originDay: number;
  /** checkpoints[i] = state at the start of local day originDay + i. */
  private readonly checkpoints: WellState[];
  private scenarios: ScenarioTruth[] = [];
  private readonly cachePrefix: string;

  /**
   * @param originMs first instant with data (epoch ms); the model starts at that day's local midnight.
   */
  constructor(
    readonly spec: SimDeviceSpec,
    readonly seed: number,
    readonly originMs: number,
    private readonly cache: DayCache,
  ) {
    this.keys = deviceKeys(spec);
    this.keySet = new Set(this.keys);
    this.originDay = localDayOf(spec, originMs);
    this.checkpoints = [initialState(spec)];
    this.cachePrefix = `${spec.id}:`;
  }

  hasKey(key: string): boolean {
    return this.keySet.has(key);
  }

  get intervalMs(): number {
    return this.spec.sampleIntervalSeconds * 1000;
  }

  /** Adds a scenario; days from its start on are regenerated next time they are read. */
  addScenario(s: ScenarioTruth): void {
    this.scenarios.push(s);
    const day = Math.max(this.originDay, localDayOf(this.spec, s.startMs));
    this.checkpoints.length = Math.min(this.checkpoints.length, day - this.originDay + 1);
    this.cache.dropFrom(this.cachePrefix, day);
  }

  /** Gap windows [start, end) in which no point exists. */
  gaps(): { startMs: number; endMs: number }[] {
    return this.scenarios.filter((s) => s.kind === "gap").map((s) => ({ startMs: s.startMs, endMs: s.endMs ?? Number.POSITIVE_INFINITY }));
  }

  /** True when a sample at `ts` is withheld by a gap scenario. */
  inGap(ts: number): boolean {
    for (const s of this.scenarios) if (s.kind === "gap" && ts >= s.startMs && (s.endMs === null || ts < s.endMs)) return true;
    return false;
  }

  /** All samples of local day `day` (gaps not applied), generated or from the cache. */
  day(day: number): DayFrame {
    const key = this.cachePrefix + day;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const state = { ...this.checkpointFor(day) };
    const frame = runDay(this.spec, this.seed, day, state, this.scenarios, true)!;
    if (this.checkpoints.length === day - this.originDay + 1) this.checkpoints.push(state);
    this.cache.set(key, frame);
    return frame;
  }

  private checkpointFor(day: number): WellState {
    const index = day - this.originDay;
    if (index < 0) throw new RangeError(`day ${day} is before the origin day ${this.originDay}`);
    while (this.checkpoints.length <= index) {
      const state = { ...this.checkpoints[this.checkpoints.length - 1] };
      runDay(this.spec, this.seed, this.originDay + this.checkpoints.length - 1, state, this.scenarios, false);
      this.checkpoints.push(state);
    }
    return this.checkpoints[index];
  }

  dayOf(ms: number): number {
    return localDayOf(this.spec, ms);
  }

  dayStart(day: number): number {
    return localDayStart(this.spec, day);
  }

  /**
   * Visits the samples with `fromMs <= ts < toMs` (already clipped to the origin and "now" by
   * the caller), skipping gaps, in ascending or descending order; stop by returning false.
   */
  forEachSample(fromMs: number, toMs: number, descending: boolean, visit: (frame: DayFrame, row: number) => boolean): void {
    const from = Math.max(fromMs, this.originMs);
    if (toMs <= from) return;
    const first = this.dayOf(from);
    const last = this.dayOf(toMs - 1);
    const interval = this.intervalMs;
    const hasGaps = this.scenarios.some((s) => s.kind === "gap");
    for (let d = descending ? last : first; descending ? d >= first : d <= last; d += descending ? -1 : 1) {
      const frame = this.day(d);
      const start = this.dayStart(d);
      const lo = Math.max(0, Math.ceil((from - start) / interval));
      const hi = Math.min(frame.ts.length - 1, Math.ceil((toMs - start) / interval) - 1);
      for (let r = descending ? hi : lo; descending ? r >= lo : r <= hi; r += descending ? -1 : 1) {
        if (hasGaps && this.inGap(frame.ts[r])) continue;
        if (!visit(frame, r)) return;
      }
    }
  }

  /** The number of samples with `fromMs <= ts < toMs` (clipped to the origin), gaps excluded. */
  countSamples(fromMs: number, toMs: number): number {
    const from = Math.max(fromMs, this.originMs);
    const interval = this.intervalMs;
    // Samples sit on multiples of the interval (local midnights are whole hours).
    const count = (a: number, b: number) => (b <= a ? 0 : Math.max(0, Math.ceil(b / interval) - Math.ceil(a / interval)));
    let n = count(from, toMs);
    const windows = this.gaps()
      .map((g) => ({ a: Math.max(g.startMs, from), b: Math.min(g.endMs, toMs) }))
      .filter((g) => g.b > g.a)
      .sort((x, y) => x.a - y.a);
    let coveredTo = Number.NEGATIVE_INFINITY;
    for (const g of windows) {
      const a = Math.max(g.a, coveredTo);
      if (g.b > a) n -= count(a, g.b);
      coveredTo = Math.max(coveredTo, g.b);
    }
    return n;
  }
}
