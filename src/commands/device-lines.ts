/**
 * What `run` logs per poll: one line per device with what an owner glances at (pressure,
 * tank, pumps, today's use, verdict), and the original monitor's full report only when a
 * device is first seen or its verdict changes, or on every poll with --verbose.
 *
 * A fleet (more than {@link DEVICE_LINES_MAX} devices) logs one summary line per poll instead:
 * how many devices are at each verdict, and a line for each device whose verdict changed (or
 * is not "fine" when first seen). Thousands of lines every poll cost a tenth of the poll's CPU
 * and bury the few that matter; the per-device lines and reports are still there at debug
 * level (`--log-level debug`), and `--verbose` keeps them all at info.
 */
import type { Config } from "../config.ts";
import { formatDeviceReport } from "../device-report.ts";
import type { Logger } from "../log.ts";
import type { PollObserver, PollResult } from "../nightowl/poll-result.ts";
import type { DeviceStatus, StatusSource } from "../status/source.ts";
import { LEVEL_WORDS, type Level } from "../status/verdict.ts";
import { forEachSliced, mapSliced, slicer } from "../yield-to-server.ts";

/** Devices up to which every poll logs a line per device at info level. */
export const DEVICE_LINES_MAX = 50;

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

/** "1,987 fine, 10 watch, 3 possible leak": the levels present, in the page's order. */
export function levelCounts(levels: Iterable<Level>): string {
  const counts = new Map<Level, number>();
  for (const level of levels) counts.set(level, (counts.get(level) ?? 0) + 1);
  return (Object.keys(LEVEL_WORDS) as Level[])
    .filter((level) => counts.has(level))
    .map((level) => `${counts.get(level)!.toLocaleString("en-US")} ${LEVEL_WORDS[level]}`)
    .join(", ");
}

/** The observer; place it after the status source so the verdict is this poll's. */
export function deviceLinesObserver(config: Config, log: Logger, status: StatusSource, verbose: boolean): PollObserver {
  const lastLevel = new Map<string, Level>();
  const report = (device: PollResult & { ok: true }, i: number, write: (line: string) => void) => {
    for (const line of formatDeviceReport(device.devices[i]!, config.summaryKeys, config.timeseriesKeys, config.attributeKeys).split("\n")) write(line);
  };
  const polledLine = (result: PollResult & { ok: true }) => `Polled ${result.devices.length} device(s) in ${Math.round(result.durationMs)} ms`;

  /** A line per device, at info: a small site's log, or any site's with --verbose. */
  function everyDevice(result: PollResult & { ok: true }): void {
    const byId = new Map(status.statuses(0).map((s) => [s.id, s]));
    result.devices.forEach((device, i) => {
      const s = byId.get(device.id);
      const changed = s !== undefined && lastLevel.get(device.id) !== s.level;
      if (verbose || changed || s === undefined) report(result, i, (line) => log.info(line));
      if (s) {
        log.info(deviceLine(s));
        lastLevel.set(device.id, s.level);
      }
    });
    log.info(polledLine(result));
  }

  /**
   * A fleet's poll: the verdicts' counts and the devices whose verdict changed, at info; the rest
   * at debug. A pass over every device, in slices that yield: at 10,000 devices its verdicts (and
   * the full statuses of a first poll's many devices not fine) held a scrape for as long in one piece.
   */
  async function summary(result: PollResult & { ok: true }): Promise<void> {
    const debug = log.enabled?.("debug") ?? true;
    const pause = slicer();
    // Every device's full status only when its debug line is wanted; else the cheaper verdicts.
    const verdicts = (await mapSliced(status.deviceIds(), (id) => (debug ? status.deviceStatus(id, 0) : status.deviceVerdict(id)), pause)).filter((v) => v !== undefined);
    const byId = new Map<string, (typeof verdicts)[number]>(verdicts.map((v) => [v.id, v]));
    const changed = new Set<string>();
    await forEachSliced(result.devices, (device, i) => {
      const v = byId.get(device.id);
      const before = lastLevel.get(device.id);
      if (debug && (v === undefined || before !== v.level)) report(result, i, (line) => log.debug(line));
      if (!v) return;
      // A device first seen is news when it is not fine; after that, when its verdict moves.
      if (before === undefined ? v.level !== "fine" : before !== v.level) changed.add(device.id);
      else if (debug) log.debug(deviceLine(v as DeviceStatus));
      lastLevel.set(device.id, v.level);
    }, pause);
    // The full statuses of the changed devices, in poll order: at hand when every one was built.
    const statuses = debug ? (verdicts as DeviceStatus[]).filter((s) => changed.has(s.id)) : (await mapSliced([...changed], (id) => status.deviceStatus(id, 0), pause)).filter((s) => s !== undefined);
    for (const s of statuses) log.info(deviceLine(s));
    log.info(`${polledLine(result)}: ${levelCounts(verdicts.map((v) => v.level)) || "no verdicts yet"}`);
  }

  return {
    async observe(result) {
      if (!result.ok) return;
      if (verbose || result.devices.length <= DEVICE_LINES_MAX) everyDevice(result);
      else await summary(result);
      // Forget devices that left, so one that comes back is announced again.
      if (lastLevel.size > result.devices.length) {
        const polled = new Set(result.devices.map((d) => d.id));
        for (const id of lastLevel.keys()) if (!polled.has(id)) lastLevel.delete(id);
      }
    },
  };
}
