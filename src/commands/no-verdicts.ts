/**
 * Why `score` made no verdict for a device, in words: a short history (a test file, a device
 * added yesterday) gives none, and a device missing from the output without a reason reads
 * like a device that was never read.
 */
import { settingsFrom } from "../ml/feature-options.ts";
import type { LeakModel } from "../ml/model-file.ts";

/** One clause for a device with no scored row: how much history it had and what a verdict needs. */
export function noVerdictReason(model: LeakModel, frame: { ts: ArrayLike<number> }): string {
  const n = frame.ts.length;
  if (n === 0) return "no readings in the history";
  const span = frame.ts[n - 1]! - frame.ts[0]!;
  const { warmup, carry } = settingsFrom(model.featureOptions);
  const had = `its ${n} reading(s) span ${duration(span)}`;
  if (span < warmup) return `${had}; the model's first verdict comes after ${duration(warmup)} of readings (and its longest feature windows take 24 h to fill): give more history`;
  return `${had}, but at none of them had every signal the model needs a reading within the ${duration(carry)} before it`;
}

function duration(ms: number): string {
  if (ms >= 2 * 86_400_000) return `${Number((ms / 86_400_000).toFixed(1))} days`;
  if (ms >= 3_600_000) return `${Number((ms / 3_600_000).toFixed(1))} h`;
  return `${Math.round(ms / 60_000)} min`;
}
