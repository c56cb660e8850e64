/**
 * The analytics and rules stage of a device's pipeline: `analyzeFrame` over the buffer's last
 * `windowMs` of readings, recomputed at most once per `cadenceMs` slot of reading time, so a
 * rule is known from the first analysis whose data proves it — never earlier, and at most one
 * slot later. What must outlive the window (complete days for the baseline, the draws that
 * make the burst rules' schedule) is carried from analysis to analysis (`AnalysisPast`).
 *
 * The slots are fixed on the clock (every 5 minutes from the epoch), not counted from the first
 * reading, so `run` (which starts anywhere) and `score` over the same readings analyse at the
 * same moments and give the same rules.
 */
import { paceGarbage } from "../pace-garbage.ts";
import { analyzeFrame, type AnalysisPast, type AnalyzeOptions } from "../analytics/analyze.ts";
import type { Trigger } from "../analytics/trigger.ts";
import { summarizeAnalysis, type AnalysisSummary } from "./analysis-summary.ts";
import type { DeviceBuffer } from "./device-buffer.ts";
import { FrameScratch } from "./frame-scratch.ts";

const MINUTE_MS = 60_000;

/** The readings an analysis sees: 24 h for the pump figures and a night, plus a margin. */
export const ANALYSIS_WINDOW_MS = 26 * 60 * MINUTE_MS;
/** How often (reading time) the analysis is recomputed. */
export const ANALYSIS_CADENCE_MS = 5 * MINUTE_MS;
/**
 * A trigger stays "firing" for the verdict this long after its condition last held, so a rule
 * seen by one analysis is not lost before the next (a night summary closes at 04:00 and is
 * proven by the first analysis after it).
 */
export const RULE_FIRING_MS = 15 * MINUTE_MS;

/** The analyses' frames, decoded into the same arrays every time: analyses run one at a time, and keep none of them. */
const scratch = new FrameScratch();

export interface RuleStageOptions extends Omit<AnalyzeOptions, "past"> {
  windowMs?: number;
  cadenceMs?: number;
}

export class RuleStage {
  /** What the readers use of the latest analysis (not its per-row arrays: see analysis-summary.ts). */
  private summary: AnalysisSummary | undefined;
  private past: AnalysisPast | undefined;
  private slot = -Infinity;
  private firingNow: readonly Trigger[] = [];
  private firingNames: readonly string[] = [];
  private readonly windowMs: number;
  private readonly cadenceMs: number;

  constructor(private readonly options: RuleStageOptions = {}) {
    this.windowMs = options.windowMs ?? ANALYSIS_WINDOW_MS;
    this.cadenceMs = options.cadenceMs ?? ANALYSIS_CADENCE_MS;
  }

  /** The cadence slot holding `ts`. */
  slotOf(ts: number): number {
    return Math.floor(ts / this.cadenceMs);
  }

  /**
   * Called after each new row of `buffer`: analyses when the row opens a new cadence slot.
   * Returns true when it did.
   */
  update(buffer: DeviceBuffer): boolean {
    const slot = this.slotOf(buffer.lastTs);
    if (!(slot > this.slot)) return false;
    this.slot = slot;
    this.analyze(buffer);
    return true;
  }

  /**
   * Analyses now whatever the slot (after a warm-up, whose rows are not analysed one by one;
   * also called at each local midnight of the warm-up so the days it covers are remembered).
   */
  analyze(buffer: DeviceBuffer): void {
    if (buffer.length === 0) return;
    // The analysis' arrays may be views of the scratch: only its summary, the past (plain
    // numbers) and the triggers are kept.
    const a = analyzeFrame(buffer.frame(buffer.lastTs - this.windowMs, undefined, scratch), { ...this.options, past: this.past });
    this.summary = summarizeAnalysis(a);
    this.past = a.past;
    this.slot = Math.max(this.slot, this.slotOf(a.toMs));
    this.firingNow = firingTriggers(a.triggers, a.toMs);
    this.firingNames = this.firingNow.map((t) => t.rule);
    // Every device opens its 5-minute slot in the same poll: a fleet's analyses come at once.
    paceGarbage();
  }

  /** The rules firing as of the latest analysis (unique names, oldest trigger first). */
  rules(): readonly string[] {
    return this.firingNames;
  }

  /** The triggers behind {@link rules}: one per rule, its latest (its message has the newest figures). */
  firing(): readonly Trigger[] {
    return this.firingNow;
  }

  /** The latest analysis' summary, if any. */
  latest(): AnalysisSummary | undefined {
    return this.summary;
  }
}

/**
 * The triggers whose condition holds at `atMs`, or held within {@link RULE_FIRING_MS} of it:
 * one per rule, in the order the rules first fired, each the rule's latest trigger.
 */
export function firingTriggers(triggers: readonly Trigger[], atMs: number): Trigger[] {
  const out: Trigger[] = [];
  for (const t of triggers) {
    if (t.endMs !== undefined && atMs - t.endMs > RULE_FIRING_MS) continue;
    const k = out.findIndex((o) => o.rule === t.rule);
    if (k < 0) out.push(t);
    else out[k] = t;
  }
  return out;
}
