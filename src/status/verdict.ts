/**
 * The owner's verdict for one device, in four words: fine, watch, possible leak, pump fault.
 *
 * It is read from the same signals as the metrics and the shipped alert rules: the rules that
 * fire (or fired within the analytics' 24 h hold, as `nightowl_rule_triggered` says) and the
 * leak model's alarm (`nightowl_ml_is_anomaly`). Pump rules (dry run, short cycling) put the
 * equipment at risk, so they win; the baseline rules (`unusual_*`) and a raised but sub-alarm
 * leak probability are worth a look, not a message.
 */
import { applyEvent, type EventMark } from "../events/covering.ts";
import type { OwnerEvent } from "../events/events-file.ts";
import { raisesAlarm } from "../ml/verdict.ts";

export type Level = "fine" | "watch" | "leak" | "pump";

/** What the page prints for each level. */
export const LEVEL_WORDS: Record<Level, string> = { fine: "fine", watch: "watch", leak: "possible leak", pump: "pump fault" };

/** An alarm kind: each has its own episodes for notifications. */
export type AlarmKind = "leak" | "pump";

/** Rules that say the pump, not the plumbing, is in trouble. */
export const PUMP_RULES: ReadonlySet<string> = new Set(["dry_run", "short_cycling"]);

/** Leak probability (percent) from which a healthy-looking device is shown as "watch". */
export const WATCH_PROBABILITY = 25;

/** The leak model's latest verdict for a device. */
export interface ModelVerdict {
  /** 0–100, percent. */
  probability: number;
  isAnomaly: boolean;
  /** Rules the model's verdict counted (they lift its probability to the rule floor). */
  rules: readonly string[];
}

export interface Judgement {
  level: Level;
  /** The alarms in force (empty for fine and watch). */
  alarms: ReadonlySet<AlarmKind>;
}

/**
 * Judges a device from the rules firing now (names) and the model's verdict, if it scores the
 * device. The model's alarm counts as a leak unless a pump rule is what raised it: with a pump
 * rule firing, the leak alarm then rests on the leak rules alone.
 */
export function judge(rules: readonly string[], model?: ModelVerdict): Judgement {
  const alarms = new Set<AlarmKind>();
  if (rules.some((r) => PUMP_RULES.has(r))) alarms.add("pump");
  const leakRule = rules.some((r) => raisesAlarm(r) && !PUMP_RULES.has(r));
  const modelLeak = model !== undefined && model.isAnomaly && !model.rules.some((r) => PUMP_RULES.has(r));
  if (leakRule || modelLeak) alarms.add("leak");
  let level: Level = "fine";
  if (alarms.has("pump")) level = "pump";
  else if (alarms.has("leak")) level = "leak";
  else if (rules.length > 0 || (model !== undefined && model.probability >= WATCH_PROBABILITY)) level = "watch";
  return { level, alarms };
}

/** A judgement with the owner's event that changed it, if one did. */
export interface EventJudgement extends Judgement {
  /** The event that turned the device's alarm off (expected, maintenance)… */
  silencedBy?: EventMark;
  /** …or on (away). */
  sharpenedBy?: EventMark;
}

/**
 * {@link judge} with the owner's event covering the device now, applied by the function
 * `score --events` and the live verdict use: the rules and the model's alarm together are one
 * alarm, which an `expected` or `maintenance` event silences (the device is then "watch": worth
 * a look, no message) and an `away` event raises from any rule or a 20 % probability. The
 * model's verdict comes with its own event applied already; its mark is kept when the rules
 * alone would not have alarmed.
 */
export function judgeWithEvent(rules: readonly string[], model: (ModelVerdict & { silencedBy?: EventMark; sharpenedBy?: EventMark }) | undefined, event: OwnerEvent | undefined): EventJudgement {
  const base = judge(rules, model);
  const applied = applyEvent({ probability: model?.probability ?? 0, isAnomaly: base.alarms.size > 0, rules }, event);
  if (applied.silencedBy) return { level: "watch", alarms: new Set(), silencedBy: applied.silencedBy };
  if (applied.sharpenedBy) return { level: "leak", alarms: new Set(["leak"]), sharpenedBy: applied.sharpenedBy };
  return { ...base, ...(model?.silencedBy ? { silencedBy: model.silencedBy } : {}), ...(model?.sharpenedBy ? { sharpenedBy: model.sharpenedBy } : {}) };
}

/** A short title per rule, for the list of reasons; the sentence beside it comes from the rule. */
export const RULE_TITLES: Record<string, string> = {
  continuous_flow: "Continuous flow",
  night_flow: "Night flow",
  burst: "Burst",
  sustained_flow: "Sustained flow",
  night_pump_starts: "Pump starts at night",
  night_refills: "Small refills all night",
  night_meter_hours: "Meter turning all night",
  short_cycling: "Short cycling",
  dry_run: "Dry run",
  unusual_daily_use: "Unusual daily use",
  unusual_off_hours_use: "Unusual off-hours use",
  unusual_duty_cycle: "Unusual pump duty",
  unusual_night_pressure_drop: "Unusual night pressure drop",
  unusual_night_level_drop: "Unusual night level drop",
  pump_above_training_range: "Pump busier than ever in training",
  no_rest: "Pump and pressure never rest",
  leak_model: "Leak model",
};

/** The title of a rule, or the rule's name with spaces when it has none. */
export function ruleTitle(rule: string): string {
  return RULE_TITLES[rule] ?? rule.replace(/_/g, " ");
}
