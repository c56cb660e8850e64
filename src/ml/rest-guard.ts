/**
 * The rest guard of sites without a flow meter (`no_rest`). A household's water use comes in
 * draws — a shower, a flush, a laundry fill — and between them the pressure system rests: the
 * pump stopped and the pressure still. A continuous leak never lets it rest: a pressure-switch
 * pump drains and refills its tank over and over, a constant-pressure drive never goes back to
 * sleep, a booster behind a cistern keeps cycling. So the guard measures, row by row, how long
 * the site has gone without a five-minute rest (`busy` minutes), and fires when that is longer
 * than the training history ever went without one at this time of day — the hour itself and
 * the hours either side, for three weeks of training give only some twenty samples of each
 * hour — and at least {@link REST_GUARD}.minMinutes. It does not wait for the pump to be busier
 * than in its busiest hour (the range guard): a 2 gal/min leak at a quiet hour of the afternoon
 * is a pump that never rests where the household always rested within minutes.
 *
 * A rest: in the last 5 minutes, no pump current above a fifth of the running level (no
 * running minute in it: 5 one-minute samples) and the pressure moved no more than the activity
 * gate's still level (5 × its median 15-minute range at rest in training, at least 0.5 PSI).
 * When the readings come every 5 minutes or more, a 5-minute window holds one sample and would
 * always look still, so the 15-minute windows (three samples) decide, against training's
 * longest stretches without a 15-minute rest (measured the same way). A silence of more than
 * 10 minutes (the features' carry-forward) leaves the rest unknown and the count starts again.
 */
import * as v from "valibot";
import { RecurringStretches } from "./recurring-stretch.ts";
import { localHour } from "./time-features.ts";

const MINUTE_MS = 60_000;

export const REST_GUARD = {
  rule: "no_rest",
  /**
   * Pump current and pressure range over 5 and 15 minutes. The local hour is not read from the
   * features: the verdict is handed each row's local time by the feature stream (older model
   * files also list `hour_sin`, `hour_cos` here; they are not read).
   */
  features: ["pump_current_mean_5m", "pressure_s1_range_5m", "pump_current_mean_15m", "pressure_s1_range_15m"],
  /**
   * Never fire before 50 minutes without a rest: longer than the 45 minutes `sustained_flow` and
   * the activity gate ask of a draw a household does not make unbroken (a bath, showers back to
   * back with a laundry fill end sooner), for three weeks give only some twenty samples of an
   * hour, too few to trust a shorter maximum, and a guests' evening or a new irrigation's first
   * morning runs past it. A 2 gal/min leak starting at a quiet hour still fires within the hour.
   */
  minMinutes: 50,
  /**
   * And only 5 minutes past training's longest stretch at the hour: a stretch just as long as the
   * longest, give or take one more draw of the household, is ordinary.
   */
  marginMinutes: 5,
  /**
   * A stretch without a rest past training's longest at the hour by the margin makes a schedule
   * (recurring-stretch.ts) though the guard did not fire on it (under its floor): a
   * new irrigation zone of 30 minutes keeps the site busy 33–45 minutes on its mornings, and the
   * morning a shower runs on past it, or 5-minute polling measures it longer, the guard passes
   * its limit: that morning is excused by the zone's own mornings. The household's own mornings,
   * as long as in training, make none (the limit already allows them). A stretch shorter than
   * this could excuse no more than the guard's floor (its length plus the schedule's 15
   * minutes), so none is kept.
   */
  scheduleMinutes: 25,
  /** Hours either side of the row's hour whose training maxima count. */
  neighbourHours: 1,
  /** A running pump draws above 1 A (`pump_running`); a fifth of it over 5 samples is no running minute. */
  idleCurrentA: 0.2,
  /**
   * Rows further apart than this are judged by the 15-minute windows: 5-minute polling (4:20 at
   * the least with its jitter), not a minute or two of missing readings.
   */
  polledMs: 4 * MINUTE_MS,
  /** A silence longer than the features' carry-forward: the count starts again. */
  gapMs: 10 * MINUTE_MS,
} as const;

const hourly = v.pipe(v.array(v.pipe(v.number(), v.finite(), v.minValue(0))), v.length(24));

export const RestGuardSchema = v.object({
  /** {@link REST_GUARD}.features; a file written before the local time came from the feature stream lists the two hour features after them. */
  features: v.pipe(
    v.array(v.pipe(v.string(), v.nonEmpty())),
    v.check((f) => f.length === REST_GUARD.features.length || f.length === REST_GUARD.features.length + 2, `rest_guard needs ${REST_GUARD.features.length} features`),
  ),
  /** Largest pressure range (PSI) over a window that still counts as at rest. */
  still_psi: v.pipe(v.number(), v.finite(), v.minValue(0)),
  /** Longest stretch (minutes) without a 5-minute rest that training saw, per local hour 0..23… */
  busy_max_minutes: hourly,
  /** …and without a 15-minute rest, the measure under 5-minute polling. */
  busy_max_minutes_polled: hourly,
  /** Never fire below this many minutes without a rest. */
  min_minutes: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_080)),
});

export type RestGuardParams = v.InferOutput<typeof RestGuardSchema>;

/**
 * Counts the minutes since the site last rested, row by row, over 5-minute windows (`polled`
 * false) or 15-minute ones.
 */
export class RestClock {
  private readonly index: Int32Array;
  private lastRest = Number.NaN;
  private lastTs = Number.NaN;
  /**
   * Whether the row last pushed showed the site at rest: the pump's current and the pressure's
   * range read, and both still. A gap or a missing reading restarts the stretch but is no rest.
   */
  restsNow = false;

  constructor(private readonly stillPsi: number, private readonly polled: boolean, featureNames: readonly string[], features: readonly string[] = REST_GUARD.features) {
    this.index = Int32Array.from(features.slice(0, REST_GUARD.features.length), (f) => featureNames.indexOf(f));
  }

  /** Whether every feature the clock reads is in the rows. */
  get usable(): boolean {
    return !this.index.some((j) => j < 0);
  }

  /** Minutes without a rest at `ts` (0 when the site rests now or the rest is unknown). */
  push(ts: number, row: ArrayLike<number>): number {
    const step = ts - this.lastTs;
    this.lastTs = ts;
    const current = row[this.index[this.polled ? 2 : 0]!]!;
    const range = row[this.index[this.polled ? 3 : 1]!]!;
    const rest = !(current > REST_GUARD.idleCurrentA) && !(range > this.stillPsi);
    this.restsNow = current <= REST_GUARD.idleCurrentA && range <= this.stillPsi;
    if (rest || !(step <= REST_GUARD.gapMs) || this.lastRest !== this.lastRest) this.lastRest = ts;
    return (ts - this.lastRest) / MINUTE_MS;
  }
}

/** The whole local hour 0..23 of local epoch ms `local` (FeatureStream.local). */
function hourOf(local: number): number {
  return Math.floor(localHour(local)) % 24;
}

/**
 * The guard for leak-free training series (features in time order, `local`: each row's local
 * epoch ms; the UTC hour without it), or undefined when they lack a feature it reads. `stillPsi`:
 * the activity gate's still level.
 */
export function restGuardFor(series: readonly { ts: Float64Array; local?: Float64Array; features: { names: readonly string[]; data: Float64Array; cols: number } }[], stillPsi: number): RestGuardParams | undefined {
  const tables = [new Array<number>(24).fill(0), new Array<number>(24).fill(0)];
  for (const s of series) {
    const { names, data, cols } = s.features;
    const clocks = [new RestClock(stillPsi, false, names), new RestClock(stillPsi, true, names)];
    if (!clocks[0]!.usable) return undefined;
    // One row buffer refilled, not a view per row: millions of views outran the collector.
    const row = new Float64Array(cols);
    for (let i = 0; i < s.ts.length; i++) {
      for (let c = 0; c < cols; c++) row[c] = data[i * cols + c]!;
      const h = hourOf((s.local ?? s.ts)[i]!);
      for (let k = 0; k < 2; k++) tables[k]![h] = Math.max(tables[k]![h]!, clocks[k]!.push(s.ts[i]!, row));
    }
  }
  const [busy, polled] = tables.map((t) => t.map((m) => Math.ceil(m)));
  return { features: [...REST_GUARD.features], still_psi: stillPsi, busy_max_minutes: busy!, busy_max_minutes_polled: polled!, min_minutes: REST_GUARD.minMinutes };
}

/**
 * The guard row by row: `push` tells whether the site has gone without a rest longer than
 * training did at this hour. Both clocks run on every row; a row that follows the previous one
 * by more than {@link REST_GUARD}.polledMs is judged by the 15-minute one.
 */
export class RestGuard {
  private readonly clocks: [RestClock, RestClock];
  /** The schedules (a new irrigation's mornings) of the 5-minute and the 15-minute measure. */
  private readonly schedules: [RecurringStretches, RecurringStretches] = [new RecurringStretches(), new RecurringStretches()];
  private lastTs = Number.NaN;
  /** The site's last rest before the row last pushed, epoch ms: where its stretch began. */
  sinceMs = Number.NaN;
  /** Whether the row last pushed showed the site at rest, by the measure of its polling (RestClock.restsNow). */
  restsNow = false;

  constructor(private readonly params: RestGuardParams, featureNames: readonly string[]) {
    this.clocks = [new RestClock(params.still_psi, false, featureNames, params.features), new RestClock(params.still_psi, true, featureNames, params.features)];
  }

  get usable(): boolean {
    return this.clocks[0].usable;
  }

  /**
   * Whether the site has gone `min_minutes` without a rest and longer than training did at the
   * row's local hour (`local`: the row's local epoch ms), and the stretch is not a schedule's:
   * one that began (at the last rest) within 30 minutes of the time of day another of at least
   * {@link REST_GUARD}.scheduleMinutes did on one of the previous 14 days, excused for as long as
   * that one lasted plus 15 minutes (recurring-stretch.ts); {@link sinceMs} says since when.
   * Returns a boolean, not an object: it runs on every scored row.
   */
  push(ts: number, local: number, row: ArrayLike<number>): boolean {
    const polled = ts - this.lastTs > REST_GUARD.polledMs;
    this.lastTs = ts;
    // Both clocks see every row, so either can take over when the polling changes.
    const minutely = this.clocks[0].push(ts, row);
    const quarterly = this.clocks[1].push(ts, row);
    const busy = polled ? quarterly : minutely;
    this.sinceMs = ts - busy * MINUTE_MS;
    this.restsNow = this.clocks[polled ? 1 : 0].restsNow;
    const restless = busy >= this.params.min_minutes && busy > this.limit(polled, local) + REST_GUARD.marginMinutes;
    // Each measure learns its own schedule on every row, dated from its own last rest: under
    // 5-minute polling a morning's stretch is measured by the 15-minute rests, longer than by
    // the 5-minute ones, and is matched against the earlier mornings measured the same way.
    const excused5 = this.schedules[0].scheduled(local, restless && !polled, local - minutely * MINUTE_MS, this.beyondTraining(minutely, false, local));
    const excused15 = this.schedules[1].scheduled(local, restless && polled, local - quarterly * MINUTE_MS, this.beyondTraining(quarterly, true, local));
    return restless && !(polled ? excused15 : excused5);
  }

  /** A stretch of `busy` minutes past training's at the hour as the guard's bar has it, floor aside: new, so a schedule's if it recurs. */
  private beyondTraining(busy: number, polled: boolean, local: number): boolean {
    return busy >= REST_GUARD.scheduleMinutes && busy > this.limit(polled, local) + REST_GUARD.marginMinutes;
  }

  /** Training's longest stretch at the local hour of `local` and the hours either side. */
  private limit(polled: boolean, local: number): number {
    const table = polled ? this.params.busy_max_minutes_polled : this.params.busy_max_minutes;
    const h = hourOf(local);
    let limit = 0;
    for (let d = -REST_GUARD.neighbourHours; d <= REST_GUARD.neighbourHours; d++) limit = Math.max(limit, table[(h + d + 24) % 24]!);
    return limit;
  }
}
