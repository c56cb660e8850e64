/**
 * Training and batch scoring of the leak model: history frames → features → scaler → forest →
 * calibration and alarm rule, and back. `train`, `score`, the benchmarks and the shipped global
 * model all go through these two functions, so they cannot drift apart.
 */
import type { Matrix } from "ml-matrix";
import { NightowlError } from "../errors.ts";
import { applyEvent, type EventMark } from "../events/covering.ts";
import type { OwnerEvent } from "../events/events-file.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { computeFeatures, featureNames } from "./features.ts";
import { IsolationForest, percentile, sortedPercentile } from "./iforest.ts";
import { matrixFromRows, matrixRows } from "./matrix-rows.ts";
import { confidenceFor, modelToText, parseModelText, type Confidence, type LeakModel } from "./model-file.ts";
import { StandardScaler } from "./scaler.ts";
import { calibrateAlarm, VerdictStream, type AlarmParams } from "./verdict.ts";

export interface TrainOptions {
  /** Share of training rows the forest's offset treats as anomalous, (0, 0.5]; default 0.05. */
  contamination?: number;
  nEstimators?: number;
  seed?: number;
  /** IANA time zone of the sites, for night and weekend features; default "UTC". */
  timeZone?: string;
  /** Label stored in the model ("global" for the fleet model). */
  userLabel: string;
  /** Where the history came from: "file", "prometheus", "nightowl", "simulated". */
  source: string;
  note?: string;
  /** Epoch ms "now" for `trained_at`; injected by tests. */
  now?: () => number;
  /** Features left out of the model (default {@link DEFAULT_EXCLUDED_FEATURES}). */
  exclude?: RegExp | null;
  /** Alarm calibration settings (windows, margin). */
  alarm?: Parameters<typeof calibrateAlarm>[1];
  /** Feature rows left out of training: the owner's maintenance and confirmed-leak windows (docs/events.md). */
  leaveOut?: (deviceId: string, ts: number) => boolean;
}

/**
 * Features the leak model leaves out by default: supply voltage describes the grid, not the
 * water (the pump-health rules watch it), and its noise would dilute the random splits.
 */
export const DEFAULT_EXCLUDED_FEATURES = /^pump_voltage/;

export interface TrainSummary {
  samples: number;
  features: number;
  devices: number;
  startMs: number;
  endMs: number;
  /** Share of training rows with a negative decision score (≈ contamination). */
  anomalyRate: number;
  /** Share of training rows the alarm flags (0 by construction of the calibration). */
  alarmRate: number;
  confidence: Confidence;
  durationMs: number;
}

export interface TrainResult {
  model: LeakModel;
  /** The model file's text; `model` scores exactly as this text does. */
  text: string;
  summary: TrainSummary;
}

interface FeatureBlock {
  frame: HistoryFrame;
  ts: Float64Array;
  data: Float64Array;
  rows: number;
  /** The same rows as `data`, as the Matrix the scaler and forest read. */
  matrix: Matrix;
}

/** Keys with at least one value in the frame: a key that is always empty is as good as absent. */
function keysWithValues(frame: HistoryFrame): string[] {
  return Object.entries(frame.columns)
    .filter(([, column]) => column.some((x) => x === x))
    .map(([key]) => key);
}

/**
 * The features every frame can feed: a model must not need a sensor one of its devices lacks,
 * so a fleet model over mixed sites (the global one) keeps to what they share.
 */
function commonFeatureNames(frames: readonly HistoryFrame[]): string[] {
  let names: string[] | undefined;
  for (const frame of frames) {
    const own = featureNames(keysWithValues(frame));
    names = names ? names.filter((n) => own.includes(n)) : own;
  }
  return names ?? [];
}

/** Fits a model on leak-free history. Throws `E_DATA` when there are too few feature rows. */
export function trainLeakModel(frames: readonly HistoryFrame[], options: TrainOptions): TrainResult {
  const started = performance.now();
  const now = options.now ?? Date.now;
  const timeZone = options.timeZone ?? "UTC";
  const contamination = options.contamination ?? 0.05;
  const nEstimators = options.nEstimators ?? 100;
  const seed = options.seed ?? 42;
  const usable = frames.filter((f) => f.ts.length > 0);
  if (usable.length === 0) throw new NightowlError("E_DATA", "no history rows to train on");
  const exclude = options.exclude === undefined ? DEFAULT_EXCLUDED_FEATURES : options.exclude;
  const names = commonFeatureNames(usable).filter((n) => !exclude || !exclude.test(n));
  const featureOptions = { timeZone };
  const blocks: FeatureBlock[] = [];
  let total = 0;
  for (const frame of usable) {
    // Features are computed over the whole frame (the windows see what happened), then the
    // rows the owner marked as not normal are dropped, so the forest never learns them as normal.
    const f = leaveOutRows(computeFeatures(frame, { timeZone, featureNames: names }), frame.deviceId, options.leaveOut);
    if (f.rows === 0) continue;
    blocks.push({ frame, ts: f.ts, data: f.data, rows: f.rows, matrix: f.matrix });
    total += f.rows;
  }
  const cols = names.length;
  if (total < 10) throw new NightowlError("E_DATA", `only ${total} feature rows in the history; at least 10 are needed (give more history: the windows need up to 24 h to fill)`);
  // Every device's rows in one Matrix, in place: the feature engine's memory, not a copy.
  const X = blocks.length === 1 ? blocks[0].matrix : matrixFromRows(blocks.flatMap((b) => matrixRows(b.matrix)), cols);
  const scaler = StandardScaler.fit(X);
  const Z = scaler.transform(X);
  // Grown with the "auto" offset: the contamination offset is set below from the rounded
  // model's scores, so the training rows are scored once, by the model as it will be saved.
  const forest = IsolationForest.fit(Z, { nEstimators, contamination: "auto", seed });

  let startMs = Infinity;
  let endMs = -Infinity;
  for (const b of blocks) {
    startMs = Math.min(startMs, b.ts[0]);
    endMs = Math.max(endMs, b.ts[b.rows - 1]);
  }
  const draft: LeakModel = {
    featureNames: names,
    featureOptions,
    scaler,
    forest,
    calibration: { offset: forest.offset, decision_quantiles: new Array(101).fill(0), training_anomaly_rate: 0 },
    alarm: calibrateAlarm([]),
    training: {
      trained_at: new Date(now()).toISOString(),
      samples: total,
      start_ms: startMs,
      end_ms: endMs,
      user_label: options.userLabel,
      device_ids: [...new Set(blocks.map((b) => b.frame.deviceId))],
      contamination,
      n_estimators: nEstimators,
      seed,
      confidence: confidenceFor(total),
      source: options.source,
      ...(options.note ? { note: options.note } : {}),
    },
  };
  // Calibrate with the model as it will be read back (rounded numbers), so the file scores as measured here.
  const rounded = parseModelText(modelToText(draft), "(new model)");
  // Z is no longer needed: reuse its memory (a 90-day history is 130,000 rows × 128 features).
  const decision = rounded.forest.scoreSamples(rounded.scaler.transform(X, Z));
  const forestOffset = percentile(decision, 100 * contamination);
  for (let i = 0; i < decision.length; i++) decision[i] -= forestOffset;
  const fitted = IsolationForest.fromJSON({ ...rounded.forest.toJSON(), contamination, offset: forestOffset });
  let negative = 0;
  for (let i = 0; i < decision.length; i++) if (decision[i] < 0) negative++;
  const sortedDecision = Float64Array.from(decision).sort();
  const quantiles = Array.from({ length: 101 }, (_, q) => sortedPercentile(sortedDecision, q));
  const series: Parameters<typeof calibrateAlarm>[0][number][] = [];
  let offset = 0;
  for (const b of blocks) {
    series.push({ ts: b.ts, decision: decision.subarray(offset, offset + b.rows), features: { names, data: b.data, cols } });
    offset += b.rows;
  }
  const alarm = calibrateAlarm(series, options.alarm);
  const model: LeakModel = { ...rounded, forest: fitted, calibration: { offset: forestOffset, decision_quantiles: quantiles, training_anomaly_rate: negative / total }, alarm };
  const text = modelToText(model);
  const final = parseModelText(text, "(new model)");
  const alarmRate = countAlarms(series, final.alarm, names) / total;
  return {
    model: final,
    text,
    summary: {
      samples: total,
      features: cols,
      devices: blocks.length,
      startMs,
      endMs,
      anomalyRate: negative / total,
      alarmRate,
      confidence: final.training.confidence,
      durationMs: performance.now() - started,
    },
  };
}

/** The feature rows `leaveOut` does not claim, compacted in place. */
function leaveOutRows<F extends { ts: Float64Array; data: Float64Array; rows: number; cols: number }>(f: F, deviceId: string, leaveOut: TrainOptions["leaveOut"]): F {
  if (!leaveOut) return f;
  let kept = 0;
  for (let i = 0; i < f.rows; i++) {
    if (leaveOut(deviceId, f.ts[i]!)) continue;
    if (kept !== i) {
      f.ts[kept] = f.ts[i]!;
      f.data.copyWithin(kept * f.cols, i * f.cols, (i + 1) * f.cols);
    }
    kept++;
  }
  return { ...f, ts: f.ts.subarray(0, kept), data: f.data.subarray(0, kept * f.cols), rows: kept };
}

function countAlarms(series: Parameters<typeof calibrateAlarm>[0], alarm: AlarmParams, names: readonly string[]): number {
  let n = 0;
  for (const s of series) {
    const stream = new VerdictStream(alarm, names);
    const cols = names.length;
    for (let i = 0; i < s.ts.length; i++) if (stream.push(s.ts[i], s.decision[i], [], s.features?.data.subarray(i * cols, (i + 1) * cols)).isAnomaly) n++;
  }
  return n;
}

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
  const topN = options.topFeatures ?? 3;
  const out: ScoredRow[] = [];
  for (const frame of frames) {
    if (frame.ts.length === 0) continue;
    const f = computeFeatures(frame, { ...model.featureOptions, timeZone: options.timeZone ?? model.featureOptions.timeZone, featureNames: model.featureNames });
    if (f.rows === 0) continue;
    const Z = model.scaler.transform(f.matrix);
    const decision = model.forest.decisionFunction(Z);
    const zRows = matrixRows(Z);
    const verdicts = new VerdictStream(model.alarm, model.featureNames);
    const rules = options.rulesFor?.(frame);
    for (let i = 0; i < f.rows; i++) {
      const ts = f.ts[i];
      const triggered = rules ? rules(ts) : [];
      // The event changes this row's verdict only: the stream's windows go on as the data says.
      const v = applyEvent(verdicts.push(ts, decision[i], triggered, f.data.subarray(i * f.cols, (i + 1) * f.cols)), options.eventAt?.(frame.deviceId, ts));
      out.push({
        ts,
        deviceId: frame.deviceId,
        deviceName: frame.deviceName,
        userLabel: frame.userLabel,
        decision: decision[i],
        probability: v.probability,
        isAnomaly: v.isAnomaly,
        top: topN > 0 ? topFeatures(model, zRows[i], topN) : [],
        rules: v.rules,
        ...(v.silencedBy ? { silencedBy: v.silencedBy } : {}),
        ...(v.sharpenedBy ? { sharpenedBy: v.sharpenedBy } : {}),
      });
    }
  }
  return out;
}

/** The `n` features with the largest contribution for one standardised row. */
export function topFeatures(model: LeakModel, row: ArrayLike<number>, n: number): Array<[string, number]> {
  const c = model.forest.contributions(row);
  const order = Array.from(c.keys()).sort((a, b) => c[b] - c[a] || a - b);
  return order.slice(0, n).filter((i) => c[i] > 0).map((i) => [model.featureNames[i], c[i]]);
}
