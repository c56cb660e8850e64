/**
 * Inline SVG charts for the report, drawn here so the report needs nothing from the network:
 * bars by day, lines over time, and a timeline of spans. Every chart is an
 * `<svg data-series="N">` holding one `<g class="series">` per series, so a test (or a curious
 * reader of the DOM) can count what was drawn.
 */

export interface Series {
  name: string;
  values: number[];
  color?: string;
}

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];
const W = 760;
const H = 220;
const M = { left: 56, right: 16, top: 28, bottom: 40 };

/** Escapes text for HTML and SVG. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Round tick values covering [0, max]. */
function ticks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 0.999; v += step) out.push(+v.toPrecision(12));
  return out;
}

function frame(title: string, unit: string, yTicks: number[], seriesCount: number, body: string, legend: Series[]): string {
  const top = yTicks[yTicks.length - 1] || 1;
  const plotH = H - M.top - M.bottom;
  const grid = yTicks.map((t) => {
    const y = M.top + plotH - (t / top) * plotH;
    return `<line x1="${M.left}" x2="${W - M.right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#ddd"/><text x="${M.left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#555">${escapeXml(formatTick(t))}</text>`;
  }).join("");
  let at = M.left;
  const keys = legend.map((s, i) => {
    const key = `<rect x="${at}" y="6" width="10" height="10" fill="${s.color ?? PALETTE[i % PALETTE.length]}"/><text x="${at + 14}" y="15" font-size="11">${escapeXml(s.name)}</text>`;
    // About 6.5 px per character at 11 px: room for the name and a gap.
    at += 30 + Math.ceil(s.name.length * 6.5);
    return key;
  }).join("");
  return `<figure class="chart"><figcaption>${escapeXml(title)}</figcaption>`
    + `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeXml(title)}" data-series="${seriesCount}">`
    + `<text x="6" y="${M.top - 8}" font-size="11" fill="#555">${escapeXml(unit)}</text>${keys}<g class="grid">${grid}</g>${body}</svg></figure>`;
}

function formatTick(v: number): string {
  return Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(v % 1000 === 0 ? 0 : 1)}k` : String(+v.toPrecision(4));
}

/** Grouped bars, one group per label (a day), one bar per series. */
export function barChart(title: string, unit: string, labels: string[], series: Series[]): string {
  const finite = series.flatMap((s) => s.values.filter(Number.isFinite));
  const yTicks = ticks(Math.max(0, ...finite));
  const top = yTicks[yTicks.length - 1] || 1;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const slot = plotW / Math.max(1, labels.length);
  const bar = (slot * 0.8) / Math.max(1, series.length);
  const groups = series.map((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    const rects = s.values.map((v, i) => {
      if (!Number.isFinite(v)) return "";
      const h = (Math.max(0, v) / top) * plotH;
      const x = M.left + i * slot + slot * 0.1 + k * bar;
      return `<rect x="${x.toFixed(1)}" y="${(M.top + plotH - h).toFixed(1)}" width="${Math.max(1, bar - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${color}"><title>${escapeXml(`${labels[i]}: ${s.name} ${+v.toFixed(2)} ${unit}`)}</title></rect>`;
    }).join("");
    return `<g class="series" data-name="${escapeXml(s.name)}">${rects}</g>`;
  }).join("");
  const every = Math.ceil(labels.length / 10);
  const xLabels = labels.map((l, i) => (i % every ? "" : `<text x="${(M.left + i * slot + slot / 2).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle" font-size="11" fill="#555">${escapeXml(l)}</text>`)).join("");
  return frame(title, unit, yTicks, series.length, groups + xLabels, series);
}

/** Lines over time: `x` in epoch ms shared by every series; NaN breaks a line. */
export function lineChart(title: string, unit: string, x: number[], series: Series[], xLabel: (ms: number) => string): string {
  const finite = series.flatMap((s) => s.values.filter(Number.isFinite));
  const yTicks = ticks(Math.max(0, ...finite));
  const top = yTicks[yTicks.length - 1] || 1;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x0 = x[0] ?? 0;
  const span = Math.max(1, (x[x.length - 1] ?? 1) - x0);
  const px = (t: number) => M.left + ((t - x0) / span) * plotW;
  const py = (v: number) => M.top + plotH - (Math.max(0, v) / top) * plotH;
  const paths = series.map((s, k) => {
    let d = "";
    let pen = false;
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v)) { pen = false; return; }
      d += `${pen ? "L" : "M"}${px(x[i]).toFixed(1)},${py(v).toFixed(1)}`;
      pen = true;
    });
    // A lone point still shows: a path of one move draws nothing, so mark points with circles.
    const dots = x.length <= 31 ? s.values.map((v, i) => (Number.isFinite(v) ? `<circle cx="${px(x[i]).toFixed(1)}" cy="${py(v).toFixed(1)}" r="2.5" fill="${s.color ?? PALETTE[k % PALETTE.length]}"/>` : "")).join("") : "";
    return `<g class="series" data-name="${escapeXml(s.name)}"><path d="${d || "M0,0"}" fill="none" stroke="${s.color ?? PALETTE[k % PALETTE.length]}" stroke-width="1.8"/>${dots}</g>`;
  }).join("");
  const xTicks = Array.from({ length: 5 }, (_, i) => x0 + (span * i) / 4).map((t) => `<text x="${px(t).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle" font-size="11" fill="#555">${escapeXml(xLabel(t))}</text>`).join("");
  return frame(title, unit, yTicks, series.length, paths + xTicks, series);
}

export interface TimelineRow {
  name: string;
  spans: Array<{ startMs: number; endMs: number; color: string; title: string }>;
}

/** One row of spans per series between `fromMs` and `toMs`. */
/** A labelled instant on a time axis: `ms` epoch milliseconds. */
export interface TimeTick {
  ms: number;
  label: string;
}

/** A timeline of spans, one row per series; `ticks` mark the axis (local midnights). */
export function timeline(title: string, fromMs: number, toMs: number, rows: TimelineRow[], ticks: readonly TimeTick[]): string {
  const rowH = 22;
  const h = M.top + rows.length * rowH + M.bottom;
  const left = 170;
  const plotW = W - left - M.right;
  const span = Math.max(1, toMs - fromMs);
  const px = (t: number) => left + ((Math.min(toMs, Math.max(fromMs, t)) - fromMs) / span) * plotW;
  const groups = rows.map((r, k) => {
    const y = M.top + k * rowH;
    const bars = r.spans.map((s) => {
      const x = px(s.startMs);
      const w = Math.max(3, px(s.endMs) - x);
      return `<rect x="${x.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${s.color}" rx="2"><title>${escapeXml(s.title)}</title></rect>`;
    }).join("");
    return `<g class="series" data-name="${escapeXml(r.name)}"><text x="${left - 6}" y="${y + rowH / 2 + 4}" text-anchor="end" font-size="11">${escapeXml(r.name)}</text><line x1="${left}" x2="${W - M.right}" y1="${y + rowH / 2}" y2="${y + rowH / 2}" stroke="#eee"/>${bars}</g>`;
  }).join("");
  // A day's label sits at its midnight, with a faint line down through the rows.
  const xTicks = ticks.filter((t) => t.ms >= fromMs && t.ms <= toMs).map((t) => {
    const x = px(t.ms).toFixed(1);
    return `<g class="tick" data-ms="${t.ms}"><line x1="${x}" x2="${x}" y1="${M.top}" y2="${h - M.bottom + 4}" stroke="#ccc"/><text x="${x}" y="${h - M.bottom + 16}" text-anchor="middle" font-size="11" fill="#555">${escapeXml(t.label)}</text></g>`;
  }).join("");
  return `<figure class="chart"><figcaption>${escapeXml(title)}</figcaption>`
    + `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="${escapeXml(title)}" data-series="${rows.length}">${groups}${xTicks}</svg></figure>`;
}
