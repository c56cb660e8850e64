/**
 * Training of the leak model: history frames → features → scaler → forest → calibration and
 * alarm rule. `train`, the benchmarks and the shipped global model all go through it; scoring
 * with what it makes is score-frame.ts, on the same feature blocks, so the two cannot drift apart.
 */
import { NightowlError } from "../errors.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { watchedPumpOf } from "../analytics/pump-roles.ts";
import type { WatchedPump } from "./feature-catalog.ts";
import { featureNames } from "./features.ts";
import { IsolationForest, percentile, sortedPercentile } from "./iforest.ts";
import { FEATURE_BLOCK_ROWS, forEachFeatureBlock } from "./feature-blocks.ts";
import { FOREST_POOL_ROWS, RowPool } from "./row-pool.ts";
import { confidenceFor, modelToText, parseModelText, type Confidence, type LeakModel } from "./model-file.ts";
import { ScalerFit } from "./scaler.ts";
import { ALARM_INPUT_FEATURES, DEFAULT_MIN_COVERAGE, VerdictStream, type AlarmParams } from "./verdict.ts";
import { calibrateAlarm } from "./alarm-calibration.ts";
import { releaseMemory } from "../release-memory.ts";
import { paceGarbage } from "../pace-garbage.ts";

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
  /** Most feature rows kept for the forest to grow from (default {@link FOREST_POOL_ROWS}); see row-pool.ts. */
  forestPoolRows?: number;
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
function commonFeatureNames(frames: readonly HistoryFrame[], pump: WatchedPump): string[] {
  let names: string[] | undefined;
  for (const frame of frames) {
    const own = featureNames(keysWithValues(frame), { pump });
    names = names ? names.filter((n) => own.includes(n)) : own;
  }
  return names ?? [];
}

/**
 * Fits a model on leak-free history. Throws `E_DATA` when there are too few feature rows.
 *
 * Memory is about one block of feature rows, not the history: the feature engine runs over
 * each device twice, in blocks. The first pass fits the scaler (every row) and keeps the rows
 * the forest grows from (a uniform pool of at most `forestPoolRows`, row-pool.ts); the second
 * scores every row with the model as it will be saved, for the offset and the alarm.
 */
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
  // The pump features describe the pump answering house pressure, learned from the data: on a
  // cistern site the booster P2 sees a leak within minutes, the fill pump P1 only hours later.
  const pump = watchedPumpOf(usable);
  const featureOptions = pump === "P1" ? { timeZone } : { timeZone, pump };
  const names = commonFeatureNames(usable, pump).filter((n) => !exclude || !exclude.test(n));
  const cols = names.length;
  const minCoverage = options.alarm?.minCoverage ?? DEFAULT_MIN_COVERAGE;
  // Features are computed over the whole frame (the windows see what happened), then the rows
  // the owner marked as not normal are dropped, so the forest never learns them as normal, and
  // so are rows whose windows are mostly gap, on which the verdict never asks the forest.
  // Rows are passed as (buffer, offset), not as views: a view per row is garbage that piles up
  // faster than it is collected over a long history.
  const keptRows: KeptRows = (frame, onRow, onBlockEnd) =>
    forEachFeatureBlock(frame, { ...featureOptions, featureNames: names }, (block) => {
      for (let i = 0; i < block.rows; i++) {
        const ts = block.ts[i]!;
        if (block.coverage[i]! < minCoverage || options.leaveOut?.(frame.deviceId, ts)) continue;
        onRow(ts, block.data, i * cols, block.local[i]!);
      }
      onBlockEnd?.();
      // A collection asked for every so often: left to itself the heap grows to about twice
      // the live data first, and over many devices that data is the history (pace-garbage.ts).
      paceGarbage();
    });

  const { scaler, forest, total, devices, startMs, endMs, poolRows } = firstPass(usable, keptRows, cols, { seed, nEstimators, poolRows: options.forestPoolRows ?? FOREST_POOL_ROWS });
  // The pool given up, collected before pass 2 allocates: the two never add up.
  releaseMemory(total);

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
      device_ids: [...new Set(devices.map((d) => d.frame.deviceId))],
      contamination,
      n_estimators: nEstimators,
      seed,
      confidence: confidenceFor(total),
      source: options.source,
      ...(options.note ? { note: options.note } : {}),
      ...(poolRows === undefined ? {} : { forest_pool_rows: poolRows }),
    },
  };
  // Calibrate with the model as it will be read back (rounded numbers), so the file scores as measured here.
  const rounded = parseModelText(modelToText(draft), "(new model)");
  // Pass 2: every row's decision score, and per device what the alarm calibration reads.
  const guard = alarmFeatureColumns(names);
  const decision = new Float64Array(total);
  const series: CalibrationSeries[] = [];
  const zBlock = new Float64Array(FEATURE_BLOCK_ROWS * cols);
  let offset = 0;
  for (const { frame, rows } of devices) {
    const ts = new Float64Array(rows);
    const local = new Float64Array(rows);
    const guardData = new Float64Array(rows * guard.length);
    const from = offset;
    let inBlock = 0;
    let n = 0;
    keptRows(
      frame,
      (t, data, at, localMs) => {
        rounded.scaler.transformAt(data, at, zBlock, inBlock * cols);
        for (let g = 0; g < guard.length; g++) guardData[n * guard.length + g] = data[at + guard[g]!]!;
        local[n] = localMs;
        ts[n++] = t;
        inBlock++;
      },
      () => {
        if (inBlock === 0) return;
        decision.set(rounded.forest.scoreSamples({ data: zBlock.subarray(0, inBlock * cols), rows: inBlock, cols }), offset);
        offset += inBlock;
        inBlock = 0;
      },
    );
    series.push({ ts, local, decision: decision.subarray(from, from + rows), ...(guard.length ? { features: { names: guard.map((j) => names[j]!), data: guardData, cols: guard.length } } : {}) });
  }
  releaseMemory(total);
  const forestOffset = percentile(decision, 100 * contamination);
  for (let i = 0; i < decision.length; i++) decision[i] -= forestOffset;
  const fitted = IsolationForest.fromJSON({ ...rounded.forest.toJSON(), contamination, offset: forestOffset });
  let negative = 0;
  for (let i = 0; i < decision.length; i++) if (decision[i] < 0) negative++;
  const sortedDecision = Float64Array.from(decision).sort();
  const quantiles = Array.from({ length: 101 }, (_, q) => sortedPercentile(sortedDecision, q));
  const alarm = calibrateAlarm(series, options.alarm);
  const model: LeakModel = { ...rounded, forest: fitted, calibration: { offset: forestOffset, decision_quantiles: quantiles, training_anomaly_rate: negative / total }, alarm };
  const text = modelToText(model);
  const final = parseModelText(text, "(new model)");
  releaseMemory(total);
  const alarmRate = countAlarms(series, final.alarm) / total;
  return {
    model: final,
    text,
    summary: {
      samples: total,
      features: cols,
      devices: devices.length,
      startMs,
      endMs,
      anomalyRate: negative / total,
      alarmRate,
      confidence: final.training.confidence,
      durationMs: performance.now() - started,
    },
  };
}

type CalibrationSeries = Parameters<typeof calibrateAlarm>[0][number];

type KeptRows = (frame: HistoryFrame, onRow: (ts: number, data: Float64Array, at: number, local: number) => void, onBlockEnd?: () => void) => void;

/**
 * Pass 1: the scaler over every row, the forest grown from its pool, the rows per device and
 * the span. The pool (65,536 rows × the features: 57 MB at 109) is given up before it
 * returns, so pass 2 never holds it too (RowPool.release: a dropped reference alone is not
 * enough).
 */
function firstPass(usable: readonly HistoryFrame[], keptRows: KeptRows, cols: number, o: { seed: number; nEstimators: number; poolRows: number }) {
  const scalerFit = new ScalerFit(cols);
  const pool = new RowPool(cols, o.poolRows, o.seed, usable.reduce((n, f) => n + f.ts.length, 0));
  const devices: { frame: HistoryFrame; rows: number }[] = [];
  let startMs = Infinity;
  let endMs = -Infinity;
  for (const frame of usable) {
    let rows = 0;
    keptRows(frame, (ts, data, at) => {
      scalerFit.push(data, at);
      pool.offer(data, at);
      if (ts < startMs) startMs = ts;
      if (ts > endMs) endMs = ts;
      rows++;
    });
    if (rows > 0) devices.push({ frame, rows });
  }
  const total = pool.offered;
  // What the feature engine left behind, collected before the forest grows.
  releaseMemory(total);
  if (total < 10) throw new NightowlError("E_DATA", `only ${total} feature rows in the history; at least 10 are needed (give more history: the windows need up to 24 h to fill)`);
  const scaler = scalerFit.finish();
  // Standardised in place: pass 2 computes the rows again rather than keeping them.
  const Z = pool.matrix();
  scaler.transform(Z, Z);
  // Grown with the "auto" offset: the contamination offset is set from the rounded model's
  // scores in pass 2, so the training rows are scored once, by the model as it will be saved.
  const forest = IsolationForest.fit(Z, { nEstimators: o.nEstimators, contamination: "auto", seed: o.seed });
  const poolRows = pool.complete ? undefined : pool.capacity;
  pool.release();
  return { scaler, forest, total, devices, startMs, endMs, poolRows };
}

const NO_RULES: readonly string[] = [];

/**
 * The feature columns the alarm calibration reads (the range guard's and the activity gate's,
 * and `flow_gpm` to tell a metered site), so training keeps those per row instead of every feature.
 */
function alarmFeatureColumns(names: readonly string[]): number[] {
  return ALARM_INPUT_FEATURES.map((f) => names.indexOf(f)).filter((j) => j >= 0);
}

function countAlarms(series: readonly CalibrationSeries[], alarm: AlarmParams): number {
  let n = 0;
  for (const s of series) {
    const stream = new VerdictStream(alarm, s.features?.names ?? []);
    const cols = s.features?.cols ?? 0;
    // One row buffer refilled, not a view per row.
    const row = new Float64Array(cols);
    for (let i = 0; i < s.ts.length; i++) {
      for (let c = 0; c < cols; c++) row[c] = s.features!.data[i * cols + c]!;
      if (stream.push(s.ts[i]!, s.decision[i]!, NO_RULES, s.features ? row : undefined, 1, s.local?.[i] ?? s.ts[i]!).isAnomaly) n++;
      // Each row's verdict is an object: garbage paced as in the passes.
      if ((i & 4095) === 0) paceGarbage();
    }
  }
  return n;
}
