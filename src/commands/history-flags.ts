/**
 * The history-source flags `train` and `score` share: `--from-file`, `--from-prometheus` (with
 * its range, filters and auth) and `--from-nightowl`, and the one function that reads them.
 * Prometheus' credentials have their own flags (prometheus-auth.ts); `--username/--password`
 * name the portal account for `--from-nightowl`, as in every other command.
 */
import { Command } from "commander";
import { helpNotes } from "./help-text.ts";
import { NightowlError } from "../errors.ts";
import type { Config, SettingName } from "../config.ts";
import { givenSetting } from "../load-config.ts";
import type { Logger } from "../log.ts";
import { readHistoryCsv } from "../nightowl/history-csv.ts";
import { checkHistoryMemory, defaultMemoryBudgetMb } from "../history/memory-budget.ts";
import { totalmem } from "node:os";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { fetchNightowlHistory } from "../history/history-input.ts";
import { fetchPrometheusHistory } from "../history/prometheus-source.ts";
import { addSettingOptions } from "../setting-flags.ts";
import { addQuietOption } from "./context.ts";
import { numberFlag } from "./number-flags.ts";
import { openPortal } from "./portal.ts";
import { withFlagNames } from "./flag-names.ts";
import { checkPrometheusAuth, prometheusAuth, type PrometheusAuthFlags } from "./prometheus-auth.ts";

export interface HistoryFlags extends PrometheusAuthFlags {
  fromFile?: string[];
  fromPrometheus?: string;
  fromNightowl?: boolean;
  demo?: boolean;
  days?: string;
  step?: string;
  userLabel?: string;
  deviceId?: string;
}

/** The flags of the commands that use a model (`train`, `score`, `report`) beside the source. */
export interface ModelCommandFlags extends HistoryFlags {
  /** Where the model is written (`train`) or read. */
  modelPath?: string;
  /** The owner's events file (docs/events.md). */
  events?: string;
}

/**
 * The options behind {@link ModelCommandFlags}, with what the model and the events file mean
 * to the command: `--model-path`, then `--events`.
 */
export function modelCommandOptions(modelPath: string, events: string): OptionSpec[] {
  return [
    ["--model-path <file>", modelPath],
    ["--events <file>", `the owner's events (docs/events.md): ${events}`],
  ];
}

/** One option of a command: its flags, help and default. */
export type OptionSpec = readonly [flags: string, help: string, defaultValue?: string];

/**
 * A command that reads history (`train`, `score`, `report`): the source flags, then its own
 * `options`, `--quiet` and the `settings` it takes as flags, with `help` (examples, notes)
 * after the generated help.
 */
export function historyCommand(name: string, description: string, options: readonly OptionSpec[], settings: readonly SettingName[], help: string): Command {
  const command = addHistoryFlags(new Command(name).description(description), true);
  for (const [flags, text, defaultValue] of options) command.option(flags, text, defaultValue);
  addQuietOption(command);
  return addSettingOptions(command, settings).addHelpText("after", helpNotes(help));
}

/** Adds the source flags to `command`. */
export function addHistoryFlags(command: Command, nightowl: boolean): Command {
  command
    .option("--from-file <files...>", "history CSV files (as written by fetch-history)")
    .option("--from-prometheus <url>", "read nightowl_telemetry_value from Prometheus' query_range API at URL (e.g. http://localhost:9090, Grafana Cloud's …/api/prom)");
  if (nightowl) {
    command
      .option("--from-nightowl", "pull history from the NightOwl portal (account from --username/--password(-file) or NIGHTOWL_USERNAME/NIGHTOWL_PASSWORD)")
      .option("--demo", "with --from-nightowl: use the embedded simulator instead of the portal");
  }
  return command
    .option("--days <days>", "days of history back from now, for --from-prometheus/--from-nightowl", "30")
    .option("--step <seconds>", "query_range resolution in seconds", "60")
    .option("--user-label <label>", "only this user's devices (and the model's label)")
    .option("--device-id <id>", "only this device")
    .option("--prometheus-username <user>", "Prometheus basic-auth user (Grafana Cloud: the instance id)")
    .option("--prometheus-password <password>", "Prometheus basic-auth password or token (prefer --prometheus-password-file)")
    .option("--prometheus-password-file <path>", "read the Prometheus password from a file")
    .option("--bearer-token <token>", "Prometheus bearer token (prefer --bearer-token-file)")
    .option("--bearer-token-file <path>", "read the Prometheus bearer token from a file");
}

/** Checks that exactly one source is named; throws `E_USAGE` otherwise. */
export function checkHistoryFlags(flags: HistoryFlags): void {
  const sources = [flags.fromFile?.length ? "--from-file" : "", flags.fromPrometheus ? "--from-prometheus" : "", flags.fromNightowl ? "--from-nightowl" : ""].filter(Boolean);
  if (sources.length === 0) throw new NightowlError("E_USAGE", "no history given: use --from-file FILE..., --from-prometheus URL or --from-nightowl");
  if (sources.length > 1) throw new NightowlError("E_USAGE", `${sources.join(" and ")} cannot be combined: give one history source`);
  if (flags.fromPrometheus && !/^https?:\/\//i.test(flags.fromPrometheus)) {
    throw new NightowlError("E_USAGE", `--from-prometheus ${JSON.stringify(flags.fromPrometheus)} is not allowed: expected an http:// or https:// URL`);
  }
  if (flags.fromPrometheus) checkPrometheusAuth(flags);
  if (flags.demo && !flags.fromNightowl) throw new NightowlError("E_USAGE", "--demo goes with --from-nightowl");
  numberFlag("--days", flags.days ?? "30");
  numberFlag("--step", flags.step ?? "60");
}

/** Reads the history the flags name, filtered by `--user-label` and `--device-id`. */
export async function readHistory(flags: HistoryFlags, config: Config, log: Logger, nowMs = Date.now()): Promise<{ frames: HistoryFrame[]; source: string }> {
  checkHistoryFlags(flags);
  const days = numberFlag("--days", flags.days ?? "30");
  const startMs = nowMs - days * 86_400_000;
  let frames: HistoryFrame[];
  let source: string;
  if (flags.fromFile?.length) {
    const budget = config.maxMemoryMb ?? defaultMemoryBudgetMb(totalmem());
    checkHistoryMemory(flags.fromFile, budget, givenSetting(config, "maxMemoryMb", String(budget)));
    frames = await readHistoryCsv(flags.fromFile, { log });
    source = "file";
  } else if (flags.fromPrometheus) {
    frames = await fetchPrometheusHistory({
      url: flags.fromPrometheus,
      startMs,
      endMs: nowMs,
      stepSeconds: numberFlag("--step", flags.step ?? "60"),
      userLabel: flags.userLabel,
      deviceId: flags.deviceId,
      auth: prometheusAuth(flags, log),
      timeoutMs: config.requestTimeoutSeconds * 1000,
      maxBodyBytes: config.maxResponseMb * 1024 * 1024,
    }).catch((error: unknown) => {
      throw withFlagNames(error, { stepSeconds: "--step", auth: "--prometheus-username/--prometheus-password or --bearer-token" });
    });
    source = "prometheus";
  } else {
    const portal = await openPortal(config, log, flags.demo === true);
    try {
      await portal.login();
      frames = await fetchNightowlHistory(portal.client, { keys: config.timeseriesKeys, startMs, endMs: nowMs, pageSize: config.pageSize, userLabel: flags.userLabel, deviceId: flags.deviceId, log });
    } finally {
      await portal.close();
    }
    source = flags.demo ? "simulated" : "nightowl";
  }
  frames = frames.filter((f) => (!flags.userLabel || f.userLabel === flags.userLabel) && (!flags.deviceId || f.deviceId === flags.deviceId));
  const rows = frames.reduce((n, f) => n + f.ts.length, 0);
  if (rows === 0) {
    const filter = [flags.userLabel ? `user label ${flags.userLabel}` : "", flags.deviceId ? `device ${flags.deviceId}` : ""].filter(Boolean).join(" and ");
    throw new NightowlError("E_DATA", `the history has no rows${filter ? ` for ${filter}` : ""}`);
  }
  return { frames, source };
}

/**
 * The flags that are settings of the configuration: all but the deprecated spelling of
 * Prometheus' credentials (`--username/--password` with `--from-prometheus`).
 */
export function configFlags(options: Record<string, unknown>): Record<string, unknown> {
  if (!options.fromPrometheus) return options;
  const { username: _u, password: _p, ...rest } = options;
  return rest;
}
