/**
 * night_pump_starts: the pump started a draw (after a 5-minute rest) in at least 4 of the 5
 * quiet hours (00:00–05:00), which a leak does every night and a softener (90 min, three clock
 * hours at most, one draw on a drive that sleeps and boosts through it) does not. Needs no meter.
 */
import type { LocalClock } from "./local-time.ts";
import { lowerBound } from "./lower-bound.ts";
import type { PumpHealth } from "./pump-health.ts";
import { RULE_DEFAULTS, type RuleOptions } from "./rules.ts";
import { quietHoursText, type Trigger } from "./trigger.ts";

const MINUTE_MS = 60_000;

/**
 * The pump at rest this long between two runs ends a draw (the rest guard's rest,
 * src/ml/rest-guard.ts): a constant-pressure drive sleeps and boosts every few minutes while a
 * small draw goes on, and its starts then are one draw, not many.
 */
export const DRAW_REST_MS = 5 * MINUTE_MS;

/**
 * A reading interval this many times the shortest one of a rest means a reading is missing there
 * (1-minute readings with one lost are 2 minutes apart; 5-minute polling's jitter of up to 40 s
 * makes 4:20–5:40, a ratio of 1.3).
 */
const MISSING_RATIO = 1.5;

/**
 * Whether the pump was read stopped all through [fromMs, toMs]: every reading there stopped, and
 * none missing. A drive's boost lasts a minute or so, and a reading lost in a rest may have
 * held one, as the rest guard holds (a missing reading is no rest): a softener's sleep/boost
 * rhythm with one reading lost looked like a rest and a new draw.
 */
function restSeen(ts: Float64Array, running: Float64Array, fromMs: number, toMs: number): boolean {
  const a = lowerBound(ts, fromMs);
  const b = lowerBound(ts, toMs);
  let shortest = Infinity;
  let longest = 0;
  for (let i = a; i < b; i++) {
    if (i > a && running[i] !== 0) return false;
    const dt = ts[i + 1]! - ts[i]!;
    shortest = Math.min(shortest, dt);
    longest = Math.max(longest, dt);
  }
  return longest <= MISSING_RATIO * shortest;
}

/**
 * night_pump_starts: draws spread over most of the quiet hours (a start after a rest begins a
 * draw). `ts`: the rows `pump.running` was read from, to tell a rest seen from one with a reading
 * missing; without them every pause of `DRAW_REST_MS` is a rest.
 */
export function nightPumpStartTriggers(deviceId: string, pump: PumpHealth, clock: LocalClock, options: RuleOptions = {}, ts?: Float64Array): Trigger[] {
  const from = options.quietFromHour ?? RULE_DEFAULTS.quietFromHour;
  const to = options.quietToHour ?? RULE_DEFAULTS.quietToHour;
  const need = options.nightStartHours ?? RULE_DEFAULTS.nightStartHours;
  const byDay = new Map<number, { hours: Set<number>; starts: number; first: number; last: number }>();
  let lastStop = -Infinity;
  for (const c of pump.cycles) {
    // A start within a rest of the last stop continues that draw: a drive's sleep/boost cycle
    // below its minimum flow (a softener regenerating at 0.4 gal/min), not a new draw.
    // The frame's first cycle follows no stop it holds: nothing it continues.
    const continues = lastStop !== -Infinity && (c.startMs - lastStop < DRAW_REST_MS || (ts !== undefined && !restSeen(ts, pump.running, lastStop, c.startMs)));
    lastStop = c.endMs;
    if (!c.complete || continues) continue;
    const hour = clock.hourOfDay(c.startMs);
    if (hour < from || hour >= to) continue;
    const day = clock.dayIndex(c.startMs);
    let d = byDay.get(day);
    if (!d) byDay.set(day, (d = { hours: new Set(), starts: 0, first: c.startMs, last: c.startMs }));
    d.hours.add(Math.floor(hour));
    d.starts++;
    d.last = c.startMs;
  }
  const out: Trigger[] = [];
  for (const [, d] of byDay) {
    if (d.hours.size < need) continue;
    out.push({
      rule: "night_pump_starts", deviceId, startMs: d.first, endMs: d.last, severity: "warning",
      message: `${clock.dateLabel(d.first)}: pump ${pump.pump} started ${d.starts} times in ${d.hours.size} of ${quietHoursText(from, to, clock.timeZone)} — something draws water all night`,
    });
  }
  return out;
}
