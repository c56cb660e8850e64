/**
 * `score` as a replay: every device's history goes through the buffer and rule stage row by
 * row (rules dated when the data proves them) and through the model's causal feature windows
 * and alarm persistence, so a row's verdict depends only on the rows up to it.
 */
import { EventIndex } from "../events/covering.ts";
import type { OwnerEvent } from "../events/events-file.ts";
import { scoreFrames, type ScoredRow } from "../ml/leak-model.ts";
import type { LeakModel } from "../ml/model-file.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { rulesAtTimes } from "./replay.ts";

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
  const timeZone = options.timeZone ?? model.featureOptions.timeZone;
  const index = options.events?.length ? new EventIndex(options.events) : undefined;
  return scoreFrames(model, frames, {
    timeZone,
    topFeatures: options.topFeatures,
    rulesFor: (frame) => rulesAtTimes(frame, { timeZone }),
    ...(index ? { eventAt: (deviceId: string, ts: number) => index.at(deviceId, ts) } : {}),
  });
}
