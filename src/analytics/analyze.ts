/**
 * Every analytics figure of one device's history, and the rules evaluated on it: the one
 * entry point `report` and `run` share.
 */
import { baselineTriggers, dailyFeatures, type BaselineOptions, type DayFeatures } from "./baseline.ts";
import { COUNTER_KEY, computeConsumption, defaultGapMs, type Consumption } from "./consumption.ts";
import { localClock, type LocalClock } from "./local-time.ts";
import { nightFlows, type NightFlow } from "./night-flow.ts";
import { computePumpHealth, pumpsIn, type PumpHealth, type PumpHealthOptions } from "./pump-health.ts";
import { pressurePump } from "./pump-roles.ts";
import { continuousFlowTriggers } from "./continuous-flow.ts";
import { nightMeterHourTriggers } from "./night-meter-hours.ts";
import { nightPumpStartTriggers } from "./night-pump-starts.ts";
import { nightRefillTriggers } from "./night-refills.ts";
import {
  burstScan, rememberDraws, type Draw, dryRunTriggers, nightFlowTriggers,
  RULE_DEFAULTS, shortCyclingTriggers, SUSTAINED_FLOW, sustainedFlowScan, type RuleOptions,
} from "./rules.ts";
import type { Trigger } from "./trigger.ts";
import { continueRuns, continuousFlowMinutes, isCoarse, joinRunsAcrossGaps, ongoingRun, usageCurve, type FlowRun, type UsageCurve } from "./usage-curve.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";

export interface AnalyzeOptions {
  /** IANA time zone of the site. Default UTC. */
  timeZone?: string;
  /** Pump power factor, (0, 1]. Default 0.8. */
  powerFactor?: number;
  pump?: Omit<PumpHealthOptions, "clock" | "powerFactor" | "gapMs">;
  rules?: RuleOptions;
  baseline?: BaselineOptions;
  /**
   * What earlier analyses of the same device learned, for a frame that holds only recent
   * readings (a monitor's buffer): complete days for the baseline, draw starts for the
   * burst rules' schedule check. Default: nothing earlier than the frame.
   */
  past?: AnalysisPast;
}

/** The slow memory of the rules, carried from one analysis of a device to the next. */
export interface AnalysisPast {
  /** Complete local days, oldest first (at most the baseline's 14 days plus one). */
  days: DayFeatures[];
  /** Draws that make a schedule and a usual length for `burst` and for `sustained_flow`, [start, end] epoch ms. */
  burstDraws: Draw[];
  sustainedDraws: Draw[];
  /** The meter's flow run still going at the last analysis, from where it began (`continueRuns`). */
  flow?: FlowRun;
}

const PAST_MS = 15 * 86_400_000;

export interface DeviceAnalysis {
  deviceId: string;
  deviceName: string;
  userLabel: string;
  clock: LocalClock;
  /** Epoch ms of the first and last rows. */
  fromMs: number;
  toMs: number;
  gapMs: number;
  /** Absent when the device has no flow meter. */
  consumption?: Consumption;
  curve?: UsageCurve;
  nights: NightFlow[];
  /** Minutes the flow has gone on without stopping at the last row; NaN without a meter. */
  continuousFlowMinutes: number;
  pumps: PumpHealth[];
  days: DayFeatures[];
  /** Every rule that fired, oldest first. */
  triggers: Trigger[];
  /** `options.past` with what this frame adds, for the next analysis. */
  past: AnalysisPast;
}

/** Runs every analysis and rule over `frame`. */
export function analyzeFrame(frame: HistoryFrame, options: AnalyzeOptions = {}): DeviceAnalysis {
  const clock = localClock(options.timeZone ?? "UTC");
  const { ts } = frame;
  const fromMs = ts.length ? ts[0] : NaN;
  const toMs = ts.length ? ts[ts.length - 1] : NaN;
  const gapMs = defaultGapMs(ts);
  const counter = frame.columns[COUNTER_KEY];
  const hasMeter = counter !== undefined && counter.some((x) => !Number.isNaN(x));
  const consumption = hasMeter ? computeConsumption(ts, counter, { clock, gapMs }) : undefined;
  const curve = consumption ? usageCurve(ts, consumption.usedGallons, { resolutionGallons: consumption.resolutionGallons, gapMs }) : undefined;
  const nights = curve ? nightFlows(curve, clock) : [];
  const pumps = pumpsIn(frame).map((p) => computePumpHealth(frame, p, { ...options.pump, clock, gapMs, powerFactor: options.powerFactor }));
  const p1 = pumps.find((p) => p.pump === "P1");
  const p2 = pumps.find((p) => p.pump === "P2");
  const frameDays = dailyFeatures(frame, clock, gapMs, consumption, p1, p2, options.baseline);
  const past = options.past;
  // A day the frame holds only in part (a buffer's oldest) is taken from the past when known there.
  const days = past ? mergeDays(past.days, frameDays, fromMs) : frameDays;

  const id = frame.deviceId;
  const triggers: Trigger[] = [];
  let burstDraws: Draw[] = [];
  let sustainedDraws: Draw[] = [];
  // Continuous flow is told from where the run began, also when that is before this window, and
  // on a coarse meter across an outage the counter kept counting through (joinRunsAcrossGaps).
  const flowCurve = curve ? { ...curve, runs: continueRuns({ ...curve, runs: joinRunsAcrossGaps(curve) }, past?.flow) } : undefined;
  if (curve) {
    triggers.push(...continuousFlowTriggers(id, flowCurve!, clock, toMs, options.rules));
    // A coarse meter's 15-minute flow between steps up to 50 minutes apart is the curve's
    // interpolation, not a measured floor: its nights are read by night_meter_hours and by
    // continuous_flow's deep-night hours (a softener joined to a flush before it read as a floor).
    if (!isCoarse(curve.smearMs)) triggers.push(...nightFlowTriggers(id, nights, options.rules, clock.timeZone));
    const quiet = { fromHour: options.rules?.quietFromHour ?? RULE_DEFAULTS.quietFromHour, toHour: options.rules?.quietToHour ?? RULE_DEFAULTS.quietToHour };
    triggers.push(...nightRefillTriggers(id, ts, consumption!.usedGallons, clock, toMs, quiet, curve.smearMs));
    triggers.push(...nightMeterHourTriggers(id, ts, consumption!.usedGallons, clock, toMs, quiet, curve.smearMs));
    const burst = burstScan(id, curve, clock, options.rules, past?.burstDraws);
    // Its runs ("without a stop") joined for sustained_flow's bar, not for 0.2 gal/min, and ended
    // where the meter read still twice in a row after a pulse's time at half the bar (SUSTAINED_FLOW).
    // The curve's own flow and joining distance still measure a coarse meter's draws.
    const sustainedRuns = usageCurve(ts, consumption!.usedGallons, {
      resolutionGallons: consumption!.resolutionGallons, gapMs, detectableGpm: SUSTAINED_FLOW.joinGpm, stillReadings: SUSTAINED_FLOW.stillReadings,
    }).runs;
    const sustained = sustainedFlowScan(id, { ...curve, runs: sustainedRuns }, clock, past?.sustainedDraws);
    triggers.push(...burst.triggers, ...sustained.triggers);
    burstDraws = burst.draws;
    sustainedDraws = sustained.draws;
  }
  // The pump that answers house pressure (a booster or the well pump); the other fills a
  // storage tank on its float's own schedule, whichever of P1 and P2 it is wired as.
  const pressure = pressurePump(pumps);
  if (pressure) triggers.push(...nightPumpStartTriggers(id, pressure, clock, options.rules, ts));
  for (const p of pumps) {
    triggers.push(...shortCyclingTriggers(id, p, options.rules));
    triggers.push(...dryRunTriggers(id, p));
  }
  triggers.push(...baselineTriggers(id, days, options.baseline, clock.timeZone));
  triggers.sort((a, b) => a.startMs - b.startMs);
  const keepFrom = toMs - PAST_MS;
  const nextPast: AnalysisPast = {
    days: days.filter((d) => d.startMs >= keepFrom && d.endMs <= toMs && (d.startMs >= fromMs || past?.days.includes(d))),
    burstDraws: rememberDraws(past?.burstDraws ?? [], burstDraws, keepFrom),
    sustainedDraws: rememberDraws(past?.sustainedDraws ?? [], sustainedDraws, keepFrom),
    ...(flowCurve ? { flow: ongoingRun(flowCurve.runs, flowCurve.smearMs, toMs) } : {}),
  };

  return {
    deviceId: id, deviceName: frame.deviceName, userLabel: frame.userLabel, clock, fromMs, toMs, gapMs,
    consumption, curve, nights,
    continuousFlowMinutes: flowCurve ? continuousFlowMinutes(flowCurve, toMs) : NaN,
    pumps, days, triggers, past: nextPast,
  };
}

/** The past's days, then the frame's, a frame day that began before the frame giving way to the past's. */
function mergeDays(earlier: readonly DayFeatures[], frameDays: readonly DayFeatures[], fromMs: number): DayFeatures[] {
  const known = new Set(earlier.map((d) => d.startMs));
  const out = [...earlier];
  for (const d of frameDays) {
    if (known.has(d.startMs)) {
      if (d.startMs < fromMs) continue;
      out[out.findIndex((e) => e.startMs === d.startMs)] = d;
    } else out.push(d);
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}
