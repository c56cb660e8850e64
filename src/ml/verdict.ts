/**
 * How the alarm a user sees (`is_anomaly`, `leak_probability`) is decided from the forest's
 * per-row decision scores and the rules' triggers.
 *
 * The forest's raw decision (`anomaly_score`, negative = anomalous) flags the `contamination`
 * share of normal rows by construction — some 2,000 minutes a month at 5 % — so it cannot be the
 * alarm. The alarm asks for persistence instead: the time-weighted mean of the decision over a
 * short window (default 30 min, for fast leaks) or a long one (default 6 h, for slow leaks) must
 * fall below that window's alarm threshold. Each threshold is calibrated at training time as the
 * lowest smoothed value the training (leak-free) history reached, minus a margin (5 % of the
 * distance from that lowest value to the median), so the training data itself raises no
 * alarm; a named rule trigger raises the alarm on its own. A 6-hour stretch scoring lower
 * than any 6 hours of normal use is an alarm even if no single row crosses the forest's offset.
 *
 * `leak_probability` is a logistic of the smoothed score's distance below its threshold, scaled
 * so the training median sits at 5 % and the threshold at exactly 50 %: probability ≥ 50 % if
 * and only if `is_anomaly` is 1. A triggered rule lifts it to at least `ruleFloor` (90 %).
 */
import * as v from "valibot";
import { ACTIVITY_GATE, ActivityGate, DAY_DRAW_FEATURES } from "./activity-gate.ts";
import { RecurringStretches } from "./recurring-stretch.ts";
import { REST_GUARD, RestGuard, RestGuardSchema } from "./rest-guard.ts";
import { TimeWindowMean } from "./time-window-mean.ts";

/** Decision scores (scoreSamples − offset) lie in (−1, 1): a threshold outside means nothing. */
const decisionThreshold = () => v.pipe(v.number(), v.minValue(-1), v.maxValue(1));
/** Windows and merges up to a week, in whole minutes. */
const minutes = (min: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(10_080));
/** The range guard's and the activity gate's features, and one finite level per feature. */
const featureNames = v.pipe(v.array(v.pipe(v.string(), v.nonEmpty())), v.minLength(1));
const finiteNumbers = v.array(v.pipe(v.number(), v.finite()));

export const AlarmParamsSchema = v.object({
  /** Short persistence window, minutes. */
  short_window_minutes: minutes(1),
  /** Long persistence window, minutes. */
  long_window_minutes: minutes(1),
  /** Alarm when the short-window mean decision is below this. */
  short_threshold: decisionThreshold(),
  /** Alarm when the long-window mean decision is below this. */
  long_threshold: decisionThreshold(),
  /** Logistic scale of the probability mapping for each window, decision units (> 0). */
  short_scale: v.pipe(v.number(), v.minValue(Number.MIN_VALUE), v.maxValue(10)),
  long_scale: v.pipe(v.number(), v.minValue(Number.MIN_VALUE), v.maxValue(10)),
  /**
   * A window counts only once readings cover this share of it: the persistence windows' means,
   * and the feature windows a row's forest decision comes from (no forest alarm below it).
   */
  min_coverage: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  /** Lowest leak_probability while a rule is triggered, percent. */
  rule_floor: v.pipe(v.number(), v.minValue(0), v.maxValue(100)),
  /** Alarms closer than this are one episode, minutes (for counting, not for the flag). */
  episode_merge_minutes: minutes(0),
  /**
   * Sites without a flow meter: the pump is the meter. Alarm when one of these features stays
   * above the highest value it reached in training for `minutes` (see {@link RANGE_GUARD}).
   * One maximum per feature; the model file checks the features are among its own.
   */
  range_guard: v.optional(
    v.pipe(
      v.object({
        features: featureNames,
        maxima: finiteNumbers,
        minutes: minutes(1),
      }),
      v.check((g) => g.features.length === g.maxima.length, "range_guard needs one maximum per feature"),
    ),
  ),
  /** Sites without a flow meter: alarm when the site goes without a rest longer than training did at that hour (rest-guard.ts). */
  rest_guard: v.optional(RestGuardSchema),
  /**
   * The forest's alarm holds only while the site is drawing water now (see `ACTIVITY_GATE` in activity-gate.ts):
   * a row draws when one of `features` is above its `above` value (gallons in the last 5
   * minutes; or the pump running, or the pressure moving more than it does at rest); a spell of
   * `quiet_minutes` without such a row means nothing runs; the forest may alarm once the site
   * has drawn for `active_minutes` with no quiet spell. `draw`: the hour's draw (`feature`,
   * gallons or the pump's mean current over the last hour) and the most it reached in training
   * (`max`): a draw beyond it for `active_minutes` that falls back to half of it has ended;
   * `by_hour`: the most it reached at each local hour 0..23 (with the hours either side), which
   * the forest must pass in the day after such a draw, or when its long window alone is unusual
   * from before the site's last rest (activity-gate.ts). `day`: the 24-hour draw (`feature`) below
   * which (`low`) the forest does not alarm: less water than training's days is no leak.
   * (Models without `by_hour` or `day` skip those checks.)
   */
  activity_gate: v.optional(
    v.pipe(
      v.object({
        features: featureNames,
        above: finiteNumbers,
        quiet_minutes: minutes(1),
        active_minutes: minutes(0),
        draw: v.optional(
          v.object({
            feature: v.pipe(v.string(), v.nonEmpty()),
            max: v.pipe(v.number(), v.finite()),
            by_hour: v.optional(v.pipe(finiteNumbers, v.length(24))),
          }),
        ),
        day: v.optional(v.object({ feature: v.pipe(v.string(), v.nonEmpty()), low: v.pipe(v.number(), v.finite()) })),
      }),
      v.check((g) => g.features.length === g.above.length, "activity_gate needs one level per feature"),
    ),
  ),
});

export type AlarmParams = v.InferOutput<typeof AlarmParamsSchema>;

export const DEFAULT_WINDOWS = { short: 30, long: 360 } as const;

/**
 * The range guard of meterless sites: pump starts in the last hour and the pump's mean current
 * over the last hour (its duty) above anything seen in the leak-free training history, for 2
 * minutes on end. A 2 gal/min leak makes a booster pump cycle more often than any household
 * hour did; on metered sites the flow rules do this job and the guard is off.
 *
 * The figures are the last hour's, so they still hold a draw that ended: an irrigation zone's
 * 40 minutes, then a rest, then a shower lifts the hour over the range with the pump busy for
 * ten minutes. A leak never lets the site rest (rest-guard.ts), so where the rest guard's clock
 * saw the site at rest within the last `restedMinutes` (the activity gate's quiet spell, 15
 * minutes) the guard holds its peace: what lifts the hour is not running now. A gap in the
 * telemetry is no rest, so a leak read again after an outage is not held back. Once it fires
 * it holds, as before, until the hour is back in range: an alarm that went off at each pause of
 * the pump and on again would page the owner once per pause.
 */
export const RANGE_GUARD = { features: ["pump_starts_1h", "pump_current_mean_1h"], minutes: 2, rule: "pump_above_training_range", restedMinutes: ACTIVITY_GATE.quietMinutes } as const;

/**
 * The range guard's schedule (recurring-stretch.ts), as `burst`'s: a stretch above the training range that began
 * within 30 minutes of the time of day a like draw began on one of the previous 14 days is a
 * recurring draw (an irrigation schedule that started after training), not a leak — for as
 * long as that one lasted plus 15 minutes, so a leak that begins at a scheduled hour is not
 * excused for longer; stretches 15 minutes apart or closer are one. A like draw is a stretch
 * with a guard feature above `nearShare` (2/3) of its training maximum: a zone that keeps the
 * pump near its busiest training hour goes over it on the morning a shower or the laundry
 * runs with it (a 2 gal/min shower on a 4 gal/min zone is half again the zone's draw, 1/1.5 =
 * 2/3), so the schedule is learned from the zone's own mornings, not only from the ones that
 * went over. The first day of a new schedule still alarms if it goes over. A live monitor
 * knows the stretches of the hours it has replayed and scored since.
 */
export const GUARD_SCHEDULE = { nearShare: 2 / 3 } as const;

/** The features `calibrateAlarm` reads besides the scores (the range and rest guards', the gate's, and `flow_gpm` to tell a metered site). */
export const ALARM_INPUT_FEATURES: readonly string[] = [...new Set(["flow_gpm", "gallons_5m", "gallons_1h", ...DAY_DRAW_FEATURES, "pump_running", ...RANGE_GUARD.features, "pressure_s1_range_15m", ...REST_GUARD.features])];

/** One row's verdict. */
export interface Verdict {
  /** 0–100, percent. */
  probability: number;
  isAnomaly: boolean;
  /** Time-weighted mean decision over the short and long windows (NaN until covered). */
  shortMean: number;
  longMean: number;
  /** Names of the rules that triggered on this row, if any. */
  rules: readonly string[];
  /**
   * Minutes the site has drawn water without a quiet spell (the activity gate's measure; absent
   * without a gate): an `away` event alarms on a sustained draw by itself (covering.ts).
   */
  drawingMinutes?: number;
  /**
   * Why the forest had no say on this row, e.g. "window coverage 32 % < 50 %", or why its alarm
   * was held back as no leak (activity-gate.ts: less drawn in 24 h than in training…).
   */
  reason?: string;
}

/**
 * The default minimum coverage of a window, 50 %. At half covered a window is at least as much
 * reading as gap, so its mean, spread and gallons come from half its span or more; below that a
 * window after an outage is mostly the gap, and the forest, trained on full windows, reads
 * the missing hours as unusual use. At 50 %, a 3-hour outage keeps the 24 h and 6 h windows
 * counting from the first reading after it, and the 1 h window counts again after 30 minutes.
 */
export const DEFAULT_MIN_COVERAGE = 0.5;

/** Turns one device's stream of (time, decision, rule triggers) into verdicts. */
export class VerdictStream {
  private readonly params: AlarmParams;
  private readonly short: TimeWindowMean;
  private readonly long: TimeWindowMean;
  private readonly guardIndex: Int32Array;
  private readonly guardSince: Float64Array;
  /** The last row the rest guard's clock saw the site at rest (−∞: none yet), for the range guard. */
  private restedAt = -Infinity;
  /** Whether the range guard fired on the row before. */
  private guardFiring = false;
  /** Since when the long window's mean has been below its threshold (NaN: it is not). */
  private longUnusualSince = Number.NaN;
  /** The range guard's schedule (an irrigation that began after training), recurring-stretch.ts. */
  private readonly guardSchedule = new RecurringStretches();
  /** The forest's activity gate (none for an older model without one). */
  private readonly gate: ActivityGate | undefined;
  /** The rest guard (sites without a meter, rest-guard.ts), its schedule within. */
  private readonly rest: RestGuard | undefined;

  /** `featureNames`: the model's, so the range guard finds its features in the rows given to `push`. */
  constructor(params: AlarmParams, featureNames: readonly string[] = []) {
    this.params = params;
    this.short = new TimeWindowMean(params.short_window_minutes);
    this.long = new TimeWindowMean(params.long_window_minutes);
    const guard = params.range_guard;
    this.guardIndex = Int32Array.from(guard?.features ?? [], (f) => featureNames.indexOf(f));
    this.guardSince = new Float64Array(this.guardIndex.length).fill(Number.NaN);
    this.gate = params.activity_gate ? new ActivityGate(params.activity_gate, featureNames, params.long_window_minutes, params.short_window_minutes) : undefined;
    const rest = params.rest_guard ? new RestGuard(params.rest_guard, featureNames) : undefined;
    this.rest = rest?.usable ? rest : undefined;
  }

  /**
   * `ts` epoch ms (increasing), `decision` the forest's decision score for that row, the rules
   * firing, the row's features in the model's order, unscaled (for the range guard), and the
   * share of its least-covered feature window that readings fill (FeatureStream.coverage).
   * Below `min_coverage` the forest has no say: no alarm from it or from the range guard, and
   * the decision does not enter the persistence means (it would linger there for hours).
   * `local`: the row's local epoch ms (FeatureStream.local, the one local clock), for the rest
   * guard's hour and both guards' schedules, so a schedule learned before a daylight-saving
   * change still matches after it; UTC when not given.
   */
  push(ts: number, decision: number, rules: readonly string[] = [], features?: ArrayLike<number>, coverage = 1, local = ts): Verdict {
    const p = this.params;
    if (coverage < p.min_coverage) return this.withheld(rules, coverage);
    // The rest guard keeps its own schedule (rest-guard.ts).
    const restless = this.rest !== undefined && features !== undefined && this.rest.push(ts, local, features);
    // Its clock also says whether the site rests at this very row (the gate's own measure lags 15 minutes).
    const resting = this.rest !== undefined && features !== undefined && this.rest.restsNow;
    if (resting) this.restedAt = ts;
    const guard = p.range_guard;
    if (guard && features) {
      let above = false;
      let near = false;
      for (let k = 0; k < this.guardIndex.length; k++) {
        const j = this.guardIndex[k];
        if (j >= 0 && features[j] > GUARD_SCHEDULE.nearShare * guard.maxima[k]) near = true;
        if (j < 0 || !(features[j] > guard.maxima[k])) {
          this.guardSince[k] = Number.NaN;
          continue;
        }
        if (this.guardSince[k] !== this.guardSince[k]) this.guardSince[k] = ts;
        if (ts - this.guardSince[k] >= guard.minutes * 60_000) above = true;
      }
      if (this.guardSchedule.scheduled(local, above, local, near)) above = false;
      if (above && !this.guardFiring && ts - this.restedAt < RANGE_GUARD.restedMinutes * 60_000) above = false;
      this.guardFiring = above;
      if (above) rules = [...rules, RANGE_GUARD.rule];
    }
    if (restless) rules = [...rules, REST_GUARD.rule];
    const shortMean = this.short.push(ts, decision, p.min_coverage);
    const longMean = this.long.push(ts, decision, p.min_coverage);
    const pShort = shortMean === shortMean ? logistic((p.short_threshold - shortMean) / p.short_scale) : 0;
    const pLong = longMean === longMean ? logistic((p.long_threshold - longMean) / p.long_scale) : 0;
    let probability = 100 * Math.max(pShort, pLong);
    const shortUnusual = shortMean === shortMean && shortMean < p.short_threshold;
    const longUnusual = longMean === longMean && longMean < p.long_threshold;
    const unusual = shortUnusual || longUnusual;
    // Without a gate (an older model) the forest's verdict passes unchanged.
    if (!longUnusual) this.longUnusualSince = Number.NaN;
    else if (this.longUnusualSince !== this.longUnusualSince) this.longUnusualSince = ts;
    const forestAlarm = this.gate && features ? this.gate.pass(ts, unusual, features, local, resting, longUnusual && !shortUnusual, ts - this.longUnusualSince) : unusual;
    const ruleAlarm = rules.some(raisesAlarm);
    if (ruleAlarm) probability = Math.max(probability, p.rule_floor);
    const isAnomaly = forestAlarm || ruleAlarm;
    if (isAnomaly) probability = Math.max(probability, 50);
    else probability = Math.min(probability, 49.99);
    const heldBack = this.gate && features ? this.gate.heldBack : undefined;
    return { probability, isAnomaly, shortMean, longMean, rules, ...(this.gate && features ? { drawingMinutes: this.gate.drawingMinutes } : {}), ...(heldBack ? { reason: heldBack } : {}) };
  }

  /** The verdict of a row whose feature windows are mostly gap: the rules alone decide. */
  private withheld(rules: readonly string[], coverage: number): Verdict {
    this.guardSince.fill(Number.NaN);
    this.guardFiring = false;
    const isAnomaly = rules.some(raisesAlarm);
    const probability = isAnomaly ? Math.max(this.params.rule_floor, 50) : 0;
    const reason = `window coverage ${percent(coverage)} % < ${percent(this.params.min_coverage)} %`;
    return { probability, isAnomaly, shortMean: Number.NaN, longMean: Number.NaN, rules, reason };
  }
}

/** A share as a whole percent, rounded down so a figure just below the minimum never reads as it. */
function percent(share: number): number {
  return Math.floor(share * 100 + 1e-9);
}

/**
 * Whether a firing rule raises the alarm. The baseline rules (`unusual_*`: a day's use or duty
 * cycle a few standard deviations from the device's own fortnight) are context, listed with the
 * verdict but not an alarm on their own: a party or a filled paddling pool trips them, and a
 * leak that matters trips the flow, pump or forest checks as well.
 */
export function raisesAlarm(rule: string): boolean {
  return !rule.startsWith("unusual_");
}

function logistic(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/**
 * Alarm episodes in one device's verdict series: maximal runs of alarmed rows, runs closer
 * than `mergeMinutes` joined. Returns [start, end] pairs in epoch ms.
 */
export function alarmEpisodes(ts: ArrayLike<number>, alarmed: ArrayLike<boolean | number>, mergeMinutes: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const mergeMs = mergeMinutes * 60_000;
  for (let i = 0; i < ts.length; i++) {
    if (!alarmed[i]) continue;
    const last = out[out.length - 1];
    if (last && ts[i] - last[1] <= mergeMs) last[1] = ts[i];
    else out.push([ts[i], ts[i]]);
  }
  return out;
}
