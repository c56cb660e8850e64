/**
 * History replay: a frame's rows fed one by one through the buffer and the rule stage, exactly
 * as `run` feeds its polls, so each row's rules are those known from the rows up to it.
 * `score`, `report` and the leak-detection benchmark date their rules this way, and `report`
 * draws each rule on its timeline from the row that proved it.
 */
import type { Severity, Trigger } from "../analytics/trigger.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { countUpTo, DeviceBuffer } from "./device-buffer.ts";
import { PIPELINE_KEYS } from "./pipeline-keys.ts";
import { ANALYSIS_WINDOW_MS, RuleStage, type RuleStageOptions } from "./rule-stage.ts";

/**
 * Rows kept beyond the analysis window: more than one cadence slot, so the rows the latest
 * analysis saw are still buffered until the next one (the status page reads them).
 */
const BUFFER_MARGIN_MS = 15 * 60_000;

/** The buffer a device's pipeline keeps for an analysis window of `windowMs`. */
export function newDeviceBuffer(deviceId: string, windowMs = ANALYSIS_WINDOW_MS): DeviceBuffer {
  return new DeviceBuffer(deviceId, { retentionMs: windowMs + BUFFER_MARGIN_MS, keys: PIPELINE_KEYS });
}

/** What the replay of one frame found. */
export interface RuleReplay {
  /** Per row, the rules firing given only the rows up to it (a refused row has the row before's). */
  rules: (readonly string[])[];
  /**
   * Each rule's firing episodes, oldest first: from the row whose analysis proved the rule to the
   * last row it fired at (no `endMs` while it still fires at the last row), with the message and
   * the highest severity its analyses gave it. A rule that pauses and fires again with the same
   * start (the same night, the same run of flow) continues its episode.
   */
  triggers: Trigger[];
}

/** Replays `frame` row by row through a buffer and a rule stage, as `run` feeds its polls. */
export function replayRuleTimeline(frame: HistoryFrame, options: RuleStageOptions = {}): RuleReplay {
  const buffer = newDeviceBuffer(frame.deviceId, options.windowMs);
  const stage = new RuleStage(options);
  const rules: (readonly string[])[] = new Array(frame.ts.length);
  const triggers: Trigger[] = [];
  // Each rule's latest episode (open while it has no end) and the start its rule gave it: a rule
  // firing again for the same start is the same occurrence resumed (a night's pump starts, firing
  // for 15 minutes after each start, are one night), so the episode is reopened, not told again.
  const latest = new Map<string, { episode: Trigger; ruleStartMs: number }>();
  for (let i = 0; i < frame.ts.length; i++) {
    // The rules change only with an analysis.
    if (buffer.pushFrameRow(frame, i) !== undefined && stage.update(buffer)) {
      const firing = stage.firing();
      for (const [rule, { episode }] of latest) {
        if (episode.endMs === undefined && !firing.some((f) => f.rule === rule)) episode.endMs = frame.ts[i - 1];
      }
      for (const f of firing) {
        const before = latest.get(f.rule);
        if (before && (before.episode.endMs === undefined || before.ruleStartMs === f.startMs)) {
          const t = before.episode;
          delete t.endMs;
          t.message = f.message;
          if (SEVERITY_RANK[f.severity] > SEVERITY_RANK[t.severity]) t.severity = f.severity;
          continue;
        }
        const started: Trigger = { rule: f.rule, deviceId: frame.deviceId, startMs: frame.ts[i]!, message: f.message, severity: f.severity };
        latest.set(f.rule, { episode: started, ruleStartMs: f.startMs });
        triggers.push(started);
      }
    }
    rules[i] = stage.rules();
  }
  return { rules, triggers };
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** Per row of `frame`, the rules firing at that row given only the rows up to it. */
export function replayRules(frame: HistoryFrame, options: RuleStageOptions = {}): (readonly string[])[] {
  return replayRuleTimeline(frame, options).rules;
}

/** A replay's rules as a lookup by time (the last row at or before it), for `scoreFrame`'s `rulesFor`. */
export function rulesLookup(frame: HistoryFrame, replay: RuleReplay): (ts: number) => readonly string[] {
  const { ts } = frame;
  return (t) => {
    const n = countUpTo(ts, t);
    return n > 0 ? replay.rules[n - 1]! : [];
  };
}

/** {@link replayRules} as a lookup by row time. */
export function rulesAtTimes(frame: HistoryFrame, options: RuleStageOptions = {}): (ts: number) => readonly string[] {
  return rulesLookup(frame, replayRuleTimeline(frame, options));
}
