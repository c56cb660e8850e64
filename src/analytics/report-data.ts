/**
 * The figures of `nightowl report` for one device and a time range: what the HTML draws and
 * `--format json` prints. The analysis runs over everything given (so the 14-day baseline and
 * the irrigation schedule are learned from the days before the range); the figures and
 * triggers are then cut to the range.
 */
import { analyzeFrame, type AnalyzeOptions } from "./analyze.ts";
import type { PumpDay } from "./pump-health.ts";
import type { Trigger } from "./trigger.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import type { EventKind, OwnerEvent } from "../events/events-file.ts";
import { sentence } from "../sentence.ts";
import { zoneLabel } from "../physics/zone-label.ts";

/**
 * One alarm episode of `score`'s verdicts (the forest's persistence or a rule), with the
 * strongest features of its lowest forest score.
 */
export interface AnomalySpan {
  startMs: number;
  endMs: number;
  /** Lowest forest decision score in the span (negative = anomalous). */
  minDecision: number;
  /** Highest leak probability in the span, percent. */
  maxProbability: number;
  /** Features that contributed most at the lowest score, largest first. */
  topFeatures: Array<{ feature: string; contribution: number }>;
  /** The `away` event that raised (part of) this alarm, if one did. */
  sharpenedBy?: string;
}

/** One of the owner's events in the reported range (docs/events.md). */
export interface ReportEvent {
  id: string;
  kind: EventKind;
  note?: string;
  /** Epoch ms; the event covers start up to, not including, end. */
  startMs: number;
  endMs: number;
  /** With a model: rows whose alarm the event turned off (expected, maintenance) or on (away). */
  silencedRows?: number;
  sharpenedRows?: number;
}

/** A pump's figures over the range: its days' sums and means, with the same names and units as a day's. */
export interface ReportPump extends Pick<PumpDay, "starts" | "dutyCycle" | "energyKwh" | "voltageUnbalanceMeanPct" | "voltageUnbalanceMaxPct" | "currentUnbalanceMeanPct" | "currentUnbalanceMaxPct"> {
  pump: string;
  startsPerHour: number;
  runSecondsPerStart: number;
  learnedRunningCurrentA: number;
  dryRunCycles: number;
  days: Array<Pick<PumpDay, "date" | "starts" | "runSeconds" | "dutyCycle" | "energyKwh" | "voltageUnbalanceMeanPct" | "currentUnbalanceMeanPct">>;
}

export interface DeviceReport {
  deviceId: string;
  deviceName: string;
  userLabel: string;
  customer?: string;
  site?: string;
  timeZone: string;
  /** The range reported, epoch ms. */
  fromMs: number;
  toMs: number;
  /** Plain-language sentences for the top of the report. */
  summary: string[];
  hasMeter: boolean;
  water?: {
    totalGallons: number;
    filledGallons: number;
    meterReplacements: Array<{ ts: number; oldReading: number; newReading: number }>;
    gaps: Array<{ startMs: number; endMs: number; gallons: number }>;
    daily: Array<{ date: string; startMs: number; gallons: number; filledGallons: number }>;
    nights: Array<{ date: string; minGpm: number; meanGpm: number }>;
    /** Minutes the flow had gone on without stopping at the end of the data. */
    continuousFlowMinutes: number;
  };
  pumps: ReportPump[];
  triggers: Trigger[];
  /** Present when a model was given. */
  anomalies?: AnomalySpan[];
  /** Present when events were given: the device's events overlapping the range. */
  events?: ReportEvent[];
}

export interface ReportOptions extends AnalyzeOptions {
  /** Range to report, epoch ms; default the whole frame. */
  sinceMs?: number;
  untilMs?: number;
}

/** What the replay of a device's history (src/monitor/report-timeline.ts) puts on its timeline. */
export interface ReportTimelineData {
  triggers: readonly Trigger[];
  /** With a model: `score`'s alarm episodes. */
  anomalies?: readonly AnomalySpan[];
  /** With a model and events: the rows whose alarm each event turned off or on, by event id. */
  effects?: ReadonlyMap<string, { silencedRows: number; sharpenedRows: number }>;
}

/**
 * The figures of one device. The rules and alarms on its timeline come from the causal replay
 * of the same history (src/monitor/report-timeline.ts), not from this whole-range analysis:
 * a rule is drawn from when the data proved it, as `score` and `run` date it.
 */
export function buildDeviceReport(frame: HistoryFrame, options: ReportOptions, timeline: ReportTimelineData, events?: readonly OwnerEvent[]): DeviceReport {
  const a = analyzeFrame(frame, options);
  const from = Math.max(options.sinceMs ?? -Infinity, a.fromMs);
  const to = Math.min(options.untilMs ?? Infinity, a.toMs);
  const inRange = (start: number, end = start) => end >= from && start <= to;
  // A day belongs to the range when most of it does.
  const dayInRange = (start: number, end: number) => (start + end) / 2 >= from && (start + end) / 2 <= to;
  const clock = a.clock;
  const c = a.consumption;
  const dailyIn = c ? c.daily.filter((d) => dayInRange(d.startMs, d.endMs)) : [];
  const water = c && {
    totalGallons: sum(dailyIn.map((d) => d.value)),
    filledGallons: sum(dailyIn.map((d) => d.filledValue)),
    meterReplacements: c.replacements.filter((r) => inRange(r.ts)),
    gaps: c.gaps.filter((g) => inRange(g.startMs, g.endMs)),
    daily: dailyIn.map((d) => ({ date: clock.dateLabel(d.startMs), startMs: d.startMs, gallons: d.value, filledGallons: d.filledValue })),
    nights: a.nights.filter((n) => inRange(n.startMs, n.endMs)).map((n) => ({ date: n.date, minGpm: n.minGpm, meanGpm: n.meanGpm })),
    continuousFlowMinutes: a.continuousFlowMinutes,
  };
  const pumps: ReportPump[] = a.pumps.map((p) => {
    const days = p.days.filter((d) => dayInRange(d.startMs, clock.startOfDay(clock.dayIndex(d.startMs) + 1)));
    const cycles = p.cycles.filter((cy) => inRange(cy.startMs));
    const complete = cycles.filter((cy) => cy.complete);
    const runSeconds = sum(days.map((d) => d.runSeconds));
    const observedSeconds = sum(days.map((d) => d.observedSeconds));
    const starts = sum(days.map((d) => d.starts));
    return {
      pump: p.pump,
      starts,
      startsPerHour: observedSeconds > 0 ? starts / (observedSeconds / 3600) : NaN,
      runSecondsPerStart: complete.length ? sum(complete.map((cy) => cy.endMs - cy.startMs)) / complete.length / 1000 : NaN,
      dutyCycle: observedSeconds > 0 ? runSeconds / observedSeconds : NaN,
      energyKwh: sum(days.map((d) => d.energyKwh)),
      voltageUnbalanceMeanPct: mean(days.map((d) => d.voltageUnbalanceMeanPct)),
      voltageUnbalanceMaxPct: max(days.map((d) => d.voltageUnbalanceMaxPct)),
      currentUnbalanceMeanPct: mean(days.map((d) => d.currentUnbalanceMeanPct)),
      currentUnbalanceMaxPct: max(days.map((d) => d.currentUnbalanceMaxPct)),
      learnedRunningCurrentA: p.learnedRunningCurrentA,
      dryRunCycles: cycles.filter((cy) => cy.dryRun).length,
      days: days.map((d) => ({ date: d.date, starts: d.starts, runSeconds: d.runSeconds, dutyCycle: d.dutyCycle, energyKwh: d.energyKwh, voltageUnbalanceMeanPct: d.voltageUnbalanceMeanPct, currentUnbalanceMeanPct: d.currentUnbalanceMeanPct })),
    };
  });
  const triggers = timeline.triggers.filter((t) => inRange(t.startMs, t.endMs ?? to));
  const report: DeviceReport = {
    deviceId: frame.deviceId, deviceName: frame.deviceName, userLabel: frame.userLabel, customer: frame.customer, site: frame.site,
    timeZone: clock.timeZone, fromMs: from, toMs: to, summary: [], hasMeter: c !== undefined, water: water || undefined, pumps, triggers,
    anomalies: timeline.anomalies?.filter((s) => inRange(s.startMs, s.endMs)),
    ...(events
      ? {
          events: events
            .filter((e) => e.device_id === frame.deviceId && e.end > from && e.start <= to)
            .sort((a, b) => a.start - b.start)
            .map((e) => ({ id: e.id, kind: e.kind, ...(e.note !== undefined ? { note: e.note } : {}), startMs: e.start, endMs: e.end, ...(timeline.effects ? { silencedRows: timeline.effects.get(e.id)?.silencedRows ?? 0, sharpenedRows: timeline.effects.get(e.id)?.sharpenedRows ?? 0 } : {}) })),
        }
      : {}),
  };
  report.summary = summarize(report);
  return report;
}

/** The plain-language lines at the top of the report. */
export function summarize(r: DeviceReport): string[] {
  const lines: string[] = [];
  const days = Math.max(1, (r.toMs - r.fromMs) / 86_400_000);
  const warnings = r.triggers.filter((t) => t.severity !== "info");
  const leakRules = new Set(["continuous_flow", "night_flow", "night_refills", "night_meter_hours", "night_pump_starts", "unusual_off_hours_use", "unusual_night_pressure_drop", "unusual_night_level_drop"]);
  const leak = warnings.filter((t) => leakRules.has(t.rule));
  if (warnings.length === 0) lines.push("No leak or pump fault was found in this period.");
  else if (leak.length) {
    const first = [...leakRules].map((rule) => leak.find((t) => t.rule === rule)).find((t) => t !== undefined)!;
    lines.push(`Possible leak: ${sentence(first.message)}`);
  }
  const burst = warnings.find((t) => t.rule === "burst");
  if (burst) lines.push(`High flow: ${sentence(burst.message)}`);
  for (const rule of ["dry_run", "short_cycling"]) {
    const t = warnings.find((x) => x.rule === rule);
    if (t) lines.push(`Pump: ${sentence(t.message)}`);
  }
  if (r.water) {
    lines.push(`The household used ${fmt(r.water.totalGallons, 0)} gallons in ${fmt(days, 1)} days, about ${fmt(r.water.totalGallons / days, 0)} gallons a day${r.water.filledGallons > 0 ? ` (${fmt(r.water.filledGallons, 0)} gallons estimated across data gaps)` : ""}.`);
    const floors = r.water.nights.map((n) => n.minGpm);
    if (floors.length) {
      const worst = Math.max(...floors);
      lines.push(worst > 0.05
        ? `Night flow did not drop to zero: the lowest flow between 02:00 and 04:00 ${zoneLabel(r.timeZone)} reached ${fmt(worst, 2)} gal/min — with everyone asleep it should be zero.`
        : `Night flow between 02:00 and 04:00 ${zoneLabel(r.timeZone)} dropped to zero every night${leak.length ? "" : ", as it should with no leak"}.`);
    }
    if (r.water.meterReplacements.length) lines.push(`The flow meter was replaced ${r.water.meterReplacements.length} time(s); the totals continue across it.`);
  } else {
    lines.push("This site has no flow meter; leaks are judged from pump starts and pressure.");
  }
  for (const p of r.pumps) {
    const name = pumpRole(p.pump, r.pumps.map((x) => x.pump));
    lines.push(`The ${name} ${startsText(p.starts, days)}, ran ${humanDuration(p.runSecondsPerStart)} per start and ${fmt(p.dutyCycle * 100, 1)} % of the time, and used ${fmt(p.energyKwh, 1)} kWh. Voltage unbalance averaged ${fmt(p.voltageUnbalanceMeanPct, 2)} %${p.voltageUnbalanceMaxPct > 2 ? " — above the 2 % NEMA advises for motors" : ""}.`);
    // What the two technical figures mean, in plain words.
    lines.push(`  Running ${fmt(p.dutyCycle * 100, 1)} % of the time means the pump ran about ${humanDuration(p.dutyCycle * 86_400)} a day; a pump that never rests is a leak or a pump that cannot keep up. Voltage unbalance is how unevenly the three supply phases feed the motor: under 1 % is fine, above 2 % heats and wears it.`);
  }
  if (r.anomalies?.length) lines.push(`The leak model alarmed ${r.anomalies.length} time(s) (its forest's score stayed low, or a rule fired); see the timeline.`);
  if (r.events?.length) {
    const silenced = sum(r.events.map((e) => e.silencedRows ?? 0));
    const sharpened = sum(r.events.map((e) => e.sharpenedRows ?? 0));
    const effect = r.anomalies ? ` They silenced the leak model's alarm on ${silenced} reading(s) and raised it on ${sharpened}.` : "";
    lines.push(`The owner marked ${r.events.length} event(s) in this period (${[...new Set(r.events.map((e) => e.kind))].join(", ")}); rules that fired during an expected draw or maintenance raised no alarm.${effect}`);
  }
  return lines;
}

/** The pump's role where the site tells it: with a well pump refilling a storage tank (P2), P1 is the booster; alone, P1 is the well pump. */
export function pumpRole(pump: string, all: readonly string[]): string {
  if (pump === "P2") return "well pump (P2)";
  if (pump === "P1") return all.includes("P2") ? "booster pump (P1)" : "well pump (P1)";
  return `pump ${pump}`;
}

/** Seconds as a person says them: "45 s", "12 minutes", "1.9 hours". */
export function humanDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "–";
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} minutes`;
  return `${(seconds / 3600).toFixed(1)} hours`;
}

/** "started 232 times (33 a day)", in a day's terms whatever the pump: an owner compares days. */
export function startsText(starts: number, days: number): string {
  if (starts === 0) return "never started";
  const perDay = starts / days;
  const often = perDay >= 10 ? `${perDay.toFixed(0)} a day` : perDay >= 1 ? `${perDay.toFixed(1)} a day` : `about once every ${Math.round(days / starts)} days`;
  return `started ${starts === 1 ? "once" : `${starts} times`} (${often})`;
}

function fmt(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : "–";
}

function sum(xs: number[]): number {
  let s = 0;
  for (const x of xs) if (!Number.isNaN(x)) s += x;
  return s;
}

function mean(xs: number[]): number {
  const ok = xs.filter((x) => !Number.isNaN(x));
  return ok.length ? sum(ok) / ok.length : NaN;
}

function max(xs: number[]): number {
  const ok = xs.filter((x) => !Number.isNaN(x));
  return ok.length ? Math.max(...ok) : NaN;
}
