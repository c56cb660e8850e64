/**
 * Which events cover a device at a time, and what they do to a verdict. Events of one device
 * never overlap (the file is checked), so at most one covers a moment; the lookup is a binary
 * search so scoring a long history with many events stays cheap per row.
 */
import { groupByDevice, type EventKind, type OwnerEvent } from "./events-file.ts";

/** What each kind does to the alarm; `leak` and `maintenance` also leave training. */
export const KIND_EFFECT: Record<EventKind, "silence" | "sharpen" | "none"> = { expected: "silence", maintenance: "silence", away: "sharpen", leak: "none" };
export const LEFT_OUT_OF_TRAINING: ReadonlySet<EventKind> = new Set(["maintenance", "leak"]);

/**
 * During `away` the house should draw nothing, so the model's probability alarms from this
 * bar (percent) instead of 50, and every rule firing alarms, the baseline context rules too.
 */
export const AWAY_PROBABILITY_BAR = 20;

/**
 * How long a silencing event (`expected`, `maintenance`) still silences after its end. The
 * alarm of a draw that stopped takes up to an hour to clear (docs/leak-detection.md: a
 * finished draw leaves the alarm within the hour), so without this tail the owner's booked
 * pool fill would raise the alarm it left behind at the booked end. A draw that runs on past
 * the tail alarms again.
 */
export const SILENCE_TAIL_MS = 3_600_000;

/**
 * During `away`, a draw that has gone on without a quiet spell this long (minutes, the activity
 * gate's measure) alarms by itself: the 45 minutes of drawing the forest needs before it may
 * alarm (activity-gate.ts), without waiting for the forest's windows or for the household's
 * own long draws, which `burst`, `sustained_flow` and the rest guard wait out and which an
 * empty house does not make.
 */
export const AWAY_DRAWING_MINUTES = 45;

/** The events covering `deviceId` at `t` (start inclusive, end exclusive): a pure function of the list. */
export function eventsAt(events: readonly OwnerEvent[], deviceId: string, t: number): OwnerEvent[] {
  return events.filter((e) => e.device_id === deviceId && e.start <= t && t < e.end);
}

/** The same question asked row by row: each device's events sorted once, then a binary search. */
export class EventIndex {
  private readonly byDevice: Map<string, OwnerEvent[]>;

  constructor(events: readonly OwnerEvent[]) {
    this.byDevice = groupByDevice(events);
  }

  /** The event covering the device at `t`, if any. */
  at(deviceId: string, t: number): OwnerEvent | undefined {
    const e = this.latestStartedBy(deviceId, t);
    return e && t < e.end ? e : undefined;
  }

  /**
   * The event that applies to the device's verdict at `t`: the one covering it, else a
   * silencing event that ended less than {@link SILENCE_TAIL_MS} before it.
   */
  forVerdict(deviceId: string, t: number): OwnerEvent | undefined {
    const e = this.latestStartedBy(deviceId, t);
    if (!e) return undefined;
    if (t < e.end) return e;
    return silences(e) && t - e.end < SILENCE_TAIL_MS ? e : undefined;
  }

  /** The device's event with the latest start at or before `t` (they never overlap). */
  private latestStartedBy(deviceId: string, t: number): OwnerEvent | undefined {
    const list = this.byDevice.get(deviceId);
    if (!list) return undefined;
    let lo = 0;
    let hi = list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.start <= t) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 ? list[found] : undefined;
  }

  /** Whether any event of one of `kinds` covers the device at `t`. */
  covers(deviceId: string, t: number, kinds: ReadonlySet<EventKind>): boolean {
    const e = this.at(deviceId, t);
    return e !== undefined && kinds.has(e.kind);
  }
}

/** Whether `event` silences the alarm (`expected`, `maintenance`). */
export function silences(event: OwnerEvent | undefined): event is OwnerEvent {
  return event !== undefined && KIND_EFFECT[event.kind] === "silence";
}

/** What tells the event that applies to a device's verdict at a time: an {@link EventIndex} or `run`'s watch of the file. */
export interface VerdictEvents {
  forVerdict(deviceId: string, t: number): OwnerEvent | undefined;
  /** Changes whenever the events do, for what is computed from them and kept; none: they never change. */
  generation?(): number;
}

/**
 * Whether the owner's events silence a rule's firing from `startMs` to `endMs`, judged at `nowMs`:
 * while a silencing event (`expected`, `maintenance`, with its tail) applies, every firing is
 * silenced, as the verdict is; after it, a firing it covered whole stays silenced — that was
 * the owner's booked draw or pump work, and rules are reported for a day after they end. A
 * firing that began before the event or outlasted its tail alarms once the event is over.
 */
export function silencesFiring(events: VerdictEvents, deviceId: string, startMs: number, endMs: number, nowMs: number): boolean {
  const silencing = (t: number) => {
    const e = events.forVerdict(deviceId, t);
    return silences(e) ? e : undefined;
  };
  if (silencing(nowMs)) return true;
  const e = silencing(startMs);
  return e !== undefined && silencing(endMs)?.id === e.id;
}

/** The event that changed a verdict. */
export interface EventMark {
  id: string;
  kind: EventKind;
}

/** The parts of a verdict an event may change. */
export interface AlarmView {
  probability: number;
  isAnomaly: boolean;
  rules: readonly string[];
  /** Minutes the site has drawn without a quiet spell (Verdict.drawingMinutes), when known. */
  drawingMinutes?: number;
}

/**
 * Applies the covering event to one verdict: `expected` and `maintenance` silence an alarm,
 * `away` raises one from any rule, from the lower probability bar or from a draw of
 * {@link AWAY_DRAWING_MINUTES} without a quiet spell. The result names the
 * event only when it changed the alarm, so a row says why it differs from the bare verdict.
 */
export function applyEvent<V extends AlarmView>(verdict: V, event: OwnerEvent | undefined): V & { silencedBy?: EventMark; sharpenedBy?: EventMark } {
  if (!event) return verdict;
  const effect = KIND_EFFECT[event.kind];
  const mark = { id: event.id, kind: event.kind };
  if (effect === "silence" && verdict.isAnomaly) return { ...verdict, isAnomaly: false, probability: Math.min(verdict.probability, 49.99), silencedBy: mark };
  if (effect === "sharpen" && !verdict.isAnomaly && (verdict.rules.length > 0 || verdict.probability >= AWAY_PROBABILITY_BAR || (verdict.drawingMinutes ?? 0) >= AWAY_DRAWING_MINUTES)) {
    return { ...verdict, isAnomaly: true, probability: Math.max(verdict.probability, 50), sharpenedBy: mark };
  }
  return verdict;
}
