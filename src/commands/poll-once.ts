/**
 * `nightowl poll-once`: one poll, the report of every device on standard output (or JSON),
 * and optionally the metrics as a node_exporter textfile. Exit 0 on success, non-zero with
 * one line otherwise, so a cron job mails only failures.
 */
import { Command } from "commander";
import { helpNotes } from "./help-text.ts";
import { PORTAL_SETTINGS } from "../config.ts";
import { addSettingOptions } from "../setting-flags.ts";
import { deviceJson, formatDeviceReport } from "../device-report.ts";
import { registerBuildInfo } from "../metrics/build-info.ts";
import { registerPollMetrics } from "../metrics/poll.ts";
import { createRegistry } from "../metrics/registry.ts";
import { registerTelemetryMetrics } from "../metrics/telemetry.ts";
import { readPreviousPoll, type PreviousPoll } from "../metrics/previous-textfile.ts";
import { writeTextfile } from "../metrics/textfile.ts";
import type { DeviceSnapshot } from "../nightowl/snapshot.ts";
import type { PollResult } from "../nightowl/poll-result.ts";
import { addQuietOption, commandContext, print } from "./context.ts";
import { flagAttribute, isSettingGiven, openPortal } from "./portal.ts";

export function pollOnceCommand(): Command {
  const command = new Command("poll-once")
    .description("Poll the portal once and print every device's report (or --json); --textfile writes the metrics for node_exporter's textfile collector.")
    .option("--json", "print a JSON array of devices instead of the reports")
    .option("--textfile <file>", "also write the metrics atomically to FILE (e.g. /var/lib/node_exporter/textfile/nightowl.prom), on failure too")
    .option("--demo", "poll the embedded simulator, started in this process");
  addQuietOption(command);
  addSettingOptions(command, [...PORTAL_SETTINGS, "summaryKeys"]);
  return command
    .addHelpText(
      "after",
      helpNotes(`
Examples:
  $ nightowl poll-once --demo
  $ nightowl poll-once --json | jq '.[].telemetry.S1'
  $ nightowl poll-once \\
      --textfile /var/lib/node_exporter/textfile/nightowl.prom > /dev/null

On failure the textfile says nightowl_last_poll_success 0, under the user_label and with the
last success's time that the previous file held, and the command exits non-zero with one line
on standard error: 2 when the portal refuses the password, 1 when it fails. When standard
output is not a terminal (cron), a successful poll writes nothing to standard error unless
--log-level is set.`),
    )
    .action(async (options: { json?: boolean; textfile?: string; demo?: boolean } & Record<string, unknown>) => {
      // Under cron (stdout not a terminal) a successful poll says nothing: warnings and errors only,
      // unless a log level is set.
      const quietByDefault = !process.stdout.isTTY && !isSettingGiven("logLevel", options);
      const { config, log } = commandContext(quietByDefault ? { ...options, [flagAttribute("logLevel")]: "warn" } : options);
      const portal = await openPortal(config, log, options.demo === true);
      let result: PollResult;
      const startedAt = Date.now();
      try {
        // A refused password is a setting to fix (exit 2, naming where it came from), not an
        // outage; any other failure of this login (retried) is the poll's failure as it is.
        await portal.login();
        const devices = await portal.poll();
        result = { ok: true, devices, startedAt, durationMs: Date.now() - startedAt };
      } catch (error) {
        result = { ok: false, error, startedAt, durationMs: Date.now() - startedAt };
      } finally {
        await portal.close();
      }
      if (options.textfile !== undefined) {
        try {
          // A failed poll knows neither the account's label nor its last success: the previous
          // run's file does (a success's own values are the truth).
          const previous = result.ok ? {} : readPreviousPoll(options.textfile, Date.now());
          if (previous.problem) log.warn(`--textfile ${JSON.stringify(options.textfile)}: the previous file is not carried over in full: ${previous.problem}`);
          await writeMetrics(result, options.textfile, previous.poll);
        } catch (error) {
          // The poll's own failure is the one line worth reporting; the file's goes to the log.
          if (result.ok) throw error;
          log.error((error as Error).message);
        }
      }
      if (!result.ok) throw result.error;
      print(options.json ? JSON.stringify(result.devices.map(deviceJson), null, 2) : reports(result.devices, config));
    });
}

function reports(devices: readonly DeviceSnapshot[], config: { summaryKeys: readonly string[]; timeseriesKeys: readonly string[]; attributeKeys: readonly string[] }): string {
  if (devices.length === 0) return "(no devices)";
  return devices.map((d) => formatDeviceReport(d, config.summaryKeys, config.timeseriesKeys, config.attributeKeys)).join("\n\n");
}

async function writeMetrics(result: PollResult, path: string, previous: PreviousPoll | undefined): Promise<void> {
  const registry = createRegistry();
  registerBuildInfo(registry);
  registerPollMetrics(registry, previous).observe(result);
  await registerTelemetryMetrics(registry).observe(result);
  await writeTextfile(registry, path);
}
