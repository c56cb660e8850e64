/**
 * Batch scoring with a trained leak model: a frame's rows in time order through the features,
 * scaler, forest and alarm persistence (with the rules and the owner's event each row had),
 * one verdict per row once the windows have data.
 */
import { applyEvent, type EventMark } from "../events/covering.ts";
import type { OwnerEvent } from "../events/events-file.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { FEATURE_BLOCK_ROWS, forEachFeatureBlock } from "./feature-blocks.ts";
import type { LeakModel } from "./model-file.ts";
import { VerdictStream } from "./verdict.ts";

/** One scored row. */
export interface ScoredRow {
  /** Epoch ms. */
  ts: number;
  deviceId: string;
  deviceName: string;
  userLabel: string;
  /** Forest decision score; negative = anomalous. */
  decision: number;
  /** Leak probability, percent. */
  probability: number;
  isAnomaly: boolean;
  /** Top (feature, contribution) pairs, largest first. */
  top: Array<[string, number]>;
  /** Rules triggered on this row. */
  rules: readonly string[];
  /** Share (0–1) of the row's least-covered feature window that readings fill. */
  coverage: number;
  /** Why the forest had no say on this row (its windows mostly gap), if so. */
  reason?: string;
  /** The owner's event that turned this row's alarm off (expected, maintenance)… */
  silencedBy?: EventMark;
  /** …or on (away); docs/events.md. */
  sharpenedBy?: EventMark;
}

export interface ScoreOptions {
  /** The sites' time zone for local-time features; default the zone the model was trained with. */
  timeZone?: string;
  /** How many top features to explain per row (0 skips contributions: faster). Default 3. */
  topFeatures?: number;
  /** Rule triggers per row of a frame, if rules are available. */
  rulesFor?: (frame: HistoryFrame) => (ts: number) => readonly string[];
  /** The owner's event covering a device at a time, if any (src/events/covering.ts). */
  eventAt?: (deviceId: string, ts: number) => OwnerEvent | undefined;
}

/** Scores every row of every frame once its windows have data. */
export function scoreFrames(model: LeakModel, frames: readonly HistoryFrame[], options: ScoreOptions = {}): ScoredRow[] {
  const out: ScoredRow[] = [];
  for (const frame of frames) scoreFrame(model, frame, options, (row) => out.push(row));
  return out;
}

/**
 * Scores one frame's rows in time order once its windows have data, handing each row to
 * `onRow` as soon as it is scored and keeping none: the features are computed, standardised
 * and scored a block of rows at a time, so memory does not grow with the history.
 */
export function scoreFrame(model: LeakModel, frame: HistoryFrame, options: ScoreOptions, onRow: (row: ScoredRow) => void): void {
  if (frame.ts.length === 0) return;
  const topN = options.topFeatures ?? 3;
  const cols = model.featureNames.length;
  const z = new Float64Array(FEATURE_BLOCK_ROWS * cols);
  const verdicts = new VerdictStream(model.alarm, model.featureNames);
  const rules = options.rulesFor?.(frame);
  const featureOptions = { ...model.featureOptions, timeZone: options.timeZone ?? model.featureOptions.timeZone, featureNames: model.featureNames };
  forEachFeatureBlock(frame, featureOptions, (block) => {
    for (let i = 0; i < block.rows; i++) model.scaler.transformAt(block.data, i * cols, z, i * cols);
    const decision = model.forest.decisionFunction({ data: z.subarray(0, block.rows * cols), rows: block.rows, cols });
    for (let i = 0; i < block.rows; i++) {
      const ts = block.ts[i]!;
      const triggered = rules ? rules(ts) : [];
      // The event changes this row's verdict only: the stream's windows go on as the data says.
      const v = applyEvent(verdicts.push(ts, decision[i]!, triggered, block.data.subarray(i * cols, (i + 1) * cols), block.coverage[i], block.local[i]), options.eventAt?.(frame.deviceId, ts));
      onRow({
        ts,
        deviceId: frame.deviceId,
        deviceName: frame.deviceName,
        userLabel: frame.userLabel,
        decision: decision[i]!,
        probability: v.probability,
        isAnomaly: v.isAnomaly,
        top: topN > 0 ? topFeatures(model, z.subarray(i * cols, (i + 1) * cols), topN) : [],
        rules: v.rules,
        coverage: block.coverage[i]!,
        ...(v.reason ? { reason: v.reason } : {}),
        ...(v.silencedBy ? { silencedBy: v.silencedBy } : {}),
        ...(v.sharpenedBy ? { sharpenedBy: v.sharpenedBy } : {}),
      });
    }
  });
}

/** The `n` features with the largest contribution for one standardised row. */
export function topFeatures(model: LeakModel, row: ArrayLike<number>, n: number): Array<[string, number]> {
  const c = model.forest.contributions(row);
  const order = Array.from(c.keys()).sort((a, b) => c[b] - c[a] || a - b);
  return order.slice(0, n).filter((i) => c[i] > 0).map((i) => [model.featureNames[i], c[i]]);
}
