/**
 * What each device reports: its latest telemetry and numeric attributes, and one info series
 * per device and the time of its newest reading. Every successful poll replaces the whole set, so a device or key that stops
 * being reported loses its series at once instead of repeating a stale value. A failed poll
 * leaves the last values in place; `nightowl_last_poll_success` says they are not fresh.
 *
 * A fleet's poll mostly sets the very series of the poll before (the same devices, in the same
 * order, with the same keys), only with new values. Emptying the families and setting every
 * series again made prom-client sort and join each series' labels and allocate its entry —
 * about 16 series a device, every poll — and the page's rendering then formatted every label
 * anew. So a poll whose series are the last refill's, in the same order, writes the values into
 * the entries prom-client already holds; any other poll empties the families and refills them as
 * before. Either way the families hold what a refill gives, in the same order, so the page is
 * byte for byte the same (telemetry.test.ts compares it with a fresh registry's).
 */
import { Gauge, type Registry } from "prom-client";
import { entriesOf, type entryOf } from "./series-slots.ts";
import { numericValue, type DeviceSnapshot } from "../nightowl/snapshot.ts";
import type { PollObserver, PollResult } from "../nightowl/poll-result.ts";

const DEVICE_LABELS = ["user_label", "device_id", "device_name"] as const;

type Labels = Record<string, string>;
type Entry = NonNullable<ReturnType<typeof entryOf>>;

/**
 * A poll's series before they are set. `tokens` is the poll's shape: per device its id, name,
 * user label and type, the count of numeric telemetry keys and the keys, 1 or 0 for a last-seen
 * time, the count of numeric attributes and their names. `values` holds every series' value in
 * the order they are set (the info's 1, the telemetry, the last-seen time, the attributes).
 */
interface Shape {
  tokens: Array<string | number>;
  values: number[];
}

class PollSeries {
  readonly shape: Shape = { tokens: [], values: [] };

  add(d: DeviceSnapshot): void {
    const { tokens, values } = this.shape;
    tokens.push(d.id, d.name, d.userLabel, d.type);
    values.push(1);
    let newest = -Infinity;
    const count = tokens.push(0) - 1;
    for (const key in d.telemetry) {
      const reading = d.telemetry[key]!;
      if (reading.ts > newest) newest = reading.ts;
      const value = numericValue(reading.value);
      if (value === null) continue;
      tokens.push(key);
      values.push(value);
      (tokens[count] as number)++;
    }
    tokens.push(newest > -Infinity ? 1 : 0);
    if (newest > -Infinity) values.push(newest / 1000);
    const attributes = tokens.push(0) - 1;
    for (const key in d.attributes) {
      const value = numericValue(d.attributes[key]!.value);
      if (value === null) continue;
      tokens.push(key);
      values.push(value);
      (tokens[attributes] as number)++;
    }
  }
}

/** Whether two polls set the same series in the same order (only their values may differ). */
function sameShape(a: Shape, b: Shape): boolean {
  if (a.tokens.length !== b.tokens.length) return false;
  for (let i = 0; i < a.tokens.length; i++) if (a.tokens[i] !== b.tokens[i]) return false;
  return true;
}

export interface TelemetryMetrics extends PollObserver {
  /** Replaces every series with those of `devices`. */
  update(devices: readonly DeviceSnapshot[]): void;
}

export interface TelemetryOptions {
  /**
   * Awaited before each device of a poll: `run` passes a slicer so a fleet's refill yields to
   * the server. Only for a registry rendered after every observer has run (`run`'s
   * pre-rendered page), since the families are part-filled in between.
   */
  pause?: () => Promise<void> | undefined;
}

/**
 * Registers `nightowl_telemetry_value`, `nightowl_attribute_value` and `nightowl_device_info`
 * on `registry` and returns the observer that keeps them current.
 */
export function registerTelemetryMetrics(registry: Registry, options: TelemetryOptions = {}): TelemetryMetrics {
  /** A gauge per device, and per `extra` label. */
  const deviceGauge = (name: string, help: string, extra: string[] = []) => new Gauge({ name, help, labelNames: [...DEVICE_LABELS, ...extra], registers: [registry] });
  const telemetry = deviceGauge("nightowl_telemetry_value", "Latest value of a device's telemetry key, in the key's own unit (PSI, volts, amps, Hz, percent, gallons).", ["key"]);
  const attribute = deviceGauge("nightowl_attribute_value", "Latest numeric value of a device attribute; true/false as 1/0 (text attributes are not exported).", ["key"]);
  const info = deviceGauge("nightowl_device_info", "1 for every device the last successful poll returned.", ["device_type"]);

  const lastSeen = deviceGauge("nightowl_device_last_seen_timestamp_seconds", "Unix time in seconds of the device's newest telemetry reading; the portal keeps listing a silent device, this tells it is silent.");

  const families = [info, telemetry, lastSeen, attribute];
  /** The last refill's shape, and prom-client's entry of each of its series in `values`' order. */
  let kept: { shape: Shape; entries: Entry[] } | undefined;
  /** The series a refill under way has set, to find their entries once it is done. */
  let made: Array<[Gauge, Labels]> = [];

  function set(family: Gauge, labels: Labels, value: number): void {
    family.set(labels, value);
    made.push([family, labels]);
  }

  /** Sets the series of the device at `cursor`, moving the cursor past it. Labels are frozen: see exposition.ts. */
  function refillDevice({ tokens, values }: Shape, cursor: { t: number; v: number }): void {
    let { t, v } = cursor;
    const device = Object.freeze({ user_label: tokens[t + 2] as string, device_id: tokens[t] as string, device_name: tokens[t + 1] as string });
    set(info, Object.freeze({ ...device, device_type: tokens[t + 3] as string }), values[v++]!);
    t += 4;
    const keys = tokens[t++] as number;
    for (let k = 0; k < keys; k++) set(telemetry, Object.freeze({ ...device, key: tokens[t++] as string }), values[v++]!);
    if (tokens[t++] === 1) set(lastSeen, device, values[v++]!);
    const attributes = tokens[t++] as number;
    for (let k = 0; k < attributes; k++) set(attribute, Object.freeze({ ...device, key: tokens[t++] as string }), values[v++]!);
    cursor.t = t;
    cursor.v = v;
  }

  /**
   * After a refill: keeps its series' entries for the next poll, or nothing if one is not where
   * expected. The families' entries are read in their order and matched to the series set, so
   * no series' labels are hashed again (at 10,000 devices that was a fifth of a second of
   * unbroken work after the sliced refill).
   */
  function keep(shape: Shape): void {
    const entries: Entry[] = [];
    kept = undefined;
    const series = made;
    made = [];
    const lists = new Map<Gauge, { list: Entry[]; next: number }>();
    for (const family of families) {
      const list = entriesOf(family);
      if (!list) return;
      lists.set(family, { list, next: 0 });
    }
    for (const [family, labels] of series) {
      const at = lists.get(family)!;
      const entry = at.list[at.next++];
      // Another entry here: two series of the poll had the same labels (the later replaced the earlier), or other prom-client internals.
      if (!entry || entry.labels !== labels || typeof entry.value !== "number") return;
      entries.push(entry);
    }
    for (const { list, next } of lists.values()) if (next !== list.length) return;
    kept = { shape, entries };
  }

  /** Writes `shape`'s values in place if it is the kept shape; false if a refill is needed. */
  function inPlace(shape: Shape): boolean {
    if (!kept || !sameShape(kept.shape, shape)) return false;
    const { entries } = kept;
    for (let i = 0; i < entries.length; i++) entries[i]!.value = shape.values[i]!;
    // Keep this poll's strings, not the older equal ones (they are garbage otherwise).
    kept.shape = shape;
    return true;
  }

  function update(devices: readonly DeviceSnapshot[]): void {
    // One synchronous pass: a scrape sees the old set or the new one, never a mix.
    const poll = new PollSeries();
    for (const d of devices) poll.add(d);
    if (inPlace(poll.shape)) return;
    // Forget the entries before the reset: a refill cut short must not be written into next poll.
    kept = undefined;
    made = [];
    for (const family of families) family.reset();
    const cursor = { t: 0, v: 0 };
    while (cursor.t < poll.shape.tokens.length) refillDevice(poll.shape, cursor);
    keep(poll.shape);
  }

  return {
    update,
    async observe(result: PollResult) {
      if (!result.ok) return;
      if (!options.pause) return update(result.devices);
      const poll = new PollSeries();
      for (const d of result.devices) {
        await options.pause();
        poll.add(d);
      }
      if (inPlace(poll.shape)) return;
      kept = undefined;
      made = [];
      for (const family of families) family.reset();
      const cursor = { t: 0, v: 0 };
      while (cursor.t < poll.shape.tokens.length) {
        await options.pause();
        refillDevice(poll.shape, cursor);
      }
      keep(poll.shape);
    },
  };
}
