/**
 * What `run` logs per poll: one line per device with what an owner glances at (pressure,
 * tank, pumps, today's use, verdict), and the original monitor's full report only when a
 * device is first seen or its verdict changes, or on every poll with --verbose.
 */
import type { Config } from "../config.ts";
import { formatDeviceReport } from "../device-report.ts";
import type { Logger } from "../log.ts";
import type { PollObserver } from "../nightowl/poll-result.ts";
import type { DeviceStatus, StatusSource } from "../status/source.ts";
import { LEVEL_WORDS } from "../status/verdict.ts";

/** One device's state as one line: "3840291 (Morgan Okafor): pressure 49.4 psi · tank 87 % · P1 off · today 134 gal · fine". */
export function deviceLine(s: DeviceStatus): string {
  const parts = [
    Number.isFinite(s.pressurePsi) ? `pressure ${s.pressurePsi.toFixed(1)} psi` : "",
    Number.isFinite(s.tankPercent) ? `tank ${s.tankPercent.toFixed(0)} %` : "",
    s.pumps.map((p) => `${p.pump} ${p.running === 1 ? "running" : p.running === 0 ? "off" : "?"}`).join(", "),
    Number.isFinite(s.todayGallons) ? `today ${s.todayGallons.toFixed(0)} gal` : "",
    s.level === "fine" ? LEVEL_WORDS.fine : `${LEVEL_WORDS[s.level]}: ${s.reasons.map((r) => r.rule).join(", ") || "see the status page"}`,
  ];
  return `${s.name} (${s.customer}): ${parts.filter(Boolean).join(" · ")}`;
}

/** The observer; place it after the status source so the verdict is this poll's. */
export function deviceLinesObserver(config: Config, log: Logger, status: StatusSource, verbose: boolean): PollObserver {
  const lastLevel = new Map<string, string>();
  return {
    observe(result) {
      if (!result.ok) return;
      const byId = new Map(status.statuses(0).map((s) => [s.id, s]));
      for (const device of result.devices) {
        const s = byId.get(device.id);
        const changed = s !== undefined && lastLevel.get(device.id) !== s.level;
        if (verbose || changed || s === undefined) {
          for (const line of formatDeviceReport(device, config.summaryKeys, config.timeseriesKeys, config.attributeKeys).split("\n")) log.info(line);
        }
        if (s) {
          log.info(deviceLine(s));
          lastLevel.set(device.id, s.level);
        }
      }
      log.info(`Polled ${result.devices.length} device(s) in ${Math.round(result.durationMs)} ms`);
    },
  };
}
