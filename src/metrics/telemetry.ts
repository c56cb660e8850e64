/**
 * What each device reports: its latest telemetry and numeric attributes, and one info series
 * per device and the time of its newest reading. Every successful poll replaces the whole set, so a device or key that stops
 * being reported loses its series at once instead of repeating a stale value. A failed poll
 * leaves the last values in place; `nightowl_last_poll_success` says they are not fresh.
 *
 * The families are kept flat (device-family.ts): a refill writes each series' value, device and
 * key into the families' arrays, with no object a series, so refilling every poll costs less
 * than prom-client's `set` of a series already there did. Each device's label text is made once
 * and kept across polls while its labels stay the same. A device listed twice in one poll is one
 * set of series holding the later values, as prom-client's `set` would make it: its series are
 * found again from where its first listing wrote them on each family's page (a scan of the
 * whole family for each of its series made every duplicate cost a pass over the fleet).
 */
import type { Registry } from "prom-client";
import { DeviceFamily, seriesDevice, type SeriesDevice } from "./device-family.ts";
import { numericValue, type DeviceSnapshot } from "../nightowl/snapshot.ts";
import type { PollObserver, PollResult } from "../nightowl/poll-result.ts";

const DEVICE_LABELS = ["user_label", "device_id", "device_name"] as const;

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

/** The key a device's labels are found by within and across polls; its labels are checked too. */
const deviceKey = (d: DeviceSnapshot) => `${d.userLabel}\u0000${d.id}\u0000${d.name}`;
type SetSeries = (family: DeviceFamily, device: SeriesDevice, extra: string | undefined, value: number) => void;
/** A new series, for a device's first listing in a refill. */
const add: SetSeries = (family, device, extra, value) => void family.add(device, extra, value);
const labelsOf = (device: SeriesDevice, d: DeviceSnapshot) => device.labels.user_label === d.userLabel && device.labels.device_id === d.id && device.labels.device_name === d.name;

/**
 * Registers `nightowl_telemetry_value`, `nightowl_attribute_value` and `nightowl_device_info`
 * on `registry` and returns the observer that keeps them current.
 */
export function registerTelemetryMetrics(registry: Registry, options: TelemetryOptions = {}): TelemetryMetrics {
  /** A gauge per device, and per `extra` label. */
  const deviceGauge = (name: string, help: string, extra?: string) => new DeviceFamily({ name, help, type: "gauge", deviceLabels: DEVICE_LABELS, extra, registers: [registry] });
  const telemetry = deviceGauge("nightowl_telemetry_value", "Latest value of a device's telemetry key, in the key's own unit (PSI, volts, amps, Hz, percent, gallons).", "key");
  const attribute = deviceGauge("nightowl_attribute_value", "Latest numeric value of a device attribute; true/false as 1/0 (text attributes are not exported).", "key");
  const info = deviceGauge("nightowl_device_info", "1 for every device the last successful poll returned.", "device_type");

  const lastSeen = deviceGauge("nightowl_device_last_seen_timestamp_seconds", "Unix time in seconds of the device's newest telemetry reading; the portal keeps listing a silent device, this tells it is silent.");

  const families = [info, telemetry, lastSeen, attribute];
  /** The devices of a refill, in the order they were first filled, and each one's place in it by key. */
  interface Filled {
    index: Map<string, number>;
    devices: SeriesDevice[];
  }
  const noneFilled = (): Filled => ({ index: new Map(), devices: [] });
  /** The last refill's devices; the one under way's. */
  let known = noneFilled();
  let filling = noneFilled();
  /** Per device filled (in fill order), per family, where its first listing's series begin and end on the page. */
  let spans = new Int32Array(64 * families.length * 2);
  /** The series of the devices listed again in this refill, by place: family index and extra label value → handle. */
  let relisted = new Map<number, Map<string, number>>();

  function begin(): void {
    for (const family of families) family.reset();
    filling = noneFilled();
    relisted = new Map();
  }

  /** A relisted device's series, found once from its first listing's spans. */
  function seriesFound(place: number, device: SeriesDevice): Map<string, number> {
    let found = relisted.get(place);
    if (found) return found;
    relisted.set(place, (found = new Map()));
    const map = found;
    families.forEach((family, f) => {
      const at = (place * families.length + f) * 2;
      family.seriesOf(device, spans[at]!, spans[at + 1]!, (extra, handle) => void map.set(`${f}\u0000${extra ?? ""}`, handle));
    });
    return map;
  }

  /** Adds the series of `d`: its info, its numeric telemetry, the time of its newest reading, its numeric attributes. */
  function fill(d: DeviceSnapshot): void {
    const key = deviceKey(d);
    let place = filling.index.get(key);
    let device = place === undefined ? undefined : filling.devices[place];
    if (place !== undefined && device !== undefined && labelsOf(device, d)) {
      // Listed again: prom-client's `set` writes the series it has and adds the others last.
      const found = seriesFound(place, device);
      writeSeries(d, device, (family, again, extra, value) => {
        const id = `${families.indexOf(family)}\u0000${extra ?? ""}`;
        const handle = found.get(id);
        if (handle !== undefined) family.set(handle, value);
        else found.set(id, family.add(again, extra, value));
      });
      return;
    }
    const k = known.index.get(key);
    const before = k === undefined ? undefined : known.devices[k];
    device = before && labelsOf(before, d) ? before : seriesDevice({ user_label: d.userLabel, device_id: d.id, device_name: d.name });
    place = filling.devices.push(device) - 1;
    filling.index.set(key, place);
    const at = place * families.length * 2;
    if (at + families.length * 2 > spans.length) {
      const more = new Int32Array(spans.length * 2);
      more.set(spans);
      spans = more;
    }
    for (let f = 0; f < families.length; f++) spans[at + f * 2] = families[f]!.end;
    writeSeries(d, device, add);
    for (let f = 0; f < families.length; f++) spans[at + f * 2 + 1] = families[f]!.end;
  }

  /** The series of `d`, each through `set`. */
  function writeSeries(d: DeviceSnapshot, device: SeriesDevice, set: SetSeries): void {
    set(info, device, d.type, 1);
    let newest = -Infinity;
    for (const key in d.telemetry) {
      const reading = d.telemetry[key]!;
      if (reading.ts > newest) newest = reading.ts;
      const value = numericValue(reading.value);
      if (value !== null) set(telemetry, device, key, value);
    }
    if (newest > -Infinity) set(lastSeen, device, undefined, newest / 1000);
    for (const key in d.attributes) {
      const value = numericValue(d.attributes[key]!.value);
      if (value !== null) set(attribute, device, key, value);
    }
  }

  /** The devices of this refill are the ones to keep: the others' label text goes. */
  function end(): void {
    known = filling;
    filling = noneFilled();
  }

  function update(devices: readonly DeviceSnapshot[]): void {
    // One synchronous pass: a scrape sees the old set or the new one, never a mix.
    begin();
    for (const d of devices) fill(d);
    end();
  }

  return {
    update,
    async observe(result: PollResult) {
      if (!result.ok) return;
      if (!options.pause) return update(result.devices);
      begin();
      for (const d of result.devices) {
        await options.pause();
        fill(d);
      }
      end();
    },
  };
}
