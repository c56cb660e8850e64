/** The status page at `/`: one card per device, the most urgent first within the poll order. */
import { card } from "./card.ts";
import { escapeHtml, localTime, page } from "./html.ts";
import type { DeviceStatus } from "./source.ts";
import { LEVEL_WORDS, type Level } from "./verdict.ts";

export interface PageContext {
  timeZone: string;
  /** Seconds between the page's own refreshes (the poll interval). */
  refreshSeconds: number;
  /** Epoch ms of the last successful poll, on this machine's clock. */
  lastPollAt: number | undefined;
  /** Prefix of the page's links ("" at the root). */
  base: string;
}

const URGENCY: Record<Level, number> = { pump: 0, leak: 1, watch: 2, fine: 3 };

export function overviewPage(devices: readonly DeviceStatus[], ctx: PageContext): string {
  const sorted = [...devices].sort((a, b) => URGENCY[a.level] - URGENCY[b.level]);
  const counts = (Object.keys(URGENCY) as Level[]).map((l) => [l, devices.filter((d) => d.level === l).length] as const).filter(([, n]) => n > 0);
  const summary = devices.length === 0 ? "No devices yet: waiting for the first poll." : counts.map(([l, n]) => `${n} ${LEVEL_WORDS[l]}`).join(" · ");
  const body = [
    "<header>",
    "<h1>nightowl: well status</h1>",
    `<div id="summary">${escapeHtml(summary)}</div>`,
    `<div class="muted">Last poll ${escapeHtml(localTime(ctx.lastPollAt ?? Number.NaN, ctx.timeZone))} (${escapeHtml(ctx.timeZone)}); this page refreshes itself every ${ctx.refreshSeconds} s.</div>`,
    "</header>",
    '<main><section class="cards">',
    ...sorted.map((d) => card(d, { timeZone: ctx.timeZone, spanLabel: "24 h", detailHref: `${ctx.base}/device/${encodeURIComponent(d.id)}` })),
    "</section></main>",
    `<footer class="muted">Metrics for Prometheus at <a href="${ctx.base}/metrics">/metrics</a>.</footer>`,
  ].join("\n");
  return page("nightowl: well status", body, ctx.refreshSeconds);
}
