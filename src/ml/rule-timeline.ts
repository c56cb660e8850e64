/**
 * The rules' triggers as a per-row signal for the verdict: which rules are firing at a given
 * time. A trigger's span starts when its condition began, which is before the rule could know
 * (continuous flow is only "continuous" after 2 h), so each rule counts from the moment it
 * would have fired on the data seen so far — never earlier, so batch scoring reports no alarm
 * sooner than `run` would have raised it.
 */
import { analyzeFrame } from "../analytics/analyze.ts";
import { burstTriggers, RULE_DEFAULTS } from "../analytics/rules.ts";
import type { Trigger } from "../analytics/trigger.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";

const HOUR = 3_600_000;

/**
 * The verdict's own fast flow check, built on the burst rule's schedule-aware detector with a
 * lower bar: flow of at least 1.5 gal/min for 45 minutes that is not a recurring schedule
 * (irrigation). A 2 gal/min leak passes it within the hour; the 2-hour continuous-flow rule
 * would take twice as long.
 */
export const SUSTAINED_FLOW = { rule: "sustained_flow", gpm: 1.5, ms: 45 * 60_000 } as const;

/** When a trigger would have fired, epoch ms. */
export function firedAt(t: Trigger): number {
  const end = t.endMs ?? t.startMs;
  switch (t.rule) {
    case "burst":
      return t.startMs + RULE_DEFAULTS.burstMs;
    case SUSTAINED_FLOW.rule:
      return t.startMs + SUSTAINED_FLOW.ms;
    case "continuous_flow":
      return t.startMs + RULE_DEFAULTS.continuousFlowMs;
    case "short_cycling":
      return t.startMs + HOUR;
    case "dry_run":
      return Math.min(end, t.startMs + HOUR);
    default:
      // Night and day summaries are known when their window closes.
      return end;
  }
}

/**
 * For one frame: a function from a row's time to the rules firing then. `rules` limits which
 * rule names count (default: all).
 */
export function rulesForFrame(frame: HistoryFrame, options: { timeZone?: string; rules?: readonly string[] } = {}): (ts: number) => readonly string[] {
  const analysis = analyzeFrame(frame, { timeZone: options.timeZone ?? "UTC" });
  const triggers = [...analysis.triggers];
  if (analysis.curve) {
    for (const t of burstTriggers(frame.deviceId, analysis.curve, analysis.clock, { burstGpm: SUSTAINED_FLOW.gpm, burstMs: SUSTAINED_FLOW.ms })) {
      triggers.push({ ...t, rule: SUSTAINED_FLOW.rule, message: t.message.replace(/^burst/, "sustained flow") });
    }
  }
  const spans = triggers
    .filter((t) => !options.rules || options.rules.includes(t.rule))
    .map((t) => ({ rule: t.rule, from: firedAt(t), to: t.endMs === undefined ? Infinity : Math.max(t.endMs, firedAt(t)) }));
  return (ts) => {
    const out: string[] = [];
    for (const s of spans) if (ts >= s.from && ts <= s.to && !out.includes(s.rule)) out.push(s.rule);
    return out;
  };
}
