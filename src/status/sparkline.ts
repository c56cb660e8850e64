/**
 * Inline SVG sparklines: a line over fixed-width buckets, broken where a bucket has no data,
 * with the latest value and the span's range as text beside it. No script, no external asset.
 */
import { escapeHtml } from "./html.ts";
import type { Point } from "./source.ts";

export interface SparklineOptions {
  /** Accessible name, e.g. "Pressure, last 24 h". */
  label: string;
  /** Unit after the numbers, e.g. "psi". */
  unit: string;
  /** Digits after the decimal point. */
  digits?: number;
  /** Fixed bottom and top of the scale (the leak probability's 0–100); default the data's range. */
  min?: number;
  max?: number;
  /** CSS class of the line, for its colour. */
  tone?: string;
}

const W = 240;
const H = 40;

/** One `<figure>` with the SVG line and a caption; "no data" when every point is NaN. */
export function sparkline(points: readonly Point[], options: SparklineOptions): string {
  const digits = options.digits ?? 1;
  const values = points.map((p) => p.v).filter((v) => !Number.isNaN(v));
  const caption = `<figcaption>${escapeHtml(options.label)}`;
  if (values.length === 0) return `<figure class="spark">${caption}: <span class="muted">no data yet</span></figcaption></figure>`;
  const lo = options.min ?? Math.min(...values);
  const hi = Math.max(options.max ?? Math.max(...values), lo + 1e-9);
  const x = (i: number) => ((i + 0.5) / points.length) * W;
  const y = (v: number) => H - 2 - ((v - lo) / (hi - lo)) * (H - 4);
  let d = "";
  let pen = false;
  points.forEach((p, i) => {
    if (Number.isNaN(p.v)) {
      pen = false;
      return;
    }
    d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(p.v).toFixed(1)}`;
    pen = true;
  });
  const last = [...points].reverse().find((p) => !Number.isNaN(p.v))!.v;
  const fmt = (v: number) => `${v.toFixed(digits)} ${options.unit}`.trim();
  return [
    `<figure class="spark">`,
    `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(options.label)}" preserveAspectRatio="none">`,
    `<path class="line ${options.tone ?? ""}" d="${d}"/>`,
    `</svg>`,
    `${caption}: now ${escapeHtml(fmt(last))} <span class="muted">(${escapeHtml(fmt(Math.min(...values)))} – ${escapeHtml(fmt(Math.max(...values)))})</span></figcaption>`,
    `</figure>`,
  ].join("");
}
