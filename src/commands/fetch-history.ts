/**
 * `nightowl fetch-history`: the account's whole history over a time range, complete (dense
 * windows are split until nothing is cut), resumable, as wide CSV, OpenMetrics for promtool,
 * NDJSON, and/or streamed into VictoriaMetrics. The core is src/history/fetch-run.ts.
 */
import { Command } from "commander";
import { helpNotes } from "./help-text.ts";
import { PORTAL_SETTINGS } from "../config.ts";
import { addSettingOptions } from "../setting-flags.ts";
import { NightowlError, signalExitCode } from "../errors.ts";
import { OUTPUT_FORMATS, type OutputFormat } from "../history/checkpoint.ts";
import { fetchHistory } from "../history/fetch-run.ts";
import { portalSource } from "../history/portal-source.ts";
import { resolveRange } from "../history/time-range.ts";
import { createProgressReporter } from "../history/progress.ts";
import { commandContext, print } from "./context.ts";
import { withFlagNames } from "./flag-names.ts";
import { numberFlag } from "./number-flags.ts";
import { DEMO, openPortal } from "./portal.ts";

interface FetchHistoryFlags {
  days?: string;
  since?: string;
  until?: string;
  keys?: string;
  output: string;
  format?: string[];
  windowDays: string;
  limit: string;
  concurrency: string;
  importUrl?: string;
  restart?: boolean;
  quiet?: boolean;
  progress?: boolean;
  demo?: boolean;
}

export function fetchHistoryCommand(): Command {
  const command = new Command("fetch-history")
    .description("Fetch the history of every device of the account: complete (dense windows are split, nothing is cut), resumable, as CSV, OpenMetrics or NDJSON files and/or into VictoriaMetrics.")
    .option("--days <n>", "days back from now (or from --until); default 90")
    .option("--since <time>", "start: epoch ms, a date (2024-06-01, UTC) or an ISO date-time")
    .option("--until <time>", "end (exclusive), same forms; default now")
    .option("--keys <keys>", "comma-separated telemetry keys (default: the configured timeseries keys)")
    .option("--output <dir>", "output directory", "history")
    .option("--format <formats>", "csv, openmetrics, ndjson; repeat or comma-separate (default: csv)", collect)
    .option("--window-days <days>", "days per history call before adaptive splitting", "7")
    .option("--limit <n>", "points per key per call; a full answer is split in halves", "50000")
    .option("--concurrency <n>", "history calls in flight at most", "4")
    .option("--import-url <url>", "also stream into VictoriaMetrics, e.g. http://127.0.0.1:8428 (its /api/v1/import/prometheus)")
    .option("--restart", "discard an unfinished fetch in the output directory instead of continuing it")
    .option("--quiet", "no progress output and errors only on standard error (for cron)")
    .option("--demo", "fetch from the embedded simulator, started in this process (no account needed)");
  addSettingOptions(command, PORTAL_SETTINGS);
  return command
    .addHelpText(
      "after",
      helpNotes(`
Examples:
  $ nightowl fetch-history --days 90 --output data/
  $ nightowl fetch-history --demo --days 30 --output demo-history/
  $ nightowl fetch-history --since 2024-06-01 --until 2024-09-01 \\
      --format csv,openmetrics --output data/
  $ promtool tsdb create-blocks-from openmetrics data/nightowl_telemetry_*.om \\
      /var/lib/prometheus/metrics2
  $ nightowl fetch-history --days 90 --import-url http://127.0.0.1:8428 \\
      --output data/

Interrupted (Ctrl-C, a crash)? Run the same command again: it continues where it stopped and
ends with the same files. Files appear only when complete.`),
    )
    .action(async (flags: FetchHistoryFlags & Record<string, unknown>) => {
      const { config, log } = commandContext(flags);
      const formats = parseFormats(flags.format);
      const keys = flags.keys !== undefined ? flags.keys.split(",").map((k) => k.trim()).filter(Boolean) : [...config.timeseriesKeys];
      const windowDays = numberFlag("--window-days", flags.windowDays);
      const limit = numberFlag("--limit", flags.limit);
      const concurrency = numberFlag("--concurrency", flags.concurrency);
      if (flags.days !== undefined) numberFlag("--days", flags.days);
      // The range is checked before a demo's simulator starts and says so: a bad --since is one line.
      try {
        resolveRange({ days: flags.days, since: flags.since, until: flags.until }, Date.now());
      } catch (error) {
        throw withFlagNames(error, FLAG_OF);
      }
      const portal = await openPortal(config, log, flags.demo === true, { retries: 6 });
      const { client, account } = portal;
      const reporter = createProgressReporter({
        mode: flags.quiet ? "quiet" : process.stderr.isTTY ? "tty" : "log",
        write: (text) => process.stderr.write(text),
        log,
      });
      const controller = new AbortController();
      let stoppedBy: NodeJS.Signals | undefined;
      const onSignal = (signal: NodeJS.Signals) => {
        stoppedBy = signal;
        reporter.close();
        log.warn(`${signal}: stopping after the calls in flight; run the same command again to continue`);
        controller.abort(new NightowlError("E_IO", `interrupted by ${signal}`));
      };
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      // Stopped by a signal: one line, and the exit code shells expect (130 for Ctrl-C, 143 for SIGTERM).
      const interrupted = (points: number | undefined, cause?: unknown) =>
        new NightowlError("E_IO", `fetch interrupted by ${stoppedBy}${points === undefined ? "" : ` with ${points} points written`}; run the same command again to continue (partial files are kept in ${flags.output})`, {
          cause,
          exitCode: signalExitCode(stoppedBy!),
        });
      try {
        await portal.login();
        const result = await fetchHistory({
          source: portalSource(client, { attributeKeys: config.attributeKeys, pageSize: config.pageSize }),
          // The demo's simulator listens on a port of the moment: its checkpoint names the demo,
          // so an interrupted demo fetch continues like any other.
          baseUrl: flags.demo ? `demo:seed-${DEMO.seed}` : config.baseUrl,
          username: account.username,
          tenant: account.tenant,
          keys,
          days: flags.days,
          since: flags.since,
          until: flags.until,
          windowMs: Math.round(windowDays * 86_400_000),
          limit,
          concurrency,
          outputDir: flags.output,
          formats,
          importUrl: flags.importUrl,
          importMaxBodyBytes: config.maxResponseMb * 1024 * 1024,
          restart: flags.restart === true,
          signal: controller.signal,
          log,
          onProgress: (event) => reporter.onProgress(event),
        }).catch((error: unknown) => {
          throw stoppedBy ? interrupted(undefined, error) : error;
        });
        reporter.close();
        if (!result.complete && stoppedBy) throw interrupted(result.points);
        if (!result.complete) {
          throw new NightowlError("E_IO", `fetch interrupted with ${result.points} points written; run the same command again to continue (partial files are kept in ${flags.output})`);
        }
        if (!flags.quiet) {
          print(
            `Fetched ${result.points.toLocaleString("en-US")} points of ${result.devices} devices, ${new Date(result.range.startMs).toISOString()} to ${new Date(result.range.endMs).toISOString()}` +
              ` (${result.requests} calls, ${result.splits} windows split)${result.resumed ? ", continuing an interrupted fetch" : ""}:\n` +
              result.files.map((f) => `  ${flags.output.replace(/\/$/, "")}/${f}`).join("\n") +
              // A file carries no zone: the demo sites' nights are Denver's, whatever this machine's are.
              (flags.demo ? `\nThe demo sites are in ${DEMO.timeZone}: give train, score and report --timezone ${DEMO.timeZone} (or NIGHTOWL_TIMEZONE) so their nights are the sites'.` : ""),
          );
        }
      } catch (error) {
        throw withFlagNames(error, FLAG_OF);
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        await portal.close();
      }
    });
}

/** The core's option names as this command's flags. */
const FLAG_OF: Record<string, string> = {
  days: "--days", since: "--since", until: "--until", limit: "--limit", concurrency: "--concurrency", windowMs: "--window-days",
  keys: "--keys", formats: "--format", importUrl: "--import-url", restart: "--restart", outputDir: "--output",
};

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `--format` values, repeated or comma-separated, checked against the known formats. */
export function parseFormats(values: readonly string[] | undefined): OutputFormat[] {
  const list = (values ?? ["csv"]).flatMap((v) => v.split(",")).map((v) => v.trim().toLowerCase()).filter(Boolean);
  for (const f of list) {
    if (!(OUTPUT_FORMATS as readonly string[]).includes(f)) {
      throw new NightowlError("E_USAGE", `--format ${JSON.stringify(f)} is not allowed: expected ${OUTPUT_FORMATS.join(", ")} (repeat the flag or separate with commas)`);
    }
  }
  return [...new Set(list)] as OutputFormat[];
}
