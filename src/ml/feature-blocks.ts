/**
 * The feature engine run over a frame in blocks of rows: the same rows `computeFeatures` keeps,
 * handed over a few thousand at a time in one reused buffer, so a pass over a long history
 * costs one block of memory, not a feature matrix (90 days of one device: 130,000 rows × 109
 * features = 113 MB as one matrix; 3.5 MB as blocks of 4,096 rows).
 */
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { FeatureStream, RowStatus, type FeatureOptions } from "./feature-stream.ts";
import { frameKeys } from "./features.ts";

/** Rows per block unless asked otherwise. */
export const FEATURE_BLOCK_ROWS = 4096;

/** One block: `rows` feature rows, row-major in `data` (`cols` per row), with their times. Read, do not keep: the buffers are reused. */
export interface FeatureBlock {
  ts: Float64Array;
  /** Per row, the share (0–1) of its least-covered window that readings fill (FeatureStream.coverage). */
  coverage: Float64Array;
  /** Per row, local epoch ms (FeatureStream.local). */
  local: Float64Array;
  data: Float64Array;
  rows: number;
  cols: number;
}

/**
 * Feeds `onBlock` every feature row of the frame, in time order, in blocks of at most
 * `blockRows`. Returns the feature names (E_DATA, as `computeFeatures`, when
 * `options.featureNames` needs telemetry the frame lacks).
 */
export function forEachFeatureBlock(frame: HistoryFrame, options: FeatureOptions, onBlock: (block: FeatureBlock) => void, blockRows = FEATURE_BLOCK_ROWS): string[] {
  const keys = frameKeys(frame);
  const stream = new FeatureStream(keys, options, frame.deviceId);
  const cols = stream.names.length;
  const columns = keys.map((k) => frame.columns[k]!);
  const input = new Float64Array(keys.length);
  const block: FeatureBlock = { ts: new Float64Array(blockRows), coverage: new Float64Array(blockRows), local: new Float64Array(blockRows), data: new Float64Array(blockRows * cols), rows: 0, cols };
  const n = frame.ts.length;
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < columns.length; k++) input[k] = columns[k]![r]!;
    if (stream.step(frame.ts[r]!, input, block.data, block.rows * cols) !== RowStatus.Valid) continue;
    block.coverage[block.rows] = stream.coverage;
    block.local[block.rows] = stream.local;
    block.ts[block.rows++] = frame.ts[r]!;
    if (block.rows === blockRows) {
      onBlock(block);
      block.rows = 0;
    }
  }
  if (block.rows > 0) onBlock(block);
  return stream.names;
}
