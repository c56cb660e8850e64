/**
 * `nightowl report`: a self-contained HTML report (or the same figures as JSON) per device from
 * history — water use, night flow, pump health, and the rules and alarms on a timeline. The
 * timeline is a replay of the history through `score`'s pipeline (src/monitor/report-timeline.ts).
 */
import { renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Command } from "commander";
import type { SettingName } from "../config.ts";
import { addSettingOptions } from "../setting-flags.ts";
import { NightowlError } from "../errors.ts";
import { reportTimeline } from "../monitor/report-timeline.ts";
import { loadEventsFile } from "../events/events-file.ts";
import { eventsNamingDevices } from "../events/names-for-ids.ts";
import { zonedStamp } from "../analytics/local-time.ts";
import { buildDeviceReport, type DeviceReport } from "../analytics/report-data.ts";
import { renderReportHtml } from "../analytics/report-html.ts";
import { loadModelFile } from "../ml/model-file.ts";
import { modelZoneWarning } from "../ml/model-zone.ts";
import { commandContext, logTimeZone, print } from "./context.ts";
import { configFlags, historyCommand, modelCommandOptions, readHistory, type ModelCommandFlags } from "./history-flags.ts";
import { checkReportRange, parseReportTime } from "./report-range.ts";
import { ML_COMMAND_SETTINGS } from "./train.ts";

const REPORT_SETTINGS: readonly SettingName[] = [...ML_COMMAND_SETTINGS, "powerFactor"];

interface ReportFlags extends ModelCommandFlags {
  since?: string;
  until?: string;
  output?: string;
  format?: string;
}

export function reportCommand(): Command {
  return historyCommand("report", "Write a self-contained HTML report per device (or JSON): water use, night flow, pump health, and the rules and alarms on a timeline.", [
    ["--since <time>", "start of the reported range: a date or date and time on the report's clock (2026-07-04, '2026-07-04 08:00'), ISO 8601 with an offset, epoch ms, or an offset back from --until such as 7d or 36h (default: all)"],
    ["--until <time>", "end of the reported range, in the same forms; an offset counts back from the last reading (default: the last reading)"],
    ["--output <file>", "where to write the report; - for standard output (default: nightowl-report.html, or nightowl-report.json with --format json)"],
    ["--format <format>", "html or json", "html"],
    ...modelCommandOptions("a leak model: adds the alarms score gives the same history, and their top features, to the timeline", "shown on the timeline; with a model, applied to its alarms as score --events does"),
  ], REPORT_SETTINGS, `
Examples:
  $ nightowl report --from-file data/week.csv --output report.html
  $ nightowl report --from-file data/*.csv --since 7d --format json --output -
  $ nightowl report --from-prometheus http://localhost:9090 --days 21 \\
      --since 7d --model-path models/global/leak_detector.json

The analysis reads everything given, so the baseline and schedules learn from the days before
--since; only the range is reported. Rules and alarms are replayed row by row as score and run
see them, so each appears when the data proved it. Nights, days and times are in the sites' zone,
as in every command: --timezone, else NIGHTOWL_TIMEZONE, else with --demo the demo sites'
America/Denver, else this machine's (a model trained in another zone is warned of, not followed).`,
  ).action(async (options: ReportFlags & Record<string, unknown>) => {
    const format = options.format ?? "html";
    if (format !== "html" && format !== "json") throw new NightowlError("E_USAGE", `--format ${JSON.stringify(format)} is not allowed: expected html or json`);
    const context = commandContext(configFlags(options));
    const { config, log } = context;
    const { frames } = await readHistory(options, config, log);
    const model = options.modelPath ? loadModelFile(options.modelPath) : undefined;
    // Every command's zone (commandContext), never the model's, so the report's rules and alarms are score's.
    const timeZone = config.timezone;
    checkReportSpan(frames, zonedStamp(timeZone));
    const events = options.events ? loadEventsFile(options.events, { at: zonedStamp(timeZone) }).events : undefined;
    const lastMs = Math.max(...frames.map((f) => (f.ts.length ? f.ts[f.ts.length - 1] : -Infinity)));
    const untilMs = options.until === undefined ? lastMs : parseReportTime("--until", options.until, lastMs, timeZone);
    const sinceMs = options.since === undefined ? undefined : parseReportTime("--since", options.since, untilMs, timeZone);
    checkReportRange(frames, sinceMs, untilMs, options, timeZone);
    // Told once the flags held: a refused --since is one line, not a note about nights first.
    logTimeZone(context);
    for (const line of eventsNamingDevices(events ?? [], frames)) log.warn(line);
    const zoneWarning = model && modelZoneWarning(model, timeZone);
    if (zoneWarning) log.warn(zoneWarning);
    const reports: DeviceReport[] = frames.filter((f) => f.ts.length > 0).map((frame) =>
      buildDeviceReport(frame, { timeZone, powerFactor: config.powerFactor, sinceMs, untilMs }, reportTimeline(frame, { timeZone, powerFactor: config.powerFactor, events }, model), events));
    const text = format === "json" ? JSON.stringify({ generatedAt: new Date().toISOString(), devices: reports }, null, 1) + "\n" : renderReportHtml(reports, Date.now(), timeZone);
    const output = options.output ?? defaultReportFile(format);
    if (output === "-") print(text);
    else {
      writeAtomically(output, text);
      log.info(`wrote ${output}`, { devices: reports.length, format });
    }
  });
}

/** The file a report goes to without --output: named for its format, so JSON never lands in a .html file. */
export function defaultReportFile(format: "html" | "json"): string {
  return `nightowl-report.${format}`;
}

/** The longest history of one device a report reads: its days, hours and charts grow with the span. */
export const MAX_REPORT_DAYS = 800;

/**
 * Refuses a device whose readings span more than {@link MAX_REPORT_DAYS} days before any analysis:
 * a stray timestamp decades away would otherwise make gigabytes of empty days.
 * @throws NightowlError E_DATA naming the device, its first and last reading
 */
function checkReportSpan(frames: readonly { deviceId: string; ts: ArrayLike<number> }[], at: (ms: number) => string): void {
  for (const f of frames) {
    if (f.ts.length < 2) continue;
    const first = f.ts[0]!;
    const last = f.ts[f.ts.length - 1]!;
    if (last - first > MAX_REPORT_DAYS * 86_400_000) {
      throw new NightowlError("E_DATA", `device ${f.deviceId}: readings from ${at(first)} to ${at(last)} span more than the ${MAX_REPORT_DAYS} days a report reads; report a shorter range of the history (or look for a stray timestamp)`);
    }
  }
}

function writeAtomically(path: string, text: string): void {
  const temp = join(dirname(path), `.${process.pid}.${Date.now()}.report.tmp`);
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (error) {
    throw new NightowlError("E_IO", `cannot write the report to ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
}
