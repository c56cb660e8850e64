/**
 * `score` as a replay: every device's history goes through the buffer and rule stage row by
 * row (rules dated when the data proves them) and through the model's causal feature windows
 * and alarm persistence, so a row's verdict depends only on the rows up to it.
 */
import { EventIndex } from "../events/covering.ts";
import type { OwnerEvent } from "../events/events-file.ts";
import { scoreFrame, type ScoredRow, type ScoreOptions } from "../ml/score-frame.ts";
import type { LeakModel } from "../ml/model-file.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { replayRuleTimeline, rulesLookup, type RuleReplay } from "./replay.ts";

export interface ScoreReplayOptions {
  /** The sites' zone; default the model's. */
  timeZone?: string;
  /** Top features explained per row (0: none, faster). Default 3. */
  topFeatures?: number;
  /** The owner's events: expected and maintenance silence alarms, away sharpens them. */
  events?: readonly OwnerEvent[];
}

/** One verdict per row of every frame, once the model's windows have data. */
export function scoreReplay(model: LeakModel, frames: readonly HistoryFrame[], options: ScoreReplayOptions = {}): ScoredRow[] {
  const rows: ScoredRow[] = [];
  const replay = scoreReplayer(model, options);
  for (const frame of frames) replay(frame, (row) => rows.push(row));
  return rows;
}

/**
 * The replay one frame at a time, each verdict handed to `onRow` as it is made and none kept:
 * `score` writes its rows as they come, so its memory is one device's replay, not every verdict.
 */
export function scoreReplayer(model: LeakModel, options: ScoreReplayOptions = {}): (frame: HistoryFrame, onRow: (row: ScoredRow) => void) => void {
  const timeZone = options.timeZone ?? model.featureOptions.timeZone;
  return (frame, onRow) => scoreRuleReplay(model, frame, replayRuleTimeline(frame, { timeZone }), { ...options, timeZone }, onRow);
}

/**
 * One frame's verdicts given its rule replay (`replayRuleTimeline` in the same zone): the model's
 * features, forest and alarm persistence with the rules each row had. `report` comes here with
 * the replay it draws its rule timeline from, so its alarms are `score`'s.
 */
export function scoreRuleReplay(model: LeakModel, frame: HistoryFrame, replay: RuleReplay, options: ScoreReplayOptions, onRow: (row: ScoredRow) => void): void {
  const index = options.events?.length ? new EventIndex(options.events) : undefined;
  const scoreOptions: ScoreOptions = {
    timeZone: options.timeZone ?? model.featureOptions.timeZone,
    topFeatures: options.topFeatures,
    rulesFor: () => rulesLookup(frame, replay),
    ...(index ? { eventAt: (deviceId: string, ts: number) => index.forVerdict(deviceId, ts) } : {}),
  };
  scoreFrame(model, frame, scoreOptions, onRow);
}
