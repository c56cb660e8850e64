/**
 * The report as one self-contained HTML file: inline CSS and SVG, no scripts, no network. One
 * section per device: the plain-language summary first, then the figures, the charts and the
 * timeline of triggered rules (and of the forest's anomalies when a model was given).
 */
import { localClock } from "./local-time.ts";
import { zoneLabel } from "../physics/zone-label.ts";
import type { DeviceReport } from "./report-data.ts";
import { barChart, escapeXml, lineChart, timeline, type TimelineRow, type TimeTick } from "./report-svg.ts";

const SEVERITY_COLOR = { info: "#7f9cc9", warning: "#f0a030", critical: "#d62728" } as const;

const CSS = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:820px;color:#222;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 4px;border-bottom:2px solid #1f77b4;padding-bottom:4px}
.meta{color:#666;font-size:13px}.summary{background:#f4f7fb;border-left:4px solid #1f77b4;padding:8px 16px;margin:12px 0}
.summary li{margin:4px 0}.alarm{border-left-color:#d62728;background:#fdf3f3}
table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
th{background:#f4f4f4}td.num{text-align:right}figure{margin:16px 0}figcaption{font-weight:600;font-size:14px;margin-bottom:4px}
.sev-critical{color:#d62728;font-weight:600}.sev-warning{color:#b86e00;font-weight:600}.sev-info{color:#456}`;

/** The whole report for `devices`, generated at `generatedAtMs`, told on the report's clock (`timeZone`). */
export function renderReportHtml(devices: DeviceReport[], generatedAtMs: number, timeZone = devices[0]?.timeZone ?? "UTC"): string {
  const sections = devices.map(renderDevice).join("\n");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>nightowl water report</title><style>${CSS}</style></head>
<body><h1>Well-water report</h1><p class="meta">Generated ${escapeXml(localClock(timeZone).stamp(generatedAtMs, true))} for ${devices.length} device(s).</p>
${sections}
</body></html>
`;
}

function renderDevice(r: DeviceReport): string {
  const clock = localClock(r.timeZone);
  const when = (ms: number) => clock.stamp(ms);
  const alarm = r.triggers.some((t) => t.severity !== "info");
  const parts: string[] = [];
  parts.push(`<section class="device" data-device-id="${escapeXml(r.deviceId)}">`);
  // The owner knows the well by its name and whose it is, not by the portal's number.
  const customer = r.customer ?? r.userLabel;
  parts.push(`<h2>${escapeXml([r.deviceName || r.deviceId, customer].filter(Boolean).join(" — "))}</h2>`);
  parts.push(`<p class="meta">${escapeXml([r.site, `device ${r.deviceId}`].filter(Boolean).join(" · "))}<br>${escapeXml(`${when(r.fromMs)} to ${when(r.toMs)}, times in ${zoneLabel(r.timeZone)}`)}</p>`);
  parts.push(`<ul class="summary${alarm ? " alarm" : ""}">${r.summary.map((s) => `<li>${escapeXml(s)}</li>`).join("")}</ul>`);

  if (r.water) {
    const w = r.water;
    parts.push(barChart("Daily water use", "gallons", w.daily.map((d) => d.date.slice(5)), [
      { name: "measured", values: w.daily.map((d) => d.gallons - d.filledGallons), color: "#1f77b4" },
      { name: "estimated across gaps", values: w.daily.map((d) => d.filledGallons), color: "#aec7e8" },
    ]));
    parts.push(lineChart("Night flow (02:00–04:00)", "gal/min", w.nights.map((_, i) => i), [
      { name: "minimum (15-min mean)", values: w.nights.map((n) => n.minGpm), color: "#d62728" },
      { name: "mean", values: w.nights.map((n) => n.meanGpm), color: "#9467bd" },
    ], (i) => (Number.isInteger(i) ? w.nights[i]?.date.slice(5) ?? "" : "")));
  }
  if (r.pumps.length) {
    const dates = r.pumps[0].days.map((d) => d.date);
    const perDay = (pick: (d: DeviceReport["pumps"][number]["days"][number]) => number) =>
      r.pumps.map((p) => ({ name: p.pump, values: dates.map((date) => { const d = p.days.find((x) => x.date === date); return d ? pick(d) : NaN; }) }));
    parts.push(pumpTable(r));
    parts.push(barChart("Pump starts per day", "starts", dates.map((d) => d.slice(5)), perDay((d) => d.starts)));
    parts.push(barChart("Pump run time per day", "minutes", dates.map((d) => d.slice(5)), perDay((d) => d.runSeconds / 60)));
    parts.push(lineChart("Phase unbalance (NEMA MG-1), daily mean", "percent", dates.map((_, i) => i), r.pumps.flatMap((p, k) => [
      { name: `${p.pump} voltage`, values: dates.map((date) => p.days.find((x) => x.date === date)?.voltageUnbalanceMeanPct ?? NaN), color: ["#1f77b4", "#2ca02c", "#8c564b"][k] },
      { name: `${p.pump} current`, values: dates.map((date) => p.days.find((x) => x.date === date)?.currentUnbalanceMeanPct ?? NaN), color: ["#ff7f0e", "#d62728", "#9467bd"][k] },
    ]), (i) => (Number.isInteger(i) ? dates[i]?.slice(5) ?? "" : "")));
    parts.push(barChart("Pump energy per day", "kWh", dates.map((d) => d.slice(5)), perDay((d) => d.energyKwh)));
  }

  const rows: TimelineRow[] = [];
  for (const t of r.triggers) {
    let row = rows.find((x) => x.name === t.rule);
    if (!row) rows.push((row = { name: t.rule, spans: [] }));
    row.spans.push({ startMs: t.startMs, endMs: t.endMs ?? r.toMs, color: SEVERITY_COLOR[t.severity], title: `${when(t.startMs)}: ${t.message}` });
  }
  if (r.events?.length) {
    rows.push({ name: "owner's events", spans: r.events.map((e) => ({ startMs: e.startMs, endMs: e.endMs, color: EVENT_COLOR[e.kind], title: `${e.id} (${e.kind}${e.note ? `: ${e.note}` : ""}): ${when(e.startMs)} – ${when(e.endMs)}` })) });
  }
  if (r.anomalies?.length) {
    rows.push({ name: "alarm", spans: r.anomalies.map((s) => ({ startMs: s.startMs, endMs: s.endMs, color: "#9467bd", title: `${when(s.startMs)}: score ${s.minDecision.toFixed(3)}, ${s.topFeatures.map((f) => f.feature).join(", ")}` })) });
  }
  parts.push(timeline("Anomaly timeline: rules that fired" + (r.anomalies ? " and the leak model's alarms" : ""), r.fromMs, r.toMs, rows, midnights(clock, r.fromMs, r.toMs)));
  parts.push(r.triggers.length
    ? `<table class="triggers"><tr><th>when</th><th>rule</th><th>severity</th><th>what</th></tr>${r.triggers.map((t) => `<tr><td>${escapeXml(when(t.startMs))}</td><td>${escapeXml(t.rule)}</td><td class="sev-${t.severity}">${t.severity}</td><td>${escapeXml(t.message + duringEvent(r, t.startMs))}</td></tr>`).join("")}</table>`
    : `<p>No rule fired in this period.</p>`);
  if (r.events?.length) parts.push(eventTable(r, when));
  if (r.anomalies?.length) {
    parts.push(`<table class="anomalies"><tr><th>from</th><th>to</th><th>lowest score</th><th>leak probability</th><th>top features</th></tr>${r.anomalies.map((s) => `<tr><td>${escapeXml(when(s.startMs))}</td><td>${escapeXml(when(s.endMs))}</td><td class="num">${s.minDecision.toFixed(3)}</td><td class="num">${s.maxProbability.toFixed(0)} %</td><td>${escapeXml(s.topFeatures.map((f) => `${f.feature} (${f.contribution.toFixed(2)})`).join(", "))}</td></tr>`).join("")}</table>`);
  }
  parts.push("</section>");
  return parts.join("\n");
}

const EVENT_COLOR = { expected: "#2ca02c", away: "#1f77b4", maintenance: "#7f7f7f", leak: "#d62728" } as const;
const EVENT_EFFECT = { expected: "no alarm", maintenance: "no alarm", away: "more sensitive", leak: "left out of training" } as const;

/** " (during expected-1: no alarm)" when one of the owner's events covers `ms`. */
function duringEvent(r: DeviceReport, ms: number): string {
  const e = r.events?.find((x) => x.startMs <= ms && ms < x.endMs);
  return e ? ` (during ${e.id}, ${e.kind}: ${EVENT_EFFECT[e.kind]})` : "";
}

/** The owner's events of the device in the range, with what each did to the leak model's alarm. */
function eventTable(r: DeviceReport, when: (ms: number) => string): string {
  const effect = (e: NonNullable<DeviceReport["events"]>[number]) =>
    e.silencedRows === undefined ? EVENT_EFFECT[e.kind] : e.silencedRows ? `alarm silenced on ${e.silencedRows} reading(s)` : e.sharpenedRows ? `alarm raised on ${e.sharpenedRows} reading(s)` : `${EVENT_EFFECT[e.kind]}; the alarm was not changed`;
  const body = r.events!.map((e) => `<tr data-event="${escapeXml(e.id)}"><td>${escapeXml(e.id)}</td><td>${e.kind}</td><td>${escapeXml(when(e.startMs))}</td><td>${escapeXml(when(e.endMs))}</td><td>${escapeXml(e.note ?? "")}</td><td>${escapeXml(effect(e))}</td></tr>`).join("");
  return `<table class="events"><tr><th>event</th><th>kind</th><th>from</th><th>until</th><th>note</th><th>effect</th></tr>${body}</table>`;
}

/** The local midnights from `fromMs` to `toMs`, labelled MM-DD; every k-th when there are many, so labels never crowd. */
export function midnights(clock: ReturnType<typeof localClock>, fromMs: number, toMs: number): TimeTick[] {
  const out: TimeTick[] = [];
  for (let day = clock.dayIndex(fromMs); ; day++) {
    const ms = clock.startOfDay(day);
    if (ms > toMs) break;
    if (ms >= fromMs) out.push({ ms, label: clock.dateLabel(ms).slice(5) });
  }
  const step = Math.ceil(out.length / 10);
  return out.filter((_, i) => i % step === 0);
}

function pumpTable(r: DeviceReport): string {
  const f = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : "–");
  const head = `<tr><th>pump</th><th>starts</th><th>starts/h</th><th>run s/start</th><th>duty %</th><th>energy kWh</th><th>V unbalance % (mean/max)</th><th>I unbalance % (mean/max)</th><th>dry-run runs</th></tr>`;
  const body = r.pumps.map((p) => `<tr><td>${p.pump}</td><td class="num">${p.starts}</td><td class="num">${f(p.startsPerHour, 2)}</td><td class="num">${f(p.runSecondsPerStart, 0)}</td><td class="num">${f(p.dutyCycle * 100, 1)}</td><td class="num">${f(p.energyKwh, 1)}</td><td class="num">${f(p.voltageUnbalanceMeanPct, 2)} / ${f(p.voltageUnbalanceMaxPct, 2)}</td><td class="num">${f(p.currentUnbalanceMeanPct, 2)} / ${f(p.currentUnbalanceMaxPct, 2)}</td><td class="num">${p.dryRunCycles}</td></tr>`).join("");
  return `<table class="pumps">${head}${body}</table>`;
}
