/**
 * The forest's alarms for the report's timeline: rows scored by a leak model, merged into
 * stretches (alarm rows at most `mergeMinutes` apart), each with the features that drove its
 * lowest score. With the owner's events, each row's alarm is the one `score --events` gives it
 * (the same `applyEvent`), and the rows each event silenced or raised are counted.
 */
import type { AnomalySpan } from "../analytics/report-data.ts";
import { EventIndex } from "../events/covering.ts";
import type { OwnerEvent } from "../events/events-file.ts";
import { scoreFrames, type ScoreOptions } from "../ml/leak-model.ts";
import type { LeakModel } from "../ml/model-file.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";

export interface ForestReviewOptions {
  /** Alarm rows at most this far apart are one stretch, minutes. Default 30. */
  mergeMinutes?: number;
  /** The sites' zone for the local-time features; default the model's. */
  timeZone?: string;
  /** The owner's events (docs/events.md). */
  events?: readonly OwnerEvent[];
}

/** Rows whose alarm an event turned off or on, per event id. */
export type EventEffects = Map<string, { silencedRows: number; sharpenedRows: number }>;

/** Alarm stretches of `frame` under `model`, oldest first, and what each event did to the rows. */
export function forestReview(model: LeakModel, frame: HistoryFrame, options: ForestReviewOptions = {}): { spans: AnomalySpan[]; effects: EventEffects } {
  const mergeMs = (options.mergeMinutes ?? 30) * 60_000;
  const index = options.events?.length ? new EventIndex(options.events) : undefined;
  const scoring: ScoreOptions = { timeZone: options.timeZone, ...(index ? { eventAt: (id: string, ts: number) => index.at(id, ts) } : {}) };
  const rows = scoreFrames(model, [frame], { ...scoring, topFeatures: 0 });
  const effects: EventEffects = new Map();
  const spans: (AnomalySpan & { worstIndex: number })[] = [];
  let open: (AnomalySpan & { worstIndex: number }) | undefined;
  rows.forEach((row, i) => {
    const mark = row.silencedBy ?? row.sharpenedBy;
    if (mark) {
      const e = effects.get(mark.id) ?? { silencedRows: 0, sharpenedRows: 0 };
      if (row.silencedBy) e.silencedRows++;
      else e.sharpenedRows++;
      effects.set(mark.id, e);
    }
    if (!row.isAnomaly) return;
    if (open && row.ts - open.endMs <= mergeMs) {
      open.endMs = row.ts;
      open.maxProbability = Math.max(open.maxProbability, row.probability);
      if (row.decision < open.minDecision) { open.minDecision = row.decision; open.worstIndex = i; }
      if (row.sharpenedBy) open.sharpenedBy ??= row.sharpenedBy.id;
      return;
    }
    open = { startMs: row.ts, endMs: row.ts, minDecision: row.decision, maxProbability: row.probability, topFeatures: [], worstIndex: i, ...(row.sharpenedBy ? { sharpenedBy: row.sharpenedBy.id } : {}) };
    spans.push(open);
  });
  if (spans.length === 0) return { spans: [], effects };
  // Contributions cost a forest walk per feature and row: only worth it when something alarmed.
  const explained = scoreFrames(model, [frame], { ...scoring, topFeatures: 3 });
  return {
    spans: spans.map(({ worstIndex, ...s }) => ({
      ...s,
      topFeatures: (explained[worstIndex]?.top ?? []).map(([feature, contribution]) => ({ feature, contribution })),
    })),
    effects,
  };
}

/** Alarm stretches of `frame` under `model`, oldest first. */
export function forestAnomalies(model: LeakModel, frame: HistoryFrame, options: ForestReviewOptions = {}): AnomalySpan[] {
  return forestReview(model, frame, options).spans;
}
