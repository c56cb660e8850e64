/**
 * The status page's frame: escaping, number and time formatting, and the one HTML shell with
 * its inline style sheet (no fonts, no scripts, no external assets) and a meta refresh that
 * works with JavaScript off.
 */
import { localClock } from "../analytics/local-time.ts";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** A number with a unit, or "—" when not known. */
export function figure(value: number, unit: string, digits = 1): string {
  return Number.isFinite(value) ? `${value.toFixed(digits)}${unit ? ` ${unit}` : ""}` : "—";
}

/** "2026-11-25 02:10" in the sites' time zone. */
export function localTime(ms: number, timeZone: string): string {
  return Number.isFinite(ms) ? localClock(timeZone).stamp(ms) : "—";
}

const STYLE = `
:root{color-scheme:light;--fine:#1b7f3b;--watch:#9a6700;--leak:#c62828;--pump:#6a1b9a;--muted:#5f6b76}
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f6f8;color:#1d2329}
header,main,footer{max-width:72rem;margin:0 auto;padding:.75rem 1rem}
h1{font-size:1.3rem;margin:.25rem 0}
h2{font-size:1.1rem;margin:0}
a{color:#0b5cad}
.muted{color:var(--muted)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(19rem,1fr));gap:1rem}
.card{background:#fff;border-radius:.6rem;padding:1rem;border-left:.5rem solid var(--muted);box-shadow:0 1px 2px #0002}
.card.fine{border-color:var(--fine)}.card.watch{border-color:var(--watch)}.card.leak{border-color:var(--leak)}.card.pump{border-color:var(--pump)}
.verdict{display:inline-block;margin:.4rem 0;padding:.15rem .6rem;border-radius:1rem;color:#fff;font-weight:600;text-transform:uppercase;letter-spacing:.03em}
.verdict.fine{background:var(--fine)}.verdict.watch{background:var(--watch)}.verdict.leak{background:var(--leak)}.verdict.pump{background:var(--pump)}
dl{display:grid;grid-template-columns:auto 1fr;gap:.1rem .8rem;margin:.5rem 0}
dt{color:var(--muted)}dd{margin:0;font-variant-numeric:tabular-nums}
ul.reasons{margin:.4rem 0;padding-left:1.1rem}
p.event{margin:.3rem 0;padding:.2rem .5rem;background:#eef3f8;border-radius:.3rem}
figure.spark{margin:.4rem 0}
figure.spark svg{display:block;width:100%;height:2.5rem;background:#f8fafb;border-radius:.3rem}
figure.spark figcaption{font-size:.85rem}
path.line{fill:none;stroke:#1f77b4;stroke-width:1.5;vector-effect:non-scaling-stroke}
path.line.risk{stroke:var(--leak)}
table{border-collapse:collapse;width:100%;background:#fff}
td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e3e7eb}
.detail figure.spark svg{height:5rem}
`;

/** The whole document around `body`; refreshes itself every `refreshSeconds`. */
export function page(title: string, body: string, refreshSeconds: number): string {
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="refresh" content="${Math.max(5, Math.round(refreshSeconds))}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head><body>",
    body,
    "</body></html>",
  ].join("\n");
}
