/**
 * The status source of `run`, read from its analytics and live-scoring observers. It is a poll
 * observer itself (placed after them): each poll it records what they do not keep — the device's
 * name and customer, its newest reading time, and the leak probability the model gave, for the
 * sparkline (48 h).
 *
 * The page's fuller figures (the rules' sentences, today's use, the flow or pump series) come
 * from the summary of the analysis the device's rule stage made last (at most one cadence slot
 * old): the same analysis that decided which rules fire, so a firing rule always has its
 * sentence, and nothing per device is analysed again for the page or the log lines.
 */
import type { Trigger } from "../analytics/trigger.ts";
import type { AnalyticsMetrics } from "../metrics/analytics.ts";
import type { AnalysisSummary } from "../monitor/analysis-summary.ts";
import { countUpTo } from "../monitor/device-buffer.ts";
import type { DeviceAnalytics, DeviceFigures } from "../monitor/device-figures.ts";
import type { LiveScorer } from "../metrics/live-scorer.ts";
import { numericValue, type DeviceSnapshot } from "../nightowl/snapshot.ts";
import type { PollObserver, PollResult } from "../nightowl/poll-result.ts";
import { ProbabilityTrail } from "./probability-trail.ts";
import { bucketSeries } from "./series.ts";
import { silences } from "../events/covering.ts";
import type { OwnerEvent } from "../events/events-file.ts";
import type { DeviceStatus, DeviceVerdict, EventNote, Reason, StatusSource } from "./source.ts";
import { judgeWithEvent } from "./verdict.ts";
import { forEachSliced } from "../yield-to-server.ts";

const HOUR_MS = 3_600_000;
/** Probability history kept per device: the detail view's 48 h. */
const KEEP_MS = 48 * HOUR_MS;
/** How long a rule stays reported after it ended: the hold of nightowl_rule_triggered (24 h). */
const RULE_HOLD_MS = 24 * HOUR_MS;

export interface LiveStatusOptions {
  analytics: AnalyticsMetrics;
  scorer?: LiveScorer;
  /** The owner's events (the file `run` watches): shown on the cards, applied to the verdicts. */
  events?: {
    forVerdict(deviceId: string, ts: number): OwnerEvent | undefined;
    of(deviceId: string): readonly OwnerEvent[];
  };
  /** Epoch ms; injected by tests. */
  now?: () => number;
}

interface Known {
  snapshot: DeviceSnapshot;
  readingAt: number;
  probability: ProbabilityTrail;
  /** Reading time the model's alarm turned on, while it is on. */
  modelSince?: number;
}

interface Analysed {
  analysis: AnalysisSummary;
  device: DeviceAnalytics;
}

export type LiveStatusSource = StatusSource & PollObserver;

export function createLiveStatusSource(options: LiveStatusOptions): LiveStatusSource {
  const now = options.now ?? Date.now;
  const known = new Map<string, Known>();
  let order: string[] = [];
  let lastPollAt: number | undefined;

  function model(id: string) {
    return options.scorer?.latest(id)?.verdict;
  }

  /** The event covering the newest reading, else the next one of the device. */
  function eventNote(id: string, at: number): EventNote | undefined {
    const e = options.events?.of(id).find((x) => at < x.end);
    if (!e) return undefined;
    return { id: e.id, kind: e.kind, ...(e.note !== undefined ? { note: e.note } : {}), startMs: e.start, endMs: e.end, active: e.start <= at };
  }

  function firing(figures: DeviceFigures | undefined): string[] {
    return Object.entries(figures?.rules ?? {}).filter(([, on]) => on === 1).map(([rule]) => rule);
  }

  /**
   * Adds the model's newest verdict to the device's trail. Called at each poll and again when a
   * page or a reason is asked for: scoring observes the poll after this source, so without the
   * second call the first poll's card showed a probability its sparkline said it had no data for.
   */
  function catchUp(id: string, k: Known): void {
    const m = options.scorer?.latest(id);
    if (!m || !(m.ts > k.probability.lastTs)) return;
    k.probability.push(m.ts, m.verdict.probability);
    if (m.verdict.isAnomaly) k.modelSince ??= m.ts;
    else k.modelSince = undefined;
  }

  function verdictOf(id: string, k: Known, figures: DeviceFigures | undefined): DeviceVerdict {
    catchUp(id, k);
    const m = model(id);
    const applying = options.events?.forVerdict(id, k.readingAt);
    // Rules an owner's silencing event covered whole: shown silenced by it while it applies, gone after.
    const rules = silences(applying) ? [...firing(figures), ...(figures?.silenced ?? [])] : firing(figures);
    const { level, alarms, silencedBy, sharpenedBy } = judgeWithEvent(rules, m, applying);
    const event = eventNote(id, k.readingAt);
    const customer = k.snapshot.attributes.CustomerInfo?.value;
    return {
      id,
      name: k.snapshot.name,
      customer: typeof customer === "string" && customer.trim() ? customer.trim() : k.snapshot.userLabel,
      userLabel: k.snapshot.userLabel,
      level,
      alarms,
      leakProbability: m?.probability ?? Number.NaN,
      readingAt: k.readingAt,
      ...(event ? { event } : {}),
      ...(silencedBy ? { silencedBy } : {}),
      ...(sharpenedBy ? { sharpenedBy } : {}),
    };
  }

  function analysisOf(id: string): Analysed | undefined {
    const device = options.analytics.devices().get(id);
    const analysis = device?.pipeline.rules.latest();
    return device && analysis ? { analysis, device } : undefined;
  }

  /**
   * The analysed rows' times, aligned with the summary's per-row series: the rule stage
   * analysed the buffer's rows from `fromMs` to `toMs`; the buffer keeps them (its retention
   * exceeds the window by more than a slot) and may have newer ones since.
   */
  function analysedTimes({ analysis, device }: Analysed): Float64Array {
    const rows = device.pipeline.buffer.times(analysis.fromMs);
    return rows.subarray(0, countUpTo(rows, analysis.toMs));
  }

  function reasonsOf(id: string, k: Known, figures: DeviceFigures | undefined, a: AnalysisSummary | undefined): Reason[] {
    const reasons = a ? ruleReasons(a, firing(figures)) : [];
    const m = model(id);
    if (m?.isAnomaly && m.rules.length === 0) {
      reasons.push({ rule: "leak_model", sentence: `the leak model puts the chance of a leak at ${m.probability.toFixed(0)} %: water use unlike any in the history it learned from`, sinceMs: k.modelSince ?? k.readingAt });
    }
    return reasons;
  }

  /** The sparklines over (fromMs, toMs]. */
  function seriesOf(k: Known, analysed: Analysed | undefined, fromMs: number, toMs: number): DeviceStatus["series"] {
    const a = analysed?.analysis;
    // Pressure from every buffered row in the span; flow and pump duty from the analysed rows.
    const buffer = analysed?.device.pipeline.buffer;
    const probability = k.probability.columns();
    const series: DeviceStatus["series"] = {
      pressure: bucketSeries(buffer?.times(fromMs) ?? [], buffer?.values("S1", fromMs) ?? [], fromMs, toMs, "mean"),
      ...(options.scorer ? { leakProbability: bucketSeries(probability.t, probability.v, fromMs, toMs, "max") } : {}),
    };
    const rows = analysed ? analysedTimes(analysed) : new Float64Array();
    const from = countUpTo(rows, fromMs);
    const s = a?.rowSeries;
    const inSpan = () => (s && s.rows === rows.length ? s.values.read(from, s.rows) : new Float64Array());
    if (s?.kind === "flow") series.flow = bucketSeries(rows.subarray(from), inSpan(), fromMs, toMs, "rate");
    else if (s?.kind === "pumpDuty") series.pumpDutyPercent = bucketSeries(rows.subarray(from), inSpan().map((r) => r * 100), fromMs, toMs, "mean");
    return series;
  }

  function status(id: string, k: Known, spanMs: number): DeviceStatus {
    const figures = options.analytics.devices().get(id)?.figures();
    const verdict = verdictOf(id, k, figures);
    const analysed = analysisOf(id);
    const a = analysed?.analysis;
    // The span ends at the newest score when scoring (every poll) is ahead of the rule stage's
    // analysed rows (a 5-minute slot): the card's probability is that score, and its line must
    // not end before it ("no data yet" beside the figure, right after start).
    const toMs = Math.max(a?.toMs ?? k.readingAt, k.probability.lastTs);
    const fromMs = toMs - spanMs;
    const reasons = reasonsOf(id, k, figures, a);
    const series = spanMs > 0 ? seriesOf(k, analysed, fromMs, toMs) : { pressure: [], ...(options.scorer ? { leakProbability: [] } : {}) };
    return {
      ...verdict,
      reasons,
      pressurePsi: latestNumber(k.snapshot, "S1"),
      tankPercent: latestNumber(k.snapshot, "Level1_precent"),
      pumps: (figures?.pumps ?? []).map((p) => ({ pump: p.pump, running: p.running })),
      todayGallons: a ? a.todayGallons : Number.NaN,
      lastNightMinGpm: figures?.nightFlowMinGpm ?? Number.NaN,
      series,
      fromMs,
      toMs,
    };
  }

  const deviceVerdict = (id: string): DeviceVerdict | undefined => {
    const k = known.get(id);
    return k ? verdictOf(id, k, options.analytics.devices().get(id)?.figures()) : undefined;
  };
  const deviceStatus = (id: string, spanMs: number): DeviceStatus | undefined => {
    const k = known.get(id);
    return k ? status(id, k, spanMs) : undefined;
  };

  return {
    // A pass over the whole fleet: in slices that yield, so a scrape does not wait for all of it.
    async observe(result: PollResult) {
      if (!result.ok) return;
      lastPollAt = now();
      order = result.devices.map((d) => d.id);
      const polled = new Set(order);
      for (const id of known.keys()) if (!polled.has(id)) known.delete(id);
      await forEachSliced(result.devices, (d) => {
        const k = known.get(d.id) ?? { snapshot: d, readingAt: Number.NaN, probability: new ProbabilityTrail(KEEP_MS) };
        k.snapshot = d;
        k.readingAt = Math.max(...Object.values(d.telemetry).map((r) => r.ts), Number.isNaN(k.readingAt) ? -Infinity : k.readingAt);
        catchUp(d.id, k);
        known.set(d.id, k);
      });
    },
    verdicts() {
      return order.flatMap((id) => deviceVerdict(id) ?? []);
    },
    deviceIds: () => order,
    deviceVerdict,
    deviceStatus,
    reasons(id) {
      const k = known.get(id);
      if (k) catchUp(id, k);
      return k ? reasonsOf(id, k, options.analytics.devices().get(id)?.figures(), analysisOf(id)?.analysis) : [];
    },
    statuses(spanMs) {
      return order.flatMap((id) => deviceStatus(id, spanMs) ?? []);
    },
    lastPollAt: () => lastPollAt,
  };
}

/**
 * One reason per firing rule: its latest trigger's sentence, since the start of the chain of
 * triggers that kept it reported without a break (a leak's nightly triggers are one episode).
 */
export function ruleReasons(analysis: { triggers: readonly Trigger[] }, rules: readonly string[]): Reason[] {
  const out: Reason[] = [];
  for (const rule of rules) {
    const triggers = analysis.triggers.filter((t) => t.rule === rule);
    const last = triggers[triggers.length - 1];
    if (!last) continue;
    let since = last.startMs;
    for (let i = triggers.length - 2; i >= 0; i--) {
      const end = triggers[i]!.endMs ?? Infinity;
      if (end + RULE_HOLD_MS < since) break;
      since = Math.min(since, triggers[i]!.startMs);
    }
    out.push({ rule, sentence: last.message, sinceMs: since, ...(last.endMs !== undefined ? { endedMs: last.endMs } : {}) });
  }
  return out.sort((a, b) => a.sinceMs - b.sinceMs);
}

function latestNumber(d: DeviceSnapshot, key: string): number {
  return numericValue(d.telemetry[key]?.value) ?? Number.NaN;
}
