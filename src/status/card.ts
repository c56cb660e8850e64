/** One device's card: verdict in words and colour, reasons, current figures and sparklines. */
import { escapeHtml, figure, localTime } from "./html.ts";
import type { DeviceStatus } from "./source.ts";
import { sparkline } from "./sparkline.ts";
import { LEVEL_WORDS, ruleTitle } from "./verdict.ts";

export interface CardOptions {
  timeZone: string;
  /** Link of the device's detail view; none on the detail view itself. */
  detailHref?: string;
  /** Span of the sparklines, for their labels, e.g. "24 h". */
  spanLabel: string;
}

export function verdictBadge(d: DeviceStatus): string {
  return `<span class="verdict ${d.level}" data-verdict="${d.level}" id="verdict-${escapeHtml(d.id)}">${escapeHtml(LEVEL_WORDS[d.level])}</span>`;
}

/** What each kind means to the owner, for the card's line. */
const KIND_WORDS = { expected: "expected", away: "away", maintenance: "maintenance", leak: "confirmed leak" } as const;

/** "16:00" when `ms` falls on the local day of `ref`, else the date and time. */
function shortTime(ms: number, ref: number, timeZone: string): string {
  const at = localTime(ms, timeZone);
  return at.slice(0, 10) === localTime(ref, timeZone).slice(0, 10) ? at.slice(11) : at;
}

/**
 * The owner's event on the card — "expected: pool fill until 16:00", "away until 2026-07-24
 * 00:00", or the next one — and, when it changed the verdict, what it did.
 */
export function eventLine(d: DeviceStatus, timeZone: string): string {
  const e = d.event;
  if (!e) return "";
  const what = `${KIND_WORDS[e.kind]}${e.note ? `: ${e.note}` : ""}`;
  const when = e.active ? `until ${shortTime(e.endMs, d.readingAt, timeZone)}` : `from ${shortTime(e.startMs, d.readingAt, timeZone)} until ${shortTime(e.endMs, e.startMs, timeZone)}`;
  const effect =
    d.silencedBy?.id === e.id
      ? " — an alarm is silenced by this event"
      : d.sharpenedBy?.id === e.id
        ? " — nobody should be drawing water: alarm raised by this event"
        : "";
  const changed = d.silencedBy ? "silenced" : d.sharpenedBy ? "sharpened" : "";
  return `<p class="event" data-event="${escapeHtml(e.id)}"${changed ? ` data-effect="${changed}"` : ""}>${e.active ? "" : "Next: "}${escapeHtml(what)} ${escapeHtml(when)}${escapeHtml(effect)}</p>`;
}

export function reasonList(d: DeviceStatus, timeZone: string): string {
  if (d.reasons.length === 0) return "";
  const items = d.reasons.map((r) => {
    const when = r.endedMs === undefined ? `since ${localTime(r.sinceMs, timeZone)}` : `${localTime(r.sinceMs, timeZone)} – ${localTime(r.endedMs, timeZone)}`;
    return `<li data-rule="${escapeHtml(r.rule)}"><strong>${escapeHtml(ruleTitle(r.rule))}</strong>: ${escapeHtml(r.sentence)} <span class="muted">(${escapeHtml(when)})</span></li>`;
  });
  return `<ul class="reasons">${items.join("")}</ul>`;
}

function pumpState(d: DeviceStatus): string {
  if (d.pumps.length === 0) return "—";
  return d.pumps.map((p) => `${p.pump} ${Number.isNaN(p.running) ? "unknown" : p.running === 1 ? "running" : "off"}`).join(", ");
}

export function figureList(d: DeviceStatus, timeZone: string): string {
  const rows: [string, string][] = [
    ["Pressure", figure(d.pressurePsi, "psi")],
    ["Tank level", figure(d.tankPercent, "%", 0)],
    ["Pump", pumpState(d)],
    ["Used today", figure(d.todayGallons, "gal", 0)],
    ["Last night's lowest flow", figure(d.lastNightMinGpm, "gal/min", 2)],
    ...(d.series.leakProbability ? ([["Leak probability", figure(d.leakProbability, "%", 0)]] as [string, string][]) : []),
    ["Newest reading", localTime(d.readingAt, timeZone)],
  ];
  return `<dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join("")}</dl>`;
}

export function sparklines(d: DeviceStatus, spanLabel: string): string {
  const s = d.series;
  const parts = [sparkline(s.pressure, { label: `Pressure, last ${spanLabel}`, unit: "psi" })];
  if (s.flow) parts.push(sparkline(s.flow, { label: `Flow, last ${spanLabel}`, unit: "gal/min", digits: 2 }));
  if (s.pumpDutyPercent) parts.push(sparkline(s.pumpDutyPercent, { label: `Pump duty, last ${spanLabel}`, unit: "%", digits: 0, min: 0, max: 100 }));
  // With the model off there is no probability: no empty "no data yet" that never fills.
  if (s.leakProbability) parts.push(sparkline(s.leakProbability, { label: `Leak probability, last ${spanLabel}`, unit: "%", digits: 0, min: 0, max: 100, tone: "risk" }));
  return parts.join("");
}

export function card(d: DeviceStatus, options: CardOptions): string {
  const title = options.detailHref ? `<a href="${escapeHtml(options.detailHref)}">${escapeHtml(d.name)}</a>` : escapeHtml(d.name);
  return [
    `<article class="card ${d.level}" data-device="${escapeHtml(d.id)}">`,
    `<h2>${title}</h2>`,
    `<div class="muted">${escapeHtml(d.customer)}</div>`,
    verdictBadge(d),
    eventLine(d, options.timeZone),
    reasonList(d, options.timeZone),
    figureList(d, options.timeZone),
    sparklines(d, options.spanLabel),
    `</article>`,
  ].join("\n");
}
