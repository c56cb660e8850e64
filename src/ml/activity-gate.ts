/**
 * The forest's activity gate (the model's `alarm.activity_gate`, calibrated in
 * alarm-calibration.ts): whether the forest's own verdict may raise the alarm at a row, given
 * what the site is drawing now.
 */
import { localHour } from "./time-features.ts";
import type { AlarmParams } from "./verdict.ts";

/**
 * The activity gate. The forest reads 24-hour windows, so after a leak or a pool fill stops its
 * rows stay unusual for up to a day; a leak, though, never lets the site rest. So the forest
 * alarms only while the site has drawn water without a quiet spell for the last
 * `activeMinutes` (45, as `sustained_flow`), and once a quiet spell comes while its windows
 * are still unusual it stays silent until they have returned to normal: the first quiet spell
 * after a draw ends the alarm, within the hour, a household's next busy hour does not raise it
 * again, and a vacation week's near-zero use raises nothing. A quiet spell is long enough for
 * a 0.25 gal/min leak to show two pulses of the meter (15 minutes at least); without a meter,
 * 15 minutes with the pump at rest and the pressure as still as at rest in training (a leak
 * drains the pressure tank: the pressure falls steadily). The rules are not gated: each ends
 * with its own condition. And the gated verdict must hold for `holdMinutes` (5) before the
 * forest alarms, as the range guard asks for 2 minutes: a smoothed score that grazes its
 * threshold as a reading or two enter or leave its 30-minute window is not a leak, which keeps
 * it there for hours; 5 minutes is one reading more under 5-minute polling, where a single
 * reading would otherwise be an alarm episode.
 *
 * A draw bigger than the site's busiest training hour for `activeMinutes` (a pool fill, or a
 * burst pipe) that falls back to `drawEndShare` (half) of that hour has ended: the household's
 * evening after a pool fill keeps the site drawing, with no quiet spell for hours, so the end
 * of the big draw is a quiet spell of its own — the forest, whose windows are full of it, stays
 * silent until its scores are normal again. A leak that big never falls back to half the
 * busiest hour while it runs; the rules and the range guard are not gated.
 *
 * And the forest is one-sided: a leak adds water to what the household draws, never takes any
 * away, while the forest flags any unusual row, the too-quiet ones as well. So it may alarm only
 * on the side of more water:
 * - not while the last 24 hours drew less than all but `dayLowShare` (1 %) of training's 24-hour
 *   windows did (`day`, the 24-hour mean flow, or the pump's mean current without a meter): a
 *   vacation week's near-zero use makes every 24-hour range unusual, and the softener's or the
 *   stock waterer's draw at night then passes the gate;
 * - not in the `afterDrawMs` (24 h) after a draw that made the forest's windows unusual ended
 *   — a draw beyond the busiest training hour fell back, or a quiet spell came while the forest
 *   was unusual (a leak or a hose stopped) — unless the last hour drew more than any training
 *   hour did at this local hour or the hours either side (`draw.by_hour`): the 24-hour windows
 *   still hold that draw, and the night after a pool fill or a leak, the softener's
 *   regeneration and the household's morning read as unusual only because of it.
 * - not on the long window (6 h, for slow leaks) alone while the site's current draw, with no
 *   quiet spell, fills less than half of it (`longOnly`), unless the last hour drew more than
 *   any training hour did at this local hour (`draw.by_hour`): that window's mean then holds
 *   mostly rows from before the site last rested, so what made it unusual is an earlier draw
 *   that ended (a new irrigation schedule's first mornings), and the household's next ordinary
 *   hour would raise it; a leak never lets the site rest, and one that began after the rest
 *   shows in the hour's draw (a 2 gal/min leak lifts it over training's at once).
 * - not on the long window alone until its mean has stayed under its threshold for as long as the
 *   short window spans (30 minutes; `longUnusualMs`), unless the last hour drew more than any
 *   training hour did (`draw.max`): a slow leak, what that window is for, holds its mean down
 *   while it runs and has a day to be found (one whose mean hovers at the threshold waits longer,
 *   hours on a 10-gallon meter: docs/leak-detection.md); a household's one unusual hour (guests,
 *   the morning after a vacation) dips it under for minutes as it ends.
 * The verdict says which held the forest back (Verdict.reason).
 *
 * Without a meter the forest also stays silent on a row where the site rests now by the rest
 * guard's clock (`resting`: pump stopped and pressure still over the last 5 minutes, 15 under
 * 5-minute polling): the gate's own measure, the pressure's 15-minute range, still reads a draw
 * for 15 minutes after it stopped, and the forest's 30-minute mean turns unusual just as a long
 * draw ends; a leak never lets the site rest (rest-guard.ts).
 */
export const ACTIVITY_GATE = {
  activeMinutes: 45, quietMinutes: 15, smallLeakGpm: 0.25, restNoiseFactor: 5, minPressureMovePsi: 0.5, holdMinutes: 5, drawEndShare: 0.5,
  dayLowShare: 0.01, afterDrawMs: 86_400_000, byHourSpread: 1,
} as const;

/** The 24-hour draw the one-sided check reads: the mean flow with a meter, the pump's mean current without (a mean, so a window still filling after a start reads right). */
export const DAY_DRAW_FEATURES = ["flow_gpm_mean_24h", "pump_current_mean_24h"] as const;

type GateParams = NonNullable<AlarmParams["activity_gate"]>;

/** One device's gate, fed its rows in time order. */
export class ActivityGate {
  private readonly index: Int32Array;
  private readonly drawIndex: number;
  private readonly dayIndex: number;
  /** When a draw that made the forest's windows unusual last ended (−∞: none yet). */
  private drawEndedAt = -Infinity;
  private lastActive = Number.NaN;
  private activeSince = Number.NaN;
  /** False after a quiet spell while the forest's windows were unusual, until they are normal again. */
  private armed = true;
  /** Since when the gated forest verdict has held (NaN: it does not now). */
  private openSince = Number.NaN;
  /** Since when the hour's draw has been beyond the training's busiest hour (NaN: it is not). */
  private bigSince = Number.NaN;
  /** A draw beyond the busiest training hour has run for `active_minutes` and not yet ended. */
  private bigDraw = false;
  /**
   * Minutes from the start of the site's current draw to its latest drawing row, with no quiet
   * spell between, as of the last row passed (0 while quiet): one pulse of a coarse meter keeps
   * the site from being quiet for over an hour, but is no draw of that length.
   */
  drawingMinutes = 0;
  /** Why the one-sided check held back the forest's alarm at the last row passed, if it did. */
  heldBack: string | undefined;

  /**
   * `featureNames`: the model's, so the gate finds its features in the rows given to `pass`;
   * `longWindowMinutes`: the long persistence window's (a draw filling half of it owns its mean).
   */
  constructor(private readonly gate: GateParams, featureNames: readonly string[], private readonly longWindowMinutes = 360, private readonly shortWindowMinutes = 30) {
    this.index = Int32Array.from(gate.features, (f) => featureNames.indexOf(f));
    this.drawIndex = gate.draw ? featureNames.indexOf(gate.draw.feature) : -1;
    this.dayIndex = gate.day ? featureNames.indexOf(gate.day.feature) : -1;
  }

  /**
   * The forest's alarm through the gate at `ts`: `unusual` is the forest's own verdict (a
   * smoothed score below its threshold), `features` the row's in the model's order, unscaled.
   * A model whose rows lack a gate feature passes the verdict unchanged. `local`: the row's local
   * epoch ms (FeatureStream.local), for the hour of `draw.by_hour`; UTC when not given.
   * `resting`: the site rests at this row (the rest guard's clock, sites without a meter).
   * `longOnly`: only the long window's mean is unusual, not the short one's; `longUnusualMs`: for
   * how long the long window's mean has been unusual.
   */
  pass(ts: number, unusual: boolean, features: ArrayLike<number>, local = ts, resting = false, longOnly = false, longUnusualMs = Infinity): boolean {
    const gate = this.gate;
    if (this.index.some((j) => j < 0)) return unusual;
    const quietMs = gate.quiet_minutes * 60_000;
    let active = false;
    for (let k = 0; k < this.index.length; k++) if (features[this.index[k]!]! > gate.above[k]!) active = true;
    if (active) {
      // Drawing again after a quiet spell (or for the first time): the active stretch restarts.
      if (!(ts - this.lastActive < quietMs)) this.activeSince = ts;
      this.lastActive = ts;
    }
    const quiet = !(ts - this.lastActive < quietMs);
    this.drawingMinutes = quiet ? 0 : (this.lastActive - this.activeSince) / 60_000;
    const drawEnded = this.bigDrawEnded(ts, features);
    // The end of the draw the forest's windows hold: the big draw's, or the first quiet spell while they are unusual.
    if (drawEnded || (unusual && quiet && this.armed)) this.drawEndedAt = ts;
    if (!unusual) this.armed = true;
    else if (quiet || drawEnded) this.armed = false;
    const drawnMs = ts - this.activeSince;
    const gated = unusual && this.armed && !quiet && !resting && drawnMs >= gate.active_minutes * 60_000;
    this.heldBack = gated ? this.lessThanALeak(ts, features, local, longOnly && drawnMs < this.longWindowMinutes * 30_000) : undefined;
    const open = gated && this.heldBack === undefined;
    if (!open) this.openSince = Number.NaN;
    else if (this.openSince !== this.openSince) this.openSince = ts;
    const held = open && ts - this.openSince >= ACTIVITY_GATE.holdMinutes * 60_000;
    // The long window alone: a dip of its mean under the threshold is no slow leak until it lasts (see ACTIVITY_GATE).
    if (held && longOnly && longUnusualMs < this.shortWindowMinutes * 60_000 && !this.beyondBusiestHour(features)) {
      this.heldBack = `only the long window is unusual, for ${Math.floor(longUnusualMs / 60_000)} min < ${this.shortWindowMinutes} min`;
      return false;
    }
    return held;
  }

  /** Whether the last hour drew more than any hour of training (`draw.max`). */
  private beyondBusiestHour(features: ArrayLike<number>): boolean {
    return this.gate.draw !== undefined && this.drawIndex >= 0 && features[this.drawIndex]! > this.gate.draw.max;
  }

  /**
   * Why a row the forest finds unusual is not on the side of more water (see {@link ACTIVITY_GATE}),
   * or undefined when it may be: the last 24 hours drew less than training's days, or, in the day
   * after a draw the forest's windows hold ended, the last hour drew no more than training's at
   * this time of day; or `beforeRest` (the long window alone is unusual, its rows mostly from
   * before the site's last rest) and the last hour drew no more than training's at this time.
   */
  private lessThanALeak(ts: number, features: ArrayLike<number>, local: number, beforeRest: boolean): string | undefined {
    const { day, draw } = this.gate;
    if (day && this.dayIndex >= 0) {
      const x = features[this.dayIndex]!;
      if (x < day.low) return `less drawn in 24 h than in training (${day.feature} ${round(x)} < ${round(day.low)})`;
    }
    const afterDraw = ts - this.drawEndedAt < ACTIVITY_GATE.afterDrawMs;
    if (draw?.by_hour && this.drawIndex >= 0 && (afterDraw || beforeRest)) {
      const x = features[this.drawIndex]!;
      const most = draw.by_hour[Math.floor(localHour(local)) % 24]!;
      const why = afterDraw ? "an unusual draw ended within 24 h" : "the long window is unusual from before the site last rested";
      if (!(x > most)) return `${why}; the last hour drew no more than training at this hour (${draw.feature} ${round(x)} <= ${round(most)})`;
    }
    return undefined;
  }

  /** Whether a draw beyond the busiest training hour, run for `active_minutes`, has just fallen back to half of it. */
  private bigDrawEnded(ts: number, features: ArrayLike<number>): boolean {
    const draw = this.gate.draw;
    if (!draw || this.drawIndex < 0) return false;
    const hour = features[this.drawIndex]!;
    if (hour > draw.max) {
      if (this.bigSince !== this.bigSince) this.bigSince = ts;
      if (ts - this.bigSince >= this.gate.active_minutes * 60_000) this.bigDraw = true;
      return false;
    }
    this.bigSince = Number.NaN;
    if (!this.bigDraw || !(hour < ACTIVITY_GATE.drawEndShare * draw.max)) return false;
    this.bigDraw = false;
    return true;
  }
}

/** Three significant digits, for the reasons a verdict gives. */
function round(x: number): number {
  return Number(x.toPrecision(3));
}
