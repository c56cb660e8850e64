/**
 * The forest's alarms for the report's timeline: rows scored by a leak model, merged into
 * stretches (alarm rows at most `mergeMinutes` apart), each with the features that drove its
 * lowest score.
 */
import type { AnomalySpan } from "../analytics/report-data.ts";
import { scoreFrames } from "../ml/leak-model.ts";
import type { LeakModel } from "../ml/model-file.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";

/** Alarm stretches of `frame` under `model`, oldest first. */
export function forestAnomalies(model: LeakModel, frame: HistoryFrame, mergeMinutes = 30): AnomalySpan[] {
  const rows = scoreFrames(model, [frame], { topFeatures: 0 });
  const spans: (AnomalySpan & { worstIndex: number })[] = [];
  let open: (AnomalySpan & { worstIndex: number }) | undefined;
  rows.forEach((row, i) => {
    if (!row.isAnomaly) return;
    if (open && row.ts - open.endMs <= mergeMinutes * 60_000) {
      open.endMs = row.ts;
      open.maxProbability = Math.max(open.maxProbability, row.probability);
      if (row.decision < open.minDecision) { open.minDecision = row.decision; open.worstIndex = i; }
      return;
    }
    open = { startMs: row.ts, endMs: row.ts, minDecision: row.decision, maxProbability: row.probability, topFeatures: [], worstIndex: i };
    spans.push(open);
  });
  if (spans.length === 0) return [];
  // Contributions cost a forest walk per feature and row: only worth it when something alarmed.
  const explained = scoreFrames(model, [frame], { topFeatures: 3 });
  return spans.map(({ worstIndex, ...s }) => ({
    ...s,
    topFeatures: (explained[worstIndex]?.top ?? []).map(([feature, contribution]) => ({ feature, contribution })),
  }));
}
