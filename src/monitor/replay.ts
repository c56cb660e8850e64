/**
 * History replay: a frame's rows fed one by one through the buffer and the rule stage, exactly
 * as `run` feeds its polls, so each row's rules are those known from the rows up to it.
 * `score`, `report` and the leak-detection benchmark date their rules this way.
 */
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { countUpTo, DeviceBuffer } from "./device-buffer.ts";
import { PIPELINE_KEYS } from "./pipeline-keys.ts";
import { ANALYSIS_WINDOW_MS, RuleStage, type RuleStageOptions } from "./rule-stage.ts";

/** Extra rows kept beyond the analysis window, so a shift of the buffer is rare. */
const BUFFER_MARGIN_MS = 2 * 3_600_000;

/** The buffer a device's pipeline keeps for an analysis window of `windowMs`. */
export function newDeviceBuffer(deviceId: string, windowMs = ANALYSIS_WINDOW_MS): DeviceBuffer {
  return new DeviceBuffer(deviceId, { retentionMs: windowMs + BUFFER_MARGIN_MS, keys: PIPELINE_KEYS });
}

/**
 * Per row of `frame`, the rules firing at that row given only the rows up to it. A row the
 * buffer refuses (no newer reading) gets the rules of the row before it.
 */
export function replayRules(frame: HistoryFrame, options: RuleStageOptions = {}): (readonly string[])[] {
  const buffer = newDeviceBuffer(frame.deviceId, options.windowMs);
  const stage = new RuleStage(options);
  const out: (readonly string[])[] = new Array(frame.ts.length);
  for (let i = 0; i < frame.ts.length; i++) {
    if (buffer.pushFrameRow(frame, i) !== undefined) stage.update(buffer);
    out[i] = stage.rules();
  }
  return out;
}

/** {@link replayRules} as a lookup by row time, for `scoreFrames`' `rulesFor`. */
export function rulesAtTimes(frame: HistoryFrame, options: RuleStageOptions = {}): (ts: number) => readonly string[] {
  const rules = replayRules(frame, options);
  const { ts } = frame;
  return (t) => {
    // The last row at or before t.
    const n = countUpTo(ts, t);
    return n > 0 ? rules[n - 1]! : [];
  };
}
