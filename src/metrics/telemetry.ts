/**
 * What each device reports: its latest telemetry and numeric attributes, and one info series
 * per device and the time of its newest reading. Every successful poll replaces the whole set, so a device or key that stops
 * being reported loses its series at once instead of repeating a stale value. A failed poll
 * leaves the last values in place; `nightowl_last_poll_success` says they are not fresh.
 */
import { Gauge, type Registry } from "prom-client";
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

  /** Empties the families: a refill follows, so a device or key no longer reported has no series. */
  function reset(): void {
    telemetry.reset();
    attribute.reset();
    info.reset();
    lastSeen.reset();
  }

  /** One device's series. */
  function add(d: DeviceSnapshot): void {
    const labels = { user_label: d.userLabel, device_id: d.id, device_name: d.name };
    info.set({ ...labels, device_type: d.type }, 1);
    let newest = -Infinity;
    for (const [key, reading] of Object.entries(d.telemetry)) {
      if (reading.ts > newest) newest = reading.ts;
      const value = numericValue(reading.value);
      if (value !== null) telemetry.set({ ...labels, key }, value);
    }
    if (newest > -Infinity) lastSeen.set(labels, newest / 1000);
    for (const [key, reading] of Object.entries(d.attributes)) {
      const value = numericValue(reading.value);
      if (value !== null) attribute.set({ ...labels, key }, value);
    }
  }

  function update(devices: readonly DeviceSnapshot[]): void {
    // Reset and refill in one synchronous pass: a scrape sees the old set or the new one, never a mix.
    reset();
    for (const d of devices) add(d);
  }

  return {
    update,
    async observe(result: PollResult) {
      if (!result.ok) return;
      if (!options.pause) return update(result.devices);
      reset();
      for (const d of result.devices) {
        await options.pause();
        add(d);
      }
    },
  };
}
