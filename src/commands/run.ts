/**
 * `nightowl run`: the monitor. Polls the portal every interval, logs each device's report,
 * and serves the metrics until SIGINT or SIGTERM. The stages it wires are in start-monitor.ts.
 */
import { Command } from "commander";
import { helpNotes } from "./help-text.ts";
import { PORTAL_SETTINGS, type SettingName } from "../config.ts";
import { addSettingOptions } from "../setting-flags.ts";
import { NightowlError } from "../errors.ts";
import { addQuietOption, commandContext, logTimeZone } from "./context.ts";
import { numberFlag } from "./number-flags.ts";
import { DEMO, flagAttribute, isSettingGiven } from "./portal.ts";
import { startMonitor } from "./start-monitor.ts";

const RUN_SETTINGS: readonly SettingName[] = [
  ...PORTAL_SETTINGS,
  "accountsFile",
  "pollIntervalSeconds",
  "portalConcurrency",
  "shard",
  "summaryKeys",
  "metricsHost",
  "metricsPort",
  "metricsAuthBearerToken",
  "metricsAuthBearerTokenFile",
  "metricsAuthUsername",
  "metricsAuthPassword",
  "metricsAuthPasswordFile",
  "metricsExclude",
  "mlEnabled",
  "mlModelPath",
  "mlModelsDir",
  "mlEmbeddedModel",
  "mlPrometheusUrl",
  "mlInferenceInterval",
  "timezone",
  "powerFactor",
  "warmupHours",
  "notifyUrls",
  "notifyUrlsFile",
  "publicUrl",
  "stateDir",
];

/** What `--demo` sets unless the user set it: loopback only, a quick poll, scoring on (its sites' zone: commandContext). */
const DEMO_DEFAULTS: Partial<Record<SettingName, string>> = {
  metricsHost: "127.0.0.1",
  pollIntervalSeconds: "10",
  mlEnabled: "true",
  mlInferenceInterval: "1",
};

export function runCommand(): Command {
  const command = new Command("run")
    .description("Poll the portal every interval, log each device's report and serve Prometheus metrics on /metrics (and /), /healthz and /readyz.")
    .option("--demo", "start the embedded simulator in this process and monitor it (metrics on 127.0.0.1:8010 unless set)")
    .option("--verbose", "log every device's full report on every poll (default: one line per device, the full report when its verdict changes; above 50 devices one summary line per poll, per-device lines at debug level)")
    .option(
      "--demo-speed <x>",
      `with --demo: simulated seconds per real second of the simulator's clock (default ${DEMO.speed}); the poll interval is then counted in simulated seconds, so polls come every interval/x real seconds`,
    );
  addQuietOption(command);
  addSettingOptions(command, RUN_SETTINGS);
  return command
    .addHelpText(
      "after",
      helpNotes(`
Examples:
  $ nightowl run --demo
  # an hour a second, a poll every 5 simulated minutes:
  $ nightowl run --demo --demo-speed 3600 --poll-interval 300
  $ NIGHTOWL_USERNAME=me@example.com \\
      NIGHTOWL_PASSWORD_FILE=/run/credentials/nightowl/password nightowl run
  $ nightowl run --metrics-port 8000 --poll-interval 60 --log-format json

Stops on SIGINT (Ctrl-C) or SIGTERM within 2 s.`),
    )
    .action(async (options: Record<string, unknown>) => {
      const demo = options.demo === true;
      if (options.demoSpeed !== undefined && !demo) throw new NightowlError("E_USAGE", "--demo-speed goes with --demo");
      const demoSpeed = options.demoSpeed === undefined ? undefined : numberFlag("--demo-speed", String(options.demoSpeed));
      const effective = demo ? withDemoDefaults(options) : options;
      const context = commandContext(effective);
      const { config, log } = context;
      const monitor = await startMonitor(config, log, { demo, demoSpeed, verbose: options.verbose === true, onLoggedIn: () => logTimeZone(context) });
      // SIGHUP reloads the leak models (after retraining) without a restart.
      const onHup = () => monitor.scorer?.reload();
      process.on("SIGHUP", onHup);
      const signal = await untilSignal();
      process.off("SIGHUP", onHup);
      log.info(`Received ${signal}; stopping`);
      await monitor.stop();
    });
}


function withDemoDefaults(options: Record<string, unknown>): Record<string, unknown> {
  const out = { ...options };
  for (const [name, value] of Object.entries(DEMO_DEFAULTS) as [SettingName, string][]) {
    if (!isSettingGiven(name, options)) out[flagAttribute(name)] = value;
  }
  return out;
}

/** Resolves with the name of the first SIGINT or SIGTERM, then restores the default handlers. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      resolve(signal);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
}
