/**
 * `nightowl train`: fits the leak model on history (CSV files, Prometheus or the portal) and
 * writes it atomically as JSON, then prints what it learned.
 */
import type { Command } from "commander";
import type { SettingName } from "../config.ts";
import { addSettingOptions } from "../setting-flags.ts";
import { localClock, zonedStamp } from "../analytics/local-time.ts";
import { NightowlError } from "../errors.ts";
import { EventIndex, LEFT_OUT_OF_TRAINING } from "../events/covering.ts";
import { loadEventsFile, type OwnerEvent } from "../events/events-file.ts";
import { eventsNamingDevices } from "../events/names-for-ids.ts";
import { trainLeakModel, type TrainSummary } from "../ml/leak-model.ts";
import { saveModelFile } from "../ml/model-file.ts";
import { globalModelPath, userModelPath } from "../ml/model-resolver.ts";
import { commandContext, logTimeZone, print } from "./context.ts";
import { numberFlag } from "./number-flags.ts";
import { configFlags, historyCommand, modelCommandOptions, readHistory, type ModelCommandFlags } from "./history-flags.ts";

/** Settings `train`, `score` and `report` take as flags (the portal account is for --from-nightowl). */
export const ML_COMMAND_SETTINGS: readonly SettingName[] = [
  "username", "password", "passwordFile", "tenant", "baseUrl", "pageSize", "timeseriesKeys", "requestTimeoutSeconds", "maxResponseMb", "maxMemoryMb", "timezone", "mlModelsDir", "logFormat", "logLevel",
];

interface TrainFlags extends ModelCommandFlags {
  contamination?: string;
  nEstimators?: string;
  seed?: string;
  note?: string;
}

export function trainCommand(): Command {
  return historyCommand("train", "Train the leak model on history and write it as JSON (models/users/{label}/leak_detector.json by default).", [
    ["--contamination <share>", "share of training rows treated as anomalous, in (0, 0.5]", "0.05"],
    ["--n-estimators <trees>", "number of trees", "100"],
    ["--seed <n>", "random seed; the same seed and history give the same model", "42"],
    ["--note <text>", "a note stored in the model's training metadata"],
    ...modelCommandOptions("where to write the model (default: models/users/{label}/leak_detector.json for one user, else models/global/leak_detector.json)", "maintenance and leak windows are left out of training"),
  ], ML_COMMAND_SETTINGS, `
Examples:
  $ nightowl train --from-file data/*.csv --user-label dgorman
  $ nightowl train --from-prometheus http://localhost:9090 --days 90 \\
      --user-label dgorman
  $ GRAFANA=https://prometheus-prod-13-prod-us-east-0.grafana.net/api/prom
  $ nightowl train --from-prometheus "$GRAFANA" --prometheus-username 1953220 \\
      --prometheus-password-file /run/credentials/grafana-read-token \\
      --days 90 --user-label dgorman
  $ nightowl train --from-nightowl --days 30
  $ nightowl train --from-nightowl --demo --days 30 --model-path /tmp/demo.json

Train on a period without known leaks: the model learns what normal looks like.`,
  ).action(async (options: TrainFlags & Record<string, unknown>) => {
    const contamination = numberFlag("--contamination", options.contamination ?? "0.05");
    const nEstimators = numberFlag("--n-estimators", options.nEstimators ?? "100");
    const seed = numberFlag("--seed", options.seed ?? "42");
    const context = commandContext(configFlags(options));
    const { config, log } = context;
    const { frames, source } = await readHistory(options, config, log);
    const labels = [...new Set(frames.map((f) => f.userLabel))];
    const userLabel = options.userLabel ?? (labels.length === 1 ? labels[0] : "global");
    const modelPath = options.modelPath ?? (userLabel === "global" ? globalModelPath(config.mlModelsDir) : userModelPath(config.mlModelsDir, userLabel));
    if (!/\.json$/i.test(modelPath)) throw new NightowlError("E_USAGE", `--model-path ${modelPath}: models are JSON files; use a name ending in .json such as leak_detector.json`);
    log.info(`training on ${frames.length} device(s)`, { rows: frames.reduce((n, f) => n + f.ts.length, 0) });
    logTimeZone(context);
    const events = options.events ? loadEventsFile(options.events, { at: zonedStamp(config.timezone) }).events : undefined;
    for (const line of eventsNamingDevices(events ?? [], frames)) log.warn(line);
    const leaveOut = events ? trainingLeaveOut(events) : undefined;
    const result = trainLeakModel(frames, { contamination, nEstimators, seed, timeZone: config.timezone, userLabel, source, note: options.note, leaveOut });
    saveModelFile(modelPath, result.text);
    print(formatSummary(modelPath, userLabel, result.summary, config.timezone));
  });
}

/** Whether a device's row at a time lies in one of the owner's maintenance or leak windows. */
function trainingLeaveOut(events: readonly OwnerEvent[]): (deviceId: string, ts: number) => boolean {
  const index = new EventIndex(events);
  return (deviceId, ts) => index.covers(deviceId, ts, LEFT_OUT_OF_TRAINING);
}

/** The lines `train` prints; times on the sites' clock (`timeZone`, else UTC) with the zone's name. */
export function formatSummary(path: string, userLabel: string, s: TrainSummary, timeZone?: string): string {
  const clock = localClock(timeZone);
  const at = (ms: number) => clock.stamp(ms, true);
  return [
    `Model written to ${path}`,
    `  user label:      ${userLabel}`,
    `  samples:         ${s.samples.toLocaleString("en-US")} feature rows from ${s.devices} device(s)`,
    `  features:        ${s.features}`,
    `  time range:      ${at(s.startMs)} .. ${at(s.endMs)} (${((s.endMs - s.startMs) / 86_400_000).toFixed(1)} days)`,
    ...(timeZone ? [`  time zone:       ${timeZone} (nights and weekdays; the model keeps it)`] : []),
    `  anomaly rate:    ${(100 * s.anomalyRate).toFixed(2)} % of training rows score below the forest's offset; the alarm flags ${(100 * s.alarmRate).toFixed(2)} %`,
    `  confidence:      ${s.confidence}`,
    `  duration:        ${(s.durationMs / 1000).toFixed(2)} s`,
  ].join("\n");
}
