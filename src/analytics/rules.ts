/**
 * The flow and pump rules users know from commercial leak detectors, each with a threshold
 * chosen so that the legitimate long draws of a household (irrigation of 30–90 min, softener
 * regeneration of about 90 min at night, a pool fill) do not fire it:
 *
 * - continuous_flow (continuous-flow.ts): the flow has not returned to zero for 2 h.
 * - night_flow: the minimum night flow (02:00–04:00) is above 0.05 gal/min.
 * - burst: at least 5 gal/min for 15 minutes and for longer than the household's own draws of
 *   that size lasted in the previous 14 days (45 minutes at most), and, when a draw like it began
 *   at the same time of day (± 30 min) on another of those days (a schedule such as irrigation),
 *   for 15 minutes longer than the longest of those lasted.
 * - night_pump_starts (night-pump-starts.ts): the pump started a draw in most quiet hours.
 * - short_cycling: at least 10 starts within an hour with a median run under 60 s (a
 *   waterlogged pressure tank; motor makers advise at least a minute per run).
 * - dry_run: cycles running well under their learned current without pressure rising.
 */
import type { LocalClock } from "./local-time.ts";
import type { NightFlow } from "./night-flow.ts";
import { median, type PumpHealth } from "./pump-health.ts";
import { formatDuration, type Trigger } from "./trigger.ts";
import { isCoarse, rollingFlow, type UsageCurve } from "./usage-curve.ts";
import { lowerBound } from "./lower-bound.ts";

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Thresholds of the rules; each defaults to `RULE_DEFAULTS`. */
export interface RuleOptions {
  /** Continuous flow that fires, ms (2 h). */
  continuousFlowMs?: number;
  /** Minimum night flow above which `night_flow` fires, gal/min (0.05). */
  nightFlowGpm?: number;
  /** Burst flow, gal/min (5), sustained for `burstMs` (15 min). */
  burstGpm?: number;
  burstMs?: number;
  /** The most a household's usual draws can raise the burst's duration to, ms (45 min). */
  burstLearnedMaxMs?: number;
  /** Quiet hours with a pump start that fire `night_pump_starts` (4 of 5). */
  nightStartHours?: number;
  /** Starts within an hour (10) with a median run under this many seconds (60). */
  shortCycleStarts?: number;
  shortCycleRunSeconds?: number;
  /** Quiet hours, local [from, to) (0 and 5). */
  quietFromHour?: number;
  quietToHour?: number;
}

export const RULE_DEFAULTS = {
  continuousFlowMs: 2 * HOUR_MS,
  nightFlowGpm: 0.05,
  burstGpm: 5,
  burstMs: 15 * MINUTE_MS,
  // A burst pipe must still be alarmed within the hour: 45 minutes, plus at most one 5-minute
  // analysis slot and the 15-minute window's lag of a coarsely polled meter.
  burstLearnedMaxMs: 45 * MINUTE_MS,
  nightStartHours: 4,
  shortCycleStarts: 10,
  shortCycleRunSeconds: 60,
  quietFromHour: 0,
  quietToHour: 5,
} as const;

/** night_flow: nights whose minimum flow stays above the threshold. */
export function nightFlowTriggers(deviceId: string, nights: NightFlow[], options: RuleOptions = {}, timeZone = "UTC"): Trigger[] {
  const threshold = options.nightFlowGpm ?? RULE_DEFAULTS.nightFlowGpm;
  return nights.filter((n) => n.minGpm > threshold).map((n) => ({
    rule: "night_flow", deviceId, startMs: n.startMs, endMs: n.endMs, severity: "warning" as const,
    message: `${n.date}: flow never fell below ${n.minGpm.toFixed(2)} gal/min between 02:00 and 04:00 ${timeZone} (nobody should be drawing water)`,
  }));
}

/**
 * The verdict's own fast flow check (`sustained_flow`), built on the burst rule's
 * schedule-aware detector with a lower bar: flow of at least 1.5 gal/min for 45 minutes, without
 * a stop, that is not a recurring schedule (irrigation). A 2 gal/min leak passes it within the
 * hour; the 2-hour continuous-flow rule would take twice as long. A garden hose (10–40 minutes)
 * stops before 45 minutes of unbroken flow, and only draws that ran unbroken for half that long make a schedule.
 * Unbroken is told by runs whose steps are at most a meter pulse at half the bar (`joinGpm`)
 * apart: a coarse meter's curve joins steps up to 50 minutes apart (so that 0.2 gal/min reads as
 * continuous), which made two hose sessions 45 minutes apart one unbroken draw, while flow at
 * half the bar steps a 10-gallon meter every 13 minutes (see analyze.ts). And a run ends where
 * the meter was read standing still twice in a row more than a pulse's time at that rate after
 * its last step (`stillReadings`): the joining distance never falls below 5 minutes (readings
 * every 5 minutes must join), and within it a guests' morning of showers back to back, each
 * pause 3–5 minutes of a meter read still every minute, was one unbroken draw of 45 minutes; a
 * leak at the bar turns a fine meter at every reading.
 */
export const SUSTAINED_FLOW = { rule: "sustained_flow", gpm: 1.5, ms: 45 * MINUTE_MS, joinGpm: 0.75, stillReadings: 2 } as const;

/**
 * A draw of at least 80 % of a scan's threshold: [start, end] epoch ms, and its floor: the least
 * 5-minute flow over its steadiest window-long stretch, gal/min (0 where the scan does not tell
 * its draws by their runs).
 */
export type Draw = [number, number, number];

/** What a burst scan found: its triggers, and the draws that make a schedule and a usual length. */
export interface BurstScan {
  triggers: Trigger[];
  /** Draws of at least 80 % of the threshold: tomorrow's schedule, and how long such draws last. */
  draws: Draw[];
}

/** How far back the household's draws make a schedule and a usual length. */
const SCHEDULE_DAYS = 14;
/**
 * How much longer than the longest like draw at its time of day a scheduled draw is excused, as
 * the guards' schedules (recurring-stretch.ts): a leak that begins at an irrigation's hour, or
 * at the hour of the household's long evening, is not excused for the rest of its days.
 */
const SCHEDULE_SLACK_MS = 15 * MINUTE_MS;

/**
 * burst: sustained high flow that is not a recurring schedule and outlasts the household's
 * usual draws of its size. A schedule is a draw of at least 80 % of the threshold that began
 * within 30 minutes of the same local time on one of the previous 14 days, so an irrigation
 * zone at 4.9 gal/min does not become a burst on the day a shower pushes it to 5.1; it excuses
 * the draw for as long as the longest such one lasted plus `SCHEDULE_SLACK_MS`, no longer. The usual
 * length is the longest such draw that ended before this one began in those 14 days: a garden
 * hose or a first irrigation morning ends within what the household's own hoses lasted, a burst
 * pipe does not; the length the flow must outlast is capped at `burstLearnedMaxMs` (45 min) so
 * that a pool fill in memory cannot hide a burst for hours. `earlierDraws` are such draws from
 * before the curve (a monitor keeps them from day to day, so its buffer need not hold 14 days
 * of readings). `continuousMs`: the flow must also have run without a stop (a run of the usage
 * curve) for this long within the episode, and a draw must have run unbroken for half of it to
 * make a schedule; on a meter that tells a stop, draws are then measured by their runs and a
 * schedule excuses no flow held well above its own floor (see below).
 */
export function burstScan(
  deviceId: string, curve: UsageCurve, clock: LocalClock, options: RuleOptions = {}, earlierDraws: readonly Draw[] = [], continuousMs = 0,
): BurstScan {
  const gpm = options.burstGpm ?? RULE_DEFAULTS.burstGpm;
  const windowMs = options.burstMs ?? RULE_DEFAULTS.burstMs;
  const learnedMaxMs = Math.max(windowMs, options.burstLearnedMaxMs ?? RULE_DEFAULTS.burstLearnedMaxMs);
  const n = curve.t.length;
  if (n < 2) return { triggers: [], draws: [] };
  const rolling = rollingFlow(curve, curve.t[0], curve.t[n - 1], windowMs, MINUTE_MS);
  // The longest run of the usage curve reaching into an episode, [run start, its end within the
  // episode]: how long the water ran there without a stop.
  const runIn = (e: { startMs: number; endMs: number }): Draw | undefined => {
    let best: Draw | undefined;
    for (const r of curve.runs) {
      if (r.endMs < e.startMs - curve.smearMs || r.startMs > e.endMs) continue;
      const end = Math.min(r.endMs, e.endMs);
      if (!best || end - r.startMs > best[1] - best[0]) best = [r.startMs, end, 0];
    }
    return best;
  };
  const unbroken = (e: { startMs: number; endMs: number }, ms: number) => {
    const r = ms > 0 ? runIn(e) : undefined;
    return ms <= 0 || (r !== undefined && r[1] - r[0] >= ms);
  };
  // When and how long a draw ran: an episode begins a whole window before its mean first
  // reached the bar and ends when the mean fell back, so at `sustained_flow`'s 45 minutes a
  // 25-minute hose at 5 gal/min is a 99-minute episode that, as a schedule, excused a 2 gal/min
  // leak at that hour for two hours. Where the flow must run without a stop and the meter tells
  // a stop (its joining distance 15 minutes or less, as `continuous_flow`'s), the run is the draw;
  // a coarse meter's runs join draws up to an hour apart, so there the episode is.
  const byRun = continuousMs > 0 && !isCoarse(curve.smearMs);
  // The 5-minute flow, for a draw's floor (its least): a leak holds it at its rate, a household's
  // draws come and go. Only for draws told by their run.
  const fine = byRun ? rollingFlow(curve, curve.t[0], curve.t[n - 1], 5 * MINUTE_MS, MINUTE_MS) : undefined;
  // A draw's steadiest stretch: the highest floor over `spanMs` within [from, to] (`spanMs` no
  // shorter than to − from: the floor of the whole), by a sliding minimum (runs last hours).
  const steadiest = (from: number, to: number, spanMs: number) => {
    if (!fine) return 0;
    const { t, gpm: g } = fine;
    let i = lowerBound(t, from + 5 * MINUTE_MS);
    const span = Math.max(5 * MINUTE_MS, Math.min(spanMs, to - from));
    const queue: number[] = [];
    let head = 0;
    let best = 0;
    for (; i < t.length && t[i]! <= to; i++) {
      while (queue.length > head && g[queue[queue.length - 1]!]! >= g[i]!) queue.pop();
      queue.push(i);
      while (t[queue[head]!]! - 5 * MINUTE_MS < t[i]! - span) head++;
      // The flow is sampled each minute: the last sample within a minute of the stretch's end ends it.
      if (t[i]! > from + span - MINUTE_MS) best = Math.max(best, g[queue[head]!]!);
    }
    return best;
  };
  const extent = (e: { startMs: number; endMs: number }): Draw | undefined => {
    if (!byRun) return [e.startMs, e.endMs, 0];
    const x = runIn(e);
    return x && [x[0], x[1], steadiest(x[0], x[1], windowMs)];
  };
  // A draw already under way where the curve begins has no known start (a monitor's buffer
  // begins mid-irrigation): it makes no schedule. Only a draw that ran unbroken for half of
  // `continuousMs` does: a 15-minute garden hose yesterday does not excuse 45 minutes of
  // unbroken flow at that hour today, a household's long morning does.
  const draws: Draw[] = [];
  for (const e of episodes(rolling, 0.8 * gpm, windowMs)) {
    const x = extent(e);
    if (x && x[0] > curve.t[0] && unbroken(e, continuousMs / 2)) draws.push(x);
  }
  const candidates = earlierDraws.concat(draws);
  // A schedule excuses flow whose floor over the last window does not stand above the
  // schedule's floor by a draw's worth (80 % of the bar): a household's long evening, however
  // busy, dips between its fixtures, and irrigation with a shower on top holds the zone's rate;
  // a leak beside either holds the floor up by its own rate the whole window long.
  const raisedGpm = 0.8 * gpm;
  const triggers: Trigger[] = [];
  for (const e of episodes(rolling, gpm, windowMs)) {
    const x = extent(e);
    if (!x || !unbroken(e, continuousMs)) continue;
    const held = steadiest(Math.max(x[0], x[1] - windowMs), x[1], Infinity);
    const hour = clock.hourOfDay(x[0]);
    const day = clock.dayIndex(x[0]);
    let usualMs = 0;
    // The longest like draw at this time of day (−1: none), which excuses this one for as long plus the slack.
    let scheduledMs = -1;
    for (const [start, end, steady] of candidates) {
      if (start < x[0] - SCHEDULE_DAYS * DAY_MS) continue;
      if (end < x[0]) usualMs = Math.max(usualMs, end - start);
      const d = clock.dayIndex(start);
      if (d >= day || d < day - SCHEDULE_DAYS || held - steady >= raisedGpm) continue;
      const dh = Math.abs(clock.hourOfDay(start) - hour);
      if (Math.min(dh, 24 - dh) <= 0.5) scheduledMs = Math.max(scheduledMs, end - start);
    }
    const requiredMs = Math.max(Math.min(learnedMaxMs, Math.max(windowMs, usualMs)), scheduledMs >= 0 ? scheduledMs + SCHEDULE_SLACK_MS : 0);
    if (x[1] - x[0] < requiredMs) continue;
    triggers.push({
      rule: "burst", deviceId, startMs: e.startMs, endMs: e.endMs, severity: "critical",
      message: `burst: ${e.peak.toFixed(1)} gal/min sustained for ${formatDuration(e.endMs - e.startMs)} (a pool fill looks the same)`,
    });
  }
  return { triggers, draws };
}

/**
 * A draw memory with `draws` added: overlapping draws are one (a draw still running is seen
 * again, longer, by the next analysis; its floor is the steadiest seen), and draws that ended before `keepFromMs` are dropped.
 */
export function rememberDraws(earlier: readonly Draw[], draws: readonly Draw[], keepFromMs: number): Draw[] {
  const all = [...earlier, ...draws].filter(([, end]) => end >= keepFromMs).sort((a, b) => a[0] - b[0]);
  const out: Draw[] = [];
  for (const [start, end, steady] of all) {
    const last = out[out.length - 1];
    if (last && start <= last[1]) {
      last[1] = Math.max(last[1], end);
      last[2] = Math.max(last[2], steady);
    } else out.push([start, end, steady]);
  }
  return out;
}

/** burst triggers of a curve on its own (see {@link burstScan}). */
export function burstTriggers(deviceId: string, curve: UsageCurve, clock: LocalClock, options: RuleOptions = {}): Trigger[] {
  return burstScan(deviceId, curve, clock, options).triggers;
}

/** sustained_flow: the burst scan at {@link SUSTAINED_FLOW}'s bar, its triggers renamed. */
export function sustainedFlowScan(deviceId: string, curve: UsageCurve, clock: LocalClock, earlierDraws: readonly Draw[] = []): BurstScan {
  const scan = burstScan(deviceId, curve, clock, { burstGpm: SUSTAINED_FLOW.gpm, burstMs: SUSTAINED_FLOW.ms }, earlierDraws, SUSTAINED_FLOW.ms);
  return {
    triggers: scan.triggers.map((t) => ({ ...t, rule: SUSTAINED_FLOW.rule, severity: "warning" as const, message: t.message.replace(/^burst/, "sustained flow") })),
    draws: scan.draws,
  };
}

/** Stretches where the rolling flow stays at or above `gpm`. */
function episodes(rolling: { t: Float64Array; gpm: Float64Array }, gpm: number, windowMs: number): { startMs: number; endMs: number; peak: number }[] {
  const out: { startMs: number; endMs: number; peak: number }[] = [];
  let open: { startMs: number; endMs: number; peak: number } | undefined;
  for (let i = 0; i < rolling.t.length; i++) {
    if (rolling.gpm[i] < gpm) continue;
    if (open && rolling.t[i] - open.endMs <= MINUTE_MS) {
      open.endMs = rolling.t[i];
      open.peak = Math.max(open.peak, rolling.gpm[i]);
    } else {
      open = { startMs: rolling.t[i] - windowMs, endMs: rolling.t[i], peak: rolling.gpm[i] };
      out.push(open);
    }
  }
  return out;
}

/** short_cycling: many short runs within an hour. */
export function shortCyclingTriggers(deviceId: string, pump: PumpHealth, options: RuleOptions = {}): Trigger[] {
  const need = options.shortCycleStarts ?? RULE_DEFAULTS.shortCycleStarts;
  const maxRun = (options.shortCycleRunSeconds ?? RULE_DEFAULTS.shortCycleRunSeconds) * 1000;
  const cycles = pump.cycles.filter((c) => c.complete);
  const out: Trigger[] = [];
  let open: Trigger | undefined;
  let worst = 0;
  let lo = 0;
  for (let hi = 0; hi < cycles.length; hi++) {
    while (cycles[hi].startMs - cycles[lo].startMs >= HOUR_MS) lo++;
    const count = hi - lo + 1;
    if (count < need) continue;
    const runs = cycles.slice(lo, hi + 1).map((c) => c.endMs - c.startMs);
    const med = median(runs);
    if (med >= maxRun) continue;
    if (open && cycles[lo].startMs <= (open.endMs ?? 0) + HOUR_MS) {
      open.endMs = cycles[hi].endMs;
      if (count > worst) worst = count;
      open.message = message(pump, worst, med);
      continue;
    }
    worst = count;
    open = { rule: "short_cycling", deviceId, startMs: cycles[lo].startMs, endMs: cycles[hi].endMs, severity: "warning", message: message(pump, count, med) };
    out.push(open);
  }
  return out;

  function message(p: PumpHealth, count: number, med: number): string {
    return `pump ${p.pump} short-cycling: up to ${count} starts in an hour, median run ${Math.round(med / 1000)} s (waterlogged pressure tank?)`;
  }
}

/** dry_run: suspected dry-run cycles, consecutive ones within an hour merged. */
export function dryRunTriggers(deviceId: string, pump: PumpHealth): Trigger[] {
  const out: (Trigger & { cycles: number; current: number })[] = [];
  let open: (Trigger & { cycles: number; current: number }) | undefined;
  for (const c of pump.cycles) {
    if (!c.dryRun) continue;
    if (open && c.startMs - (open.endMs ?? open.startMs) <= HOUR_MS) {
      open.endMs = c.endMs;
      open.cycles++;
      open.current = Math.min(open.current, c.meanCurrentA);
    } else {
      open = { rule: "dry_run", deviceId, startMs: c.startMs, endMs: c.endMs, severity: "critical", message: "", cycles: 1, current: c.meanCurrentA };
      out.push(open);
    }
    open.message = `pump ${pump.pump} may be running dry: ${open.cycles} run(s) at ${open.current.toFixed(1)} A against its usual ${pump.learnedRunningCurrentA.toFixed(1)} A, pressure not rising`;
  }
  return out.map(({ cycles: _c, current: _a, ...t }): Trigger => t);
}
