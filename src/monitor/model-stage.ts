/**
 * The forest stage of a device's pipeline: the model's feature windows (the same engine
 * training uses), scaler, forest and alarm persistence, fed the buffer's rows one by one with
 * the rules firing at each. Holds derived windows only; the readings stay in the buffer.
 */
import { FeatureStream } from "../ml/feature-stream.ts";
import type { LeakModel } from "../ml/model-file.ts";
import { VerdictStream, type Verdict } from "../ml/verdict.ts";
import { describeError } from "../errors.ts";
import type { BufferRow } from "./device-pipeline.ts";

/** Buffer history the stage replays when it is (re)built: the 24 h window plus margin. */
export const MODEL_REPLAY_MS = 26 * 3_600_000;

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
   * Starts afresh for `keys` and replays `rows`; rules do not change the windows, so only the
   * newest row gets `rules` (those firing now).
   */
  rebuild(keys: readonly string[], rows: readonly BufferRow[], rules: readonly string[] = []): void {
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
    rows.forEach((row, i) => this.push(row, i === rows.length - 1 ? rules : []));
  }

  /** Scores one row; `rules` are those firing at its time. */
  push(row: BufferRow, rules: readonly string[]): void {
    if (!this.stream || !this.verdicts) return;
    const features = this.stream.push(row.ts, row.values);
    if (!features) return;
    const z = this.model.scaler.transformRow(features);
    const decision = this.model.forest.decisionFunction({ data: z, rows: 1, cols: z.length })[0]!;
    this.features = features;
    this.decision = decision;
    this.coverage = this.stream.coverage;
    this.verdict = this.verdicts.push(row.ts, decision, rules, features, this.coverage, this.stream.local);
    this.latestTs = row.ts;
  }
}
