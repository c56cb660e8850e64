/**
 * `nightowl score`: scores history with a saved leak model: one verdict per input row (CSV or
 * JSON), or a per-device summary with the alarm episodes (table).
 */
import type { Command } from "commander";
import { addSettingOptions } from "../setting-flags.ts";
import { NightowlError } from "../errors.ts";
import type { ScoredRow } from "../ml/score-frame.ts";
import { loadEventsFile } from "../events/events-file.ts";
import { eventsNamingDevices } from "../events/names-for-ids.ts";
import { loadModelFile, type LeakModel } from "../ml/model-file.ts";
import { resolveModelPath } from "../ml/model-resolver.ts";
import { modelZoneWarning } from "../ml/model-zone.ts";
import { localClock, zonedStamp } from "../analytics/local-time.ts";
import { zoneLabel } from "../physics/zone-label.ts";
import { shownModelPath } from "../ml/embedded-model.ts";
import { alarmEpisodes } from "../ml/verdict.ts";
import { scoreReplayer } from "../monitor/score-replay.ts";
import { releaseMemory } from "../release-memory.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { commandContext, logTimeZone } from "./context.ts";
import { configFlags, historyCommand, modelCommandOptions, readHistory, type ModelCommandFlags } from "./history-flags.ts";
import { noVerdictReason } from "./no-verdicts.ts";
import { ML_COMMAND_SETTINGS } from "./train.ts";

export const SCORE_FORMATS = ["table", "csv", "json"] as const;
export const SCORE_CSV_HEADER = "timestamp,device_id,anomaly_score,leak_probability,is_anomaly,top_features,rules,events,window_coverage,reason";

interface ScoreFlags extends ModelCommandFlags {
  format?: string;
}

export function scoreCommand(): Command {
  return historyCommand("score", "Score history with a leak model: anomaly score, leak probability and alarm per row (csv/json) or per device (table).", [
    ["--format <format>", "table, csv or json", "table"],
    ...modelCommandOptions("the model (default: models/users/{label}/leak_detector.json, then models/global/leak_detector.json)", "expected and maintenance silence alarms, away sharpens them"),
  ], ML_COMMAND_SETTINGS, `
Examples:
  # is anything wrong now? (the account from NIGHTOWL_USERNAME/_PASSWORD):
  $ nightowl score --from-nightowl --days 2
  $ nightowl score --from-file data/week.csv
  $ nightowl score --from-file data/week.csv --format csv > scores.csv
  $ nightowl score --from-prometheus http://localhost:9090 --days 2 \\
      --user-label dgorman --format json

CSV columns: ${SCORE_CSV_HEADER.split(",").join(", ")}, where
  anomaly_score     the forest's decision score, negative = anomalous
  leak_probability  0-100
  is_anomaly        the alarm: 1 when the score stays low long enough or a rule
                    triggers
  top_features      name:contribution pairs joined by ";"
  rules             the rules firing, joined by ";"
  events            silenced_by=ID:KIND or sharpened_by=ID:KIND when an event of
                    --events changed the alarm
  window_coverage   percent of the row's least-covered feature window that
                    readings fill
  reason            why the forest had no say: "window coverage 32 % < 50 %"
                    after an outage`,
  ).action(async (options: ScoreFlags & Record<string, unknown>) => {
    const format = options.format ?? "table";
    if (!(SCORE_FORMATS as readonly string[]).includes(format)) throw new NightowlError("E_USAGE", `--format ${JSON.stringify(format)} is not allowed: expected table, csv or json`);
    const context = commandContext(configFlags(options));
    const { config, log } = context;
    // The sites' zone by every command's rule (commandContext), never the model's: the same
    // history gets the same nights, and so the same verdicts, from score, report and run.
    const timeZone = config.timezone;
    // Read before the history so a broken file fails fast.
    const events = options.events ? loadEventsFile(options.events, { at: zonedStamp(timeZone) }).events : undefined;
    const { frames } = await readHistory(options, config, log);
    for (const line of eventsNamingDevices(events ?? [], frames)) log.warn(line);
    const labels = [...new Set(frames.map((f) => f.userLabel))];
    const resolved = resolveModelPath({ modelPath: options.modelPath, modelsDir: config.mlModelsDir, userLabel: options.userLabel ?? (labels.length === 1 ? labels[0] : "") });
    if (!resolved) throw new NightowlError("E_MODEL", `no model found: give --model-path, or train one with nightowl train (looked in ${config.mlModelsDir}/users/{label}/ and ${config.mlModelsDir}/global/)`);
    const model = loadModelFile(resolved.path);
    log.info(`scoring with ${shownModelPath(resolved.path)}`, { source: resolved.source, trained_at: model.training.trained_at, confidence: model.training.confidence });
    logTimeZone(context);
    const zoneWarning = modelZoneWarning(model, timeZone);
    if (zoneWarning) log.warn(zoneWarning);
    const replay = scoreReplayer(model, { timeZone, topFeatures: format === "table" ? 3 : 5, events });
    // csv and json are data: the reason goes to the log; the table says it in the device's section.
    const silent = (frame: HistoryFrame) => log.warn(`device ${frame.deviceName} (${frame.deviceId}): no verdicts: ${noVerdictReason(model, frame)}`);
    await writeScores(format, model, timeZone, frames, replay, silent);
  });
}

function topText(row: ScoredRow): string {
  return row.top.map(([name, c]) => `${name}:${c.toFixed(3)}`).join(";");
}

/**
 * Writes the verdicts device by device as they are made: a CSV line or a JSON element per
 * row, a table section per device. Nothing holds more than one device's rows, and the output
 * is flushed after each device (waiting for a slow reader), so memory does not grow with the
 * history. The text is the same as rendering every row at once would give.
 */
async function writeScores(
  format: string,
  model: LeakModel,
  timeZone: string,
  frames: HistoryFrame[],
  replay: (frame: HistoryFrame, onRow: (row: ScoredRow) => void) => void,
  onSilent: (frame: HistoryFrame) => void,
): Promise<void> {
  const out = new ChunkedOutput();
  if (format === "csv") out.write(SCORE_CSV_HEADER + "\n");
  else if (format === "json") out.write("[");
  // The table's blank line after the header comes before each device's section.
  else out.write(tableHeader(model, timeZone).slice(0, -1).join("\n") + "\n");
  let first = true;
  // Frames are let go as they are scored, so their memory can be reused for the next device.
  while (frames.length > 0) {
    const frame = frames.shift()!;
    const list: ScoredRow[] = [];
    let scored = 0;
    replay(frame, (r) => {
      scored++;
      if (format === "csv") out.write(csvLine(r) + "\n");
      else if (format === "json") out.write((first ? "" : ",") + JSON.stringify(rowJson(r)));
      else list.push(r);
      first = false;
    });
    if (format === "table" && list.length > 0) out.write("\n" + deviceSection(model, list, timeZone).join("\n") + "\n");
    else if (format === "table") out.write(`\nDevice: ${frame.deviceName} (${frame.deviceId})\n  no verdicts: ${noVerdictReason(model, frame)}\n`);
    else if (scored === 0) onSilent(frame);
    await out.drain();
    releaseMemory(frame.ts.length);
  }
  if (format === "json") out.write("]\n");
  await out.drain();
}

/** Text to stdout in blocks of about 64 KiB; `drain` waits until stdout has taken what was written. */
class ChunkedOutput {
  private pending: string[] = [];
  private size = 0;

  write(text: string): void {
    this.pending.push(text);
    this.size += text.length;
    if (this.size >= 1 << 16) this.flush();
  }

  async drain(): Promise<void> {
    this.flush();
    if (process.stdout.writableNeedDrain) await new Promise<void>((resolve) => process.stdout.once("drain", () => resolve()));
  }

  private flush(): void {
    if (this.size === 0) return;
    process.stdout.write(this.pending.join(""));
    this.pending = [];
    this.size = 0;
  }
}

/** The CSV: header and one line per scored row. */
export function scoresCsv(rows: readonly ScoredRow[]): string {
  return [SCORE_CSV_HEADER, ...rows.map(csvLine)].join("\n") + "\n";
}

function csvLine(r: ScoredRow): string {
  return `${r.ts},${csvCell(r.deviceId)},${r.decision.toFixed(6)},${r.probability.toFixed(2)},${r.isAnomaly ? 1 : 0},${csvCell(topText(r))},${r.rules.join(";")},${csvCell(eventText(r))},${(100 * r.coverage).toFixed(1)},${csvCell(r.reason ?? "")}`;
}

/** Which event changed the row's alarm, if one did. */
function eventText(r: ScoredRow): string {
  if (r.silencedBy) return `silenced_by=${r.silencedBy.id}:${r.silencedBy.kind}`;
  if (r.sharpenedBy) return `sharpened_by=${r.sharpenedBy.id}:${r.sharpenedBy.kind}`;
  return "";
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function rowJson(r: ScoredRow) {
  return {
    timestamp: r.ts,
    device_id: r.deviceId,
    device_name: r.deviceName,
    user_label: r.userLabel,
    anomaly_score: Number(r.decision.toFixed(6)),
    leak_probability: Number(r.probability.toFixed(2)),
    is_anomaly: r.isAnomaly ? 1 : 0,
    top_features: Object.fromEntries(r.top.map(([n, c]) => [n, Number(c.toFixed(4))])),
    rules: r.rules,
    silenced_by: r.silencedBy ?? null,
    sharpened_by: r.sharpenedBy ?? null,
    window_coverage: Number((100 * r.coverage).toFixed(1)),
    reason: r.reason ?? null,
  };
}

/** Per device: rows, alarmed share, peak probability, then every alarm episode with its reasons. */
export function scoresTable(model: LeakModel, rows: readonly ScoredRow[], timeZone: string): string {
  const out = tableHeader(model, timeZone);
  const byDevice = new Map<string, ScoredRow[]>();
  for (const r of rows) {
    const list = byDevice.get(r.deviceId) ?? [];
    list.push(r);
    byDevice.set(r.deviceId, list);
  }
  for (const list of byDevice.values()) out.push(...deviceSection(model, list, timeZone), "");
  return out.join("\n");
}

function tableHeader(model: LeakModel, timeZone: string): string[] {
  return [
    `Model: ${model.path === undefined ? "(in memory)" : shownModelPath(model.path)} (trained ${localClock(timeZone).stamp(Date.parse(model.training.trained_at), true)}, ${model.training.samples} samples, confidence ${model.training.confidence}, source ${model.training.source})`,
    `Nights, weekdays and the times below in ${zoneLabel(timeZone)}`,
    "",
  ];
}

/** One device's part of the table (its rows, in time order). */
function deviceSection(model: LeakModel, list: readonly ScoredRow[], timeZone: string): string[] {
  const out: string[] = [];
  const at = (ms: number) => localClock(timeZone).stamp(ms);
  const id = list[0]!.deviceId;
  const alarmed = list.filter((r) => r.isAnomaly).length;
  const peak = list.reduce((m, r) => Math.max(m, r.probability), 0);
  out.push(`Device: ${list[0]!.deviceName} (${id})`);
  out.push(`  rows ${list.length}, ${at(list[0]!.ts)} .. ${at(list[list.length - 1]!.ts)}; alarm on ${alarmed} rows (${((100 * alarmed) / list.length).toFixed(2)} %); peak probability ${peak.toFixed(1)} %`);
  const episodes = alarmEpisodes(list.map((r) => r.ts), list.map((r) => r.isAnomaly), model.alarm.episode_merge_minutes);
  if (episodes.length === 0) out.push("  no alarm episodes");
  else {
    out.push("  alarm episodes:");
    out.push(`    ${"start".padEnd(16)}  ${"end".padEnd(16)}  ${"peak %".padStart(6)}  top features`);
    for (const [a, b] of episodes) {
      const inside = list.filter((r) => r.ts >= a && r.ts <= b);
      const top = inside.reduce((best, r) => (r.probability > best.probability ? r : best), inside[0]!);
      const reasons = [...top.rules, topText(top), eventText(top)].filter(Boolean).join("; ");
      out.push(`    ${at(a)}  ${at(b)}  ${top.probability.toFixed(1).padStart(6)}  ${reasons}`);
    }
  }
  return out;
}
