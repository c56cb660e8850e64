/**
 * What the status page and the notifier read: a "status source". The page and the notifier
 * depend on this interface only, so the buffers behind it (today the analytics and live-scoring
 * observers of `run`) can move without touching them.
 */
import type { EventMark } from "../events/covering.ts";
import type { EventKind } from "../events/events-file.ts";
import type { AlarmKind, Level } from "./verdict.ts";

/** One point of a sparkline: epoch ms and a value (NaN = no data). */
export interface Point {
  t: number;
  v: number;
}

/** Why a device is not fine: one rule (or the leak model) with its plain sentence. */
export interface Reason {
  /** Rule name (`nightowl_rule_triggered`'s `rule`), or `leak_model`. */
  rule: string;
  /** One sentence with figures and units. */
  sentence: string;
  /** Epoch ms the condition began (reading time). */
  sinceMs: number;
  /** Epoch ms it ended, when it has ended but is still held; absent while it goes on. */
  endedMs?: number;
}

/** An owner's event shown on the device's card: the one in force, else the next one. */
export interface EventNote {
  id: string;
  kind: EventKind;
  note?: string;
  /** Epoch ms; the event covers start up to, not including, end. */
  startMs: number;
  endMs: number;
  /** Whether it covers the device's newest reading. */
  active: boolean;
}

/** The cheap part of a device's status: enough to decide whether to notify. */
export interface DeviceVerdict {
  id: string;
  name: string;
  /** `CustomerInfo`, or the user label when the portal gives no customer. */
  customer: string;
  userLabel: string;
  level: Level;
  alarms: ReadonlySet<AlarmKind>;
  /** Leak probability of the model, percent; NaN when the device is not scored. */
  leakProbability: number;
  /** Epoch ms of the device's newest reading (the portal's clock). */
  readingAt: number;
  /** The owner's event in force at the newest reading, or the next one to come (docs/events.md). */
  event?: EventNote;
  /** The event that turned the alarm off (expected, maintenance) or on (away), when one did. */
  silencedBy?: EventMark;
  sharpenedBy?: EventMark;
}

export interface PumpState {
  pump: string;
  /** 1 running, 0 stopped, NaN unknown. */
  running: number;
}

/** Everything the page shows of a device. Figures are NaN when not known. */
export interface DeviceStatus extends DeviceVerdict {
  reasons: Reason[];
  pressurePsi: number;
  tankPercent: number;
  pumps: PumpState[];
  todayGallons: number;
  lastNightMinGpm: number;
  /** Series over the asked span: flow (metered sites) or pump duty (the others). */
  series: {
    pressure: Point[];
    flow?: Point[];
    pumpDutyPercent?: Point[];
    /** Absent when the leak model is off (NIGHTOWL_ML_ENABLED=false): there is none to draw. */
    leakProbability?: Point[];
  };
  /** Start and end of the series, epoch ms (reading time). */
  fromMs: number;
  toMs: number;
}

export interface StatusSource {
  /** The verdict of every device of the last successful poll, in poll order. */
  verdicts(): DeviceVerdict[];
  /** The ids of the devices of the last successful poll, in poll order: for a pass over them that yields between devices. */
  deviceIds(): readonly string[];
  /** One device's verdict as `verdicts()` gives it; undefined for a device the last poll did not list. */
  deviceVerdict(deviceId: string): DeviceVerdict | undefined;
  /** One device's full status as `statuses(spanMs)` gives it; undefined for a device the last poll did not list. */
  deviceStatus(deviceId: string, spanMs: number): DeviceStatus | undefined;
  /** Why a device is judged as it is: the rules in force (and the model's alarm), oldest first. */
  reasons(deviceId: string): Reason[];
  /** The full status of every device over the last `spanMs`; 0 leaves the series empty (for the log lines). */
  statuses(spanMs: number): DeviceStatus[];
  /** Epoch ms (this machine's clock) of the last successful poll; undefined before one. */
  lastPollAt(): number | undefined;
}
