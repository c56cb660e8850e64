/**
 * The analytics families of `nightowl run`, registered on a passed-in registry, and the poll
 * observer that keeps them current: one `DeviceAnalytics` per device, a consumer of the
 * device's pipeline (shared with live scoring when `pipelines` is given). A device that
 * disappears loses its series; a failed poll leaves the last values.
 */
import type { Registry } from "prom-client";
import { PUMPS } from "../analytics/pump-health.ts";
import { RULE_NAMES } from "../analytics/trigger.ts";
import { DeviceAnalytics, type DeviceAnalyticsOptions, type DeviceFigures } from "../monitor/device-figures.ts";
import type { Logger } from "../log.ts";
import { DevicePipelines } from "../monitor/device-pipeline.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import type { DeviceSnapshot } from "../nightowl/snapshot.ts";
import type { PollObserver, PollResult } from "../nightowl/poll-result.ts";
import { slicer } from "../yield-to-server.ts";
import { DeviceFamily, seriesDevice } from "./device-family.ts";
import { SeriesSlots } from "./series-slots.ts";
import { stageSuccess } from "./stage-success.ts";

const DEVICE = ["user_label", "device_id", "device_name"] as const;
type Labels = Record<(typeof DEVICE)[number], string>;

export interface AnalyticsMetrics extends PollObserver {
  /** The analytics of each device seen in the last successful poll, by device id. */
  devices(): ReadonlyMap<string, DeviceAnalytics>;
  /** Fills a device's windows from recent history before its first poll is observed (see `DeviceAnalytics.warm`). */
  warm(device: DeviceSnapshot, frame: HistoryFrame): void;
}

/** Registers the `nightowl_water_*`, `nightowl_*flow*`, `nightowl_pump_*` and `nightowl_rule_triggered` families. */
export function registerAnalyticsMetrics(registry: Registry, options: DeviceAnalyticsOptions & { pipelines?: DevicePipelines; log?: Logger } = {}): AnalyticsMetrics {
  const pipelines = options.pipelines ?? new DevicePipelines(options);
  const stages = stageSuccess(registry, options.log);
  const registers = [registry];
  // Kept flat, outside prom-client's per-series objects (device-family.ts), and registered on `registry`.
  const family = (type: "gauge" | "counter", name: string, help: string, extra?: string) => new DeviceFamily({ name, help, type, deviceLabels: DEVICE, extra, registers });
  const gauge = (name: string, help: string, extra?: string) => family("gauge", name, help, extra);
  const waterUsed = family("counter", "nightowl_water_used_gallons_total", "Gallons drawn since the exporter started, from the flow meter; continues across meter replacements (counter resets).");
  const flow = gauge("nightowl_flow_gallons_per_minute", "Mean flow over the last 15 minutes (longer for coarse meters), gallons per minute.");
  const nightFlow = gauge("nightowl_night_flow_min_gallons_per_minute", "Minimum night flow of the last night: the lowest 15-minute mean flow between 02:00 and 04:00 local, gallons per minute; above 0 suggests a leak.");
  // Seconds, not minutes: Prometheus names durations in base units (promtool insists).
  const continuous = gauge("nightowl_continuous_flow_seconds", "Seconds the flow has gone on without returning to zero; 0 when it has stopped.");
  const running = gauge("nightowl_pump_running", "1 while the pump draws more than its running current threshold, else 0.", "pump");
  const starts = gauge("nightowl_pump_starts_per_hour", "Pump starts per hour over the last 24 h of readings.", "pump");
  const runPerStart = gauge("nightowl_pump_run_seconds_per_start", "Mean run time of the pump's complete cycles over the last 24 h, seconds.", "pump");
  const duty = gauge("nightowl_pump_duty_cycle_ratio", "Share of the last 24 h the pump ran, 0 to 1.", "pump");
  const vUnbalance = gauge("nightowl_pump_voltage_unbalance_percent", "NEMA MG-1 voltage unbalance of the latest reading: largest phase deviation from the mean ÷ mean × 100.", "pump");
  const cUnbalance = gauge("nightowl_pump_current_unbalance_percent", "NEMA MG-1 current unbalance of the latest running reading, percent.", "pump");
  const energy = family("counter", "nightowl_pump_energy_kwh_total", "Pump energy since the exporter started: trapezoidal integral of power factor × Σ V·I over the phases, kWh.", "pump");
  const dryRun = gauge("nightowl_pump_dry_run_suspected", "1 when the pump's latest run drew well under its learned current without raising pressure.", "pump");
  const rule = gauge("nightowl_rule_triggered", "1 while a leak or pump rule's condition holds or held within the last 24 h, per rule; 0 while the owner's expected or maintenance event applies and for a firing one covered whole.", "rule");

  // A device's series, each in its slot: the device's three flow gauges, then each pump's
  // seven, then one per rule, then the counters.
  const deviceGauges = [flow, nightFlow, continuous];
  const pumpGauges = [running, starts, runPerStart, duty, vUnbalance, cUnbalance, dryRun];
  const ruleSlot = deviceGauges.length + PUMPS.length * pumpGauges.length;
  type Entry = { analytics: DeviceAnalytics; labels: Labels; water: number; energy: Map<string, number>; series: SeriesSlots };
  const state = new Map<string, Entry>();
  // Kept beside `state` so `devices()` hands out a view, not a copy per call (the status page
  // looks devices up one by one: a copy each time was quadratic in the fleet).
  const byId = new Map<string, DeviceAnalytics>();

  // Then the counters: gallons, and each pump's energy.
  const waterSlot = ruleSlot + RULE_NAMES.length;
  const energySlot = (pump: number) => waterSlot + 1 + pump;

  function remove(entry: Entry): void {
    const { series } = entry;
    series.remove(waterSlot, waterUsed);
    PUMPS.forEach((_, p) => series.remove(energySlot(p), energy));
    deviceGauges.forEach((g, i) => series.remove(i, g));
    PUMPS.forEach((_, p) => pumpGauges.forEach((g, k) => series.remove(deviceGauges.length + p * pumpGauges.length + k, g)));
    RULE_NAMES.forEach((_, r) => series.remove(ruleSlot + r, rule));
  }

  function setIf(series: SeriesSlots, slot: number, g: DeviceFamily, value: number, extra?: string): void {
    if (Number.isFinite(value)) series.set(slot, g, value, extra);
    else series.remove(slot, g);
  }

  function publish(entry: Entry, f: DeviceFigures): void {
    const { series } = entry;
    if (Number.isFinite(f.waterUsedGallons)) {
      series.add(waterSlot, waterUsed, Math.max(0, f.waterUsedGallons - entry.water));
      entry.water = Math.max(entry.water, f.waterUsedGallons);
    }
    setIf(series, 0, flow, f.flowGpm);
    setIf(series, 1, nightFlow, f.nightFlowMinGpm);
    setIf(series, 2, continuous, f.continuousFlowMinutes * 60);
    for (const p of f.pumps) {
      const pump = p.pump;
      const first = deviceGauges.length + PUMPS.indexOf(p.pump) * pumpGauges.length;
      const values = [p.running, p.startsPerHour, p.runSecondsPerStart, p.dutyCycle, p.voltageUnbalancePct, p.currentUnbalancePct, p.dryRunSuspected];
      pumpGauges.forEach((g, k) => setIf(series, first + k, g, values[k]!, pump));
      const before = entry.energy.get(p.pump) ?? 0;
      series.add(energySlot(PUMPS.indexOf(p.pump)), energy, Math.max(0, p.energyKwh - before), pump);
      entry.energy.set(p.pump, Math.max(before, p.energyKwh));
    }
    RULE_NAMES.forEach((name, r) => series.set(ruleSlot + r, rule, f.rules[name], name));
  }

  function entryFor(d: DeviceSnapshot) {
    const labels: Labels = { user_label: d.userLabel, device_id: d.id, device_name: d.name };
    let entry = state.get(d.id);
    if (entry && (entry.labels.user_label !== labels.user_label || entry.labels.device_name !== labels.device_name)) {
      remove(entry);
      entry.labels = labels;
      entry.series = new SeriesSlots(seriesDevice(labels));
      entry.water = 0;
      entry.energy.clear();
    }
    if (!entry) {
      state.set(d.id, (entry = { analytics: new DeviceAnalytics(d.id, options, pipelines.feed(d)), labels, water: 0, energy: new Map(), series: new SeriesSlots(seriesDevice(labels)) }));
      byId.set(d.id, entry.analytics);
    }
    return entry;
  }

  async function update(devices: readonly DeviceSnapshot[]): Promise<void> {
    const seen = new Set<string>();
    const run = stages.begin("analytics");
    const pause = slicer();
    for (const d of devices) {
      seen.add(d.id);
      await pause();
      await run.device(d.name, () => {
        const entry = entryFor(d);
        pipelines.feed(d);
        entry.analytics.consume();
        publish(entry, entry.analytics.figures());
      });
    }
    run.end();
    for (const [id, entry] of state) {
      if (seen.has(id)) continue;
      remove(entry);
      state.delete(id);
      byId.delete(id);
    }
  }

  return {
    devices: () => byId,
    warm(device, frame) {
      pipelines.warm(device, frame);
    },
    async observe(result: PollResult) {
      if (result.ok) await update(result.devices);
    },
  };
}
