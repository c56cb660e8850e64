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
 * set of series holding the later values, as prom-client's `set` would make it.
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
  /** The last refill's devices; the one under way's. */
  let known = new Map<string, SeriesDevice>();
  let filling = new Map<string, SeriesDevice>();

  function begin(): void {
    for (const family of families) family.reset();
    filling = new Map();
  }

  /** Adds a series, or, for a device already filled this poll, writes the one it has (prom-client's `set`). */
  const add = (family: DeviceFamily, device: SeriesDevice, extra: string | undefined, value: number) => void family.add(device, extra, value);
  const setAgain = (family: DeviceFamily, device: SeriesDevice, extra: string | undefined, value: number) => {
    const handle = family.find(device, extra);
    if (handle >= 0) family.set(handle, value);
    else family.add(device, extra, value);
  };

  /** Adds the series of `d`: its info, its numeric telemetry, the time of its newest reading, its numeric attributes. */
  function fill(d: DeviceSnapshot): void {
    const key = deviceKey(d);
    let device = filling.get(key);
    const again = device !== undefined && labelsOf(device, d);
    if (!again) {
      const before = known.get(key);
      device = before && labelsOf(before, d) ? before : seriesDevice({ user_label: d.userLabel, device_id: d.id, device_name: d.name });
      filling.set(key, device);
    }
    const set = again ? setAgain : add;
    set(info, device!, d.type, 1);
    let newest = -Infinity;
    for (const key in d.telemetry) {
      const reading = d.telemetry[key]!;
      if (reading.ts > newest) newest = reading.ts;
      const value = numericValue(reading.value);
      if (value !== null) set(telemetry, device!, key, value);
    }
    if (newest > -Infinity) set(lastSeen, device!, undefined, newest / 1000);
    for (const key in d.attributes) {
      const value = numericValue(d.attributes[key]!.value);
      if (value !== null) set(attribute, device!, key, value);
    }
  }

  /** The devices of this refill are the ones to keep: the others' label text goes. */
  function end(): void {
    known = filling;
    filling = new Map();
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
