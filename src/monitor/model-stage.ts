/**
 * The forest stage of a device's pipeline: the model's feature windows (the same engine
 * training uses), scaler, forest and alarm persistence, fed the buffer's rows one by one with
 * the rules firing at each. Holds derived windows only; the readings stay in the buffer.
 */
import { FeatureStream, RowStatus } from "../ml/feature-stream.ts";
import type { LeakModel } from "../ml/model-file.ts";
import { VerdictStream, type Verdict } from "../ml/verdict.ts";
import { describeError } from "../errors.ts";
import type { DeviceBuffer } from "./device-buffer.ts";
import type { BufferRow } from "./device-pipeline.ts";
import { FrameScratch } from "./frame-scratch.ts";

/** Buffer history the stage replays when it is (re)built: the 24 h window plus margin. */
export const MODEL_REPLAY_MS = 26 * 3_600_000;

/**
 * The replay's rows, decoded into the same arrays for every device: a fleet's first poll
 * rebuilds every device's stage, and a row object per buffered row (26 h of them) was most of
 * that poll's garbage.
 */
const replayScratch = new FrameScratch();

export class ModelStage {
  private stream: FeatureStream | null = null;
  private verdicts: VerdictStream | null = null;
  private keys = "";
  /** Unscaled features, decision and verdict of the newest scored row. */
  features: Float64Array | null = null;
  decision = Number.NaN;
  /** Share (0–1) of the newest scored row's least-covered feature window that readings fill. */
  coverage = Number.NaN;
  verdict: Verdict | null = null;
  latestTs = Number.NaN;
  /** Why the model cannot score this device, if it cannot. */
  broken: string | null = null;

  constructor(
    readonly model: LeakModel,
    private readonly timeZone: string | undefined,
    private readonly deviceName: string,
  ) {}

  /** Whether the stage must be rebuilt for a device now reporting `keys` (a new key may complete the model's needs). */
  needsRebuild(keys: readonly string[]): boolean {
    return keys.join(",") !== this.keys;
  }

  /**
   * Starts afresh for `keys` and replays the last {@link MODEL_REPLAY_MS} of `buffer`'s rows;
   * rules do not change the windows, so only the newest row gets `rules` (those firing now).
   */
  rebuild(keys: readonly string[], buffer: DeviceBuffer, rules: readonly string[] = []): void {
    this.keys = keys.join(",");
    this.stream = null;
    this.verdicts = null;
    this.features = null;
    this.coverage = Number.NaN;
    this.verdict = null;
    this.broken = null;
    const model = this.model;
    try {
      this.stream = new FeatureStream([...keys].sort(), { ...model.featureOptions, timeZone: this.timeZone ?? model.featureOptions.timeZone, featureNames: model.featureNames }, this.deviceName);
    } catch (error) {
      this.broken = describeError(error);
      return;
    }
    this.verdicts = new VerdictStream(model.alarm, model.featureNames);
    if (buffer.length === 0) return;
    // A row's readings in the stream's key order, NaN where the row has none: what `push` of a
    // buffer row (whose values leave out the keys without a reading) hands the stream.
    const frame = buffer.frame(buffer.lastTs - MODEL_REPLAY_MS, undefined, replayScratch);
    const columns = this.stream.keys.map((k) => frame.columns[k]);
    const row = new Float64Array(columns.length);
    // Each row's features go into the same array (the verdict reads them and keeps nothing);
    // the stage keeps a copy of the last scored row's.
    const into = new Float64Array(this.stream.names.length);
    const n = frame.ts.length;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < columns.length; j++) row[j] = columns[j] ? columns[j]![i]! : Number.NaN;
      this.score(frame.ts[i]!, row, i === n - 1 ? rules : [], into);
    }
    if ((this.features as Float64Array | null) === into) this.features = into.slice();
  }

  /** Scores one row; `rules` are those firing at its time. */
  push(row: BufferRow, rules: readonly string[]): void {
    this.score(row.ts, row.values, rules);
  }

  /** Scores one row, its features into `into` when given (a row of the stream's keys), else into an array of their own. */
  private score(ts: number, values: Readonly<Record<string, number>> | ArrayLike<number>, rules: readonly string[], into?: Float64Array): void {
    if (!this.stream || !this.verdicts) return;
    const features = into ? (this.stream.step(ts, values as ArrayLike<number>, into, 0) === RowStatus.Valid ? into : null) : this.stream.push(ts, values);
    if (!features) return;
    const z = this.model.scaler.transformRow(features, scaled(features.length));
    const decision = this.model.forest.decisionFunction({ data: z, rows: 1, cols: z.length })[0]!;
    this.features = features;
    this.decision = decision;
    this.coverage = this.stream.coverage;
    this.verdict = this.verdicts.push(ts, decision, rules, features, this.coverage, this.stream.local);
    this.latestTs = ts;
  }
}

/**
 * The scaled row's array per feature count, reused row after row (the forest reads it and keeps
 * nothing): one array for every count, where one shared array was made anew whenever the next
 * device's model had another count (a fleet with per-user models alternates them every poll).
 */
const zScratch = new Map<number, Float64Array>();

export function scaled(cols: number): Float64Array {
  let z = zScratch.get(cols);
  if (!z) zScratch.set(cols, (z = new Float64Array(cols)));
  return z;
}
