/**
 * Features of one device's history for the isolation forest: time-based rolling statistics,
 * rates of change, local time, pump cycling, pressure and level decay while the pump rests,
 * and gallons drawn. The rules are in feature-stream.ts (the engine) and in docs/leak-detection.md
 * ("Features"); this file runs the engine over a whole HistoryFrame.
 */
import type { Matrix } from "ml-matrix";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { matrixOfRowMajor } from "./matrix-rows.ts";
import { SIGNALS, WATCHABLE_PUMPS, keysAsWatched, namesForKeys, resolveNames } from "./feature-catalog.ts";
import { FeatureStream, RowStatus, type FeatureOptions } from "./feature-stream.ts";

export { FeatureStream, RowStatus, type FeatureOptions } from "./feature-stream.ts";
export { CATALOG as FEATURE_CATALOG, SIGNALS as FEATURE_SIGNALS } from "./feature-catalog.ts";

/**
 * Feature rows, `ts` (epoch ms) per row: an ml-matrix `Matrix` (what the scaler and the forest
 * take), whose row arrays are views of the row-major `data` the engine wrote: one memory, two
 * ways to read it.
 */
export interface FeatureMatrix {
  names: string[];
  ts: Float64Array;
  matrix: Matrix;
  data: Float64Array;
  rows: number;
  cols: number;
  /** Per row, the share (0–1) of its least-covered window that readings fill (FeatureStream.coverage). */
  coverage: Float64Array;
  /** Input rows left out: still warming up, or a needed signal silent beyond the carry limit. */
  skipped: { warmup: number; missingSignal: number };
}

/** Telemetry keys the features read: the signals' keys, every pump's (any may be the one watched). */
export const FEATURE_INPUT_KEYS: readonly string[] = [
  ...SIGNALS.flatMap((s) => s.keys),
  ...WATCHABLE_PUMPS.filter((p) => p !== "P1").flatMap((p) => ["C1", "C2", "C3", "V1", "V2", "V3"].map((k) => `${p}${k}`)),
];

/** The frame's feature-relevant keys that hold at least one value (an all-empty CSV column does not count). */
export function frameKeys(frame: HistoryFrame): string[] {
  return FEATURE_INPUT_KEYS.filter((k) => {
    const column = frame.columns[k];
    if (!column) return false;
    for (let i = 0; i < column.length; i++) if (column[i] === column[i]) return true;
    return false;
  });
}

/**
 * Feature names, in order, for a device with these telemetry keys: every feature whose inputs
 * are present, or, with `options.featureNames` (a model's list), that list once checked
 * (E_MODEL for a name this version does not know, E_DATA naming any missing telemetry).
 */
export function featureNames(keys: readonly string[], options: Pick<FeatureOptions, "featureNames" | "pump"> = {}): string[] {
  const watched = keysAsWatched(keys, options.pump);
  if (!options.featureNames) return namesForKeys(watched);
  resolveNames(options.featureNames, watched);
  return [...options.featureNames];
}

/**
 * Runs the feature engine over a frame and keeps the rows it emits (after warm-up, with every
 * needed signal fresh). Throws E_DATA when `options.featureNames` needs telemetry the frame
 * has no values for, naming the device, the keys and the features.
 */
export function computeFeatures(frame: HistoryFrame, options: FeatureOptions = {}): FeatureMatrix {
  const keys = frameKeys(frame);
  const stream = new FeatureStream(keys, options, frame.deviceId);
  const cols = stream.names.length;
  const n = frame.ts.length;
  const columns = keys.map((k) => frame.columns[k]!);
  const row = new Float64Array(keys.length);
  const data = new Float64Array(n * cols);
  const ts = new Float64Array(n);
  const coverage = new Float64Array(n);
  let rows = 0;
  const skipped = { warmup: 0, missingSignal: 0 };
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < columns.length; k++) row[k] = columns[k]![r]!;
    const status = stream.step(frame.ts[r]!, row, data, rows * cols);
    if (status === RowStatus.Valid) {
      coverage[rows] = stream.coverage;
      ts[rows++] = frame.ts[r]!;
    }
    else if (status === RowStatus.WarmingUp) skipped.warmup++;
    else skipped.missingSignal++;
  }
  const block = { data: data.subarray(0, rows * cols), rows, cols };
  return { names: stream.names, ts: ts.subarray(0, rows), coverage: coverage.subarray(0, rows), matrix: matrixOfRowMajor(block), ...block, skipped };
}
