/** Sparkline series: readings over a span reduced to a fixed number of buckets. */
import type { Point } from "./source.ts";

/** Buckets per sparkline: 15 minutes over a day, 30 over two. */
export const BUCKETS = 96;

/**
 * Reduces (ts, value) rows within [fromMs, toMs] to `buckets` points at the buckets' ends:
 * `mean` (NaN values skipped), `max`, or `rate` (sum per minute of the bucket, e.g. gallons
 * drawn → gal/min). A bucket without a value is NaN, so the line breaks across a gap.
 */
export function bucketSeries(
  ts: ArrayLike<number>,
  values: ArrayLike<number>,
  fromMs: number,
  toMs: number,
  reduce: "mean" | "max" | "rate",
  buckets = BUCKETS,
): Point[] {
  const width = (toMs - fromMs) / buckets;
  const sum = new Float64Array(buckets);
  const count = new Float64Array(buckets);
  const max = new Float64Array(buckets).fill(-Infinity);
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    const v = values[i]!;
    if (!(t > fromMs && t <= toMs) || Number.isNaN(v)) continue;
    const b = Math.min(buckets - 1, Math.floor((t - fromMs) / width));
    sum[b] += v;
    count[b]++;
    if (v > max[b]) max[b] = v;
  }
  const out: Point[] = [];
  for (let b = 0; b < buckets; b++) {
    let v = Number.NaN;
    if (count[b] > 0) v = reduce === "mean" ? sum[b] / count[b] : reduce === "max" ? max[b] : sum[b] / (width / 60_000);
    out.push({ t: fromMs + (b + 1) * width, v });
  }
  return out;
}
