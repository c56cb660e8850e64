/**
 * The report's timeline as a replay of the history through the pipeline `score` uses: each
 * rule drawn from the row whose analysis proved it (never from where the whole file shows its
 * condition began), and, with a model, the alarm episodes of `score`'s verdicts for the same
 * rows, each with the features that drove its lowest forest score. With the owner's events,
 * each row's alarm is the one `score --events` gives it, and the rows each event silenced or
 * raised are counted.
 */
import type { AnomalySpan, ReportTimelineData } from "../analytics/report-data.ts";
import type { Trigger } from "../analytics/trigger.ts";
import type { OwnerEvent } from "../events/events-file.ts";
import type { ScoredRow } from "../ml/score-frame.ts";
import type { LeakModel } from "../ml/model-file.ts";
import { alarmEpisodes } from "../ml/verdict.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { replayRuleTimeline, type RuleReplay } from "./replay.ts";
import { scoreRuleReplay } from "./score-replay.ts";

/** Rows whose alarm an event turned off or on, per event id. */
export type EventEffects = Map<string, { silencedRows: number; sharpenedRows: number }>;

export interface ReportTimeline extends ReportTimelineData {
  /** Each rule's firing episodes, dated as the replay proved them. */
  triggers: Trigger[];
  /** With a model: `score`'s alarm episodes. */
  anomalies?: AnomalySpan[];
  /** With a model: what each event did to the rows' alarms. */
  effects?: EventEffects;
}

export interface ReportTimelineOptions {
  /** The zone of the rules and the model's local-time features (`score`'s: the one named, else the model's). */
  timeZone: string;
  powerFactor?: number;
  /** The owner's events, as `score --events` applies them. */
  events?: readonly OwnerEvent[];
}

/** The timeline of one device's history. */
export function reportTimeline(frame: HistoryFrame, options: ReportTimelineOptions, model?: LeakModel): ReportTimeline {
  const replay = replayRuleTimeline(frame, { timeZone: options.timeZone, powerFactor: options.powerFactor });
  return { triggers: replay.triggers, ...(model ? alarmSpans(model, frame, replay, options) : {}) };
}

/**
 * `score`'s alarm episodes (its alarm rows joined as its table joins them, by the model's
 * `episode_merge_minutes`) with the lowest decision, highest probability, the `away` event that
 * raised any of its rows and the top features; and the rows each event silenced or raised.
 */
function alarmSpans(model: LeakModel, frame: HistoryFrame, replay: RuleReplay, options: ReportTimelineOptions): { anomalies: AnomalySpan[]; effects: EventEffects } {
  const rows: ScoredRow[] = [];
  const effects: EventEffects = new Map();
  const score = (topFeatures: number, onRow: (row: ScoredRow) => void) =>
    scoreRuleReplay(model, frame, replay, { timeZone: options.timeZone, topFeatures, events: options.events }, onRow);
  score(0, (row) => {
    rows.push(row);
    const mark = row.silencedBy ?? row.sharpenedBy;
    if (!mark) return;
    const e = effects.get(mark.id) ?? { silencedRows: 0, sharpenedRows: 0 };
    if (row.silencedBy) e.silencedRows++;
    else e.sharpenedRows++;
    effects.set(mark.id, e);
  });
  const episodes = alarmEpisodes(rows.map((r) => r.ts), rows.map((r) => r.isAnomaly), model.alarm.episode_merge_minutes);
  if (episodes.length === 0) return { anomalies: [], effects };
  const spans = episodes.map(([startMs, endMs]) => {
    const inside = rows.filter((r) => r.ts >= startMs && r.ts <= endMs && r.isAnomaly);
    const worst = inside.reduce((a, b) => (b.decision < a.decision ? b : a));
    const sharpened = inside.find((r) => r.sharpenedBy)?.sharpenedBy;
    return { startMs, endMs, minDecision: worst.decision, maxProbability: Math.max(...inside.map((r) => r.probability)), worstTs: worst.ts, ...(sharpened ? { sharpenedBy: sharpened.id } : {}) };
  });
  // Contributions cost a forest walk per feature and row: a second pass, only when something alarmed.
  const worstTs = new Set(spans.map((s) => s.worstTs));
  const top = new Map<number, ScoredRow["top"]>();
  score(3, (row) => {
    if (worstTs.has(row.ts)) top.set(row.ts, row.top);
  });
  const anomalies = spans.map(({ worstTs: ts, ...s }) => ({ ...s, topFeatures: (top.get(ts) ?? []).map(([feature, contribution]) => ({ feature, contribution })) }));
  return { anomalies, effects };
}
