/**
 * `nightowl run`: the monitor. Polls the portal every interval, logs each device's report,
 * and serves the metrics until SIGINT or SIGTERM.
 */
import { readFileSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { MAX_ACCOUNTS_FILE_BYTES, parseAccountsFile } from "../accounts-file.ts";
import { openAccounts } from "./accounts.ts";
import { Command } from "commander";
import type { Registry } from "prom-client";
import { addSettingOptions, PORTAL_SETTINGS, type Config, type SettingName } from "../config.ts";
import type { Logger } from "../log.ts";
import type { ClientOptions } from "../nightowl/client.ts";
import { registerBuildInfo } from "../metrics/build-info.ts";
import { registerPollMetrics } from "../metrics/poll.ts";
import { registerPortalAuthWatch } from "../metrics/portal-auth.ts";
import { createRegistry } from "../metrics/registry.ts";
import { createPrerenderedExposition, type PrerenderedExposition } from "../metrics/exposition.ts";
import { familiesRegisteredBy, familyExcluder } from "../metrics/exclude.ts";
import { startMetricsServer, type MetricsServer } from "../metrics/server.ts";
import { registerTelemetryMetrics } from "../metrics/telemetry.ts";
import { registerAnalyticsMetrics } from "../metrics/analytics.ts";
import { registerMlMetrics } from "../metrics/ml.ts";
import { createLiveScorer, type LiveScorer } from "../metrics/live-scorer.ts";
import { DevicePipelines } from "../monitor/device-pipeline.ts";
import { createEventsWatch } from "../events/events-watch.ts";
import { knownDevicesRecorder } from "../events/known-devices.ts";
import { prometheusHistorySource } from "../history/prometheus-source.ts";
import type { PollObserver } from "../nightowl/poll-result.ts";
import { pollReadiness, startPollLoop, type PollLoop } from "../poll-loop.ts";
import { NightowlError } from "../errors.ts";
import { fetchDeviceHistory } from "../history/device-history.ts";
import type { RecentHistorySource } from "../history/recent-source.ts";
import { createWarmUp } from "../warm-up.ts";
import { createLiveStatusSource, type LiveStatusSource } from "../status/live-source.ts";
import { statusRoutes } from "../status/routes.ts";
import { RequestGate } from "../nightowl/request-gate.ts";
import { parseShard, shardFilter } from "../shard.ts";
import { registerNotifyMetrics } from "../notify/metrics.ts";
import { createNotifier } from "../notify/notifier.ts";
import { parseTarget } from "../notify/target.ts";
import { addQuietOption, commandContext, describeTimeZone } from "./context.ts";
import { deviceLinesObserver } from "./device-lines.ts";
import { numberFlag } from "./number-flags.ts";
import { checkFirstLogin, DEMO, flagAttribute, isSettingGiven, openPortal, type Portal } from "./portal.ts";

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
  "publicUrl",
  "stateDir",
];

/** What `--demo` sets unless the user set it: loopback only, a quick poll, scoring on. */
const DEMO_DEFAULTS: Partial<Record<SettingName, string>> = {
  metricsHost: "127.0.0.1",
  pollIntervalSeconds: "10",
  mlEnabled: "true",
  mlInferenceInterval: "1",
  timezone: DEMO.timeZone,
};

export function runCommand(): Command {
  const command = new Command("run")
    .description("Poll the portal every interval, log each device's report and serve Prometheus metrics on /metrics (and /), /healthz and /readyz.")
    .option("--demo", "start the embedded simulator in this process and monitor it (metrics on 127.0.0.1:8010 unless set)")
    .option("--verbose", "log every device's full report on every poll (default: one line per device, the full report when its verdict changes)")
    .option(
      "--demo-speed <x>",
      `with --demo: simulated seconds per real second of the simulator's clock (default ${DEMO.speed}); the poll interval is then counted in simulated seconds, so polls come every interval/x real seconds`,
    );
  addQuietOption(command);
  addSettingOptions(command, RUN_SETTINGS);
  return command
    .addHelpText(
      "after",
      `
Examples:
  $ nightowl run --demo
  $ nightowl run --demo --demo-speed 3600 --poll-interval 300   # an hour a second, a poll every 5 simulated minutes
  $ NIGHTOWL_USERNAME=me@example.com NIGHTOWL_PASSWORD_FILE=/run/credentials/nightowl/password nightowl run
  $ nightowl run --metrics-port 8000 --poll-interval 60 --log-format json

Stops on SIGINT (Ctrl-C) or SIGTERM within 2 s.`,
    )
    .action(async (options: Record<string, unknown>) => {
      const demo = options.demo === true;
      if (options.demoSpeed !== undefined && !demo) throw new NightowlError("E_USAGE", "--demo-speed goes with --demo");
      const demoSpeed = options.demoSpeed === undefined ? undefined : numberFlag("--demo-speed", String(options.demoSpeed));
      const effective = demo ? withDemoDefaults(options) : options;
      const context = commandContext(effective);
      const { config, log } = context;
      log.info(`Nights and days are counted in ${describeTimeZone(context, isSettingGiven("timezone", effective))}`);
      const monitor = await startMonitor(config, log, { demo, demoSpeed, verbose: options.verbose === true });
      // SIGHUP reloads the leak models (after retraining) without a restart.
      const onHup = () => monitor.scorer?.reload();
      process.on("SIGHUP", onHup);
      const signal = await untilSignal();
      process.off("SIGHUP", onHup);
      log.info(`Received ${signal}; stopping`);
      await monitor.stop();
    });
}

export interface Monitor {
  registry: Registry;
  /** The page scrapes get, rendered after each poll. */
  exposition: PrerenderedExposition;
  server: MetricsServer;
  loop: PollLoop;
  portal: Portal;
  /** Live leak scoring, when NIGHTOWL_ML_ENABLED is true. */
  scorer?: LiveScorer;
  /** What the status page and the notifications read. */
  status: LiveStatusSource;
  /** Stops the loop, the server and the simulator (if any); resolves within about 2 s. */
  stop(): Promise<void>;
}

export interface MonitorOptions {
  /** Monitor the embedded simulator instead of the configured portal. */
  demo?: boolean;
  /** Log every device's full report on every poll, not only when its verdict changes. */
  verbose?: boolean;
  /**
   * With `demo`: the simulator's clock speed, simulated seconds per real second. When given,
   * the poll interval (and so readiness) is counted in simulated seconds: the loop polls every
   * `pollIntervalSeconds / demoSpeed` real seconds, keeping a long soak's cadence in simulated time.
   */
  demoSpeed?: number;
  /** Client settings beyond the configuration (tests shorten the retry backoff). */
  client?: Partial<ClientOptions>;
  /**
   * More observers, called after the built-in ones (metrics, the report), in order. Given the
   * registry, so they can register their own families on it.
   */
  observers?: (registry: Registry) => readonly PollObserver[];
  /** The host name `NIGHTOWL_SHARD=auto/n` reads its ordinal from; default the machine's. */
  hostname?: string;
}

/**
 * Starts the server and the loop. The server comes first so the port is checked before the
 * first poll, and `/healthz` answers while the first poll is under way.
 */
export async function startMonitor(config: Config, log: Logger, options: MonitorOptions = {}): Promise<Monitor> {
  // Real milliseconds between polls: the interval is simulated time when the demo clock is sped up.
  const timeScale = options.demo === true && options.demoSpeed !== undefined ? options.demoSpeed : 1;
  const intervalMs = (config.pollIntervalSeconds * 1000) / timeScale;
  const shard = config.shard === undefined ? undefined : parseShard(config.shard, options.hostname ?? hostname());
  // One bound on calls per portal for the whole process: polls, the warm-up and every account
  // on it; a portal that hangs holds only its own slots.
  const gates = new Map<string, RequestGate>();
  const gateFor = (baseUrl: string) => {
    const origin = new URL(baseUrl).origin;
    let gate = gates.get(origin);
    if (!gate) gates.set(origin, (gate = new RequestGate(config.portalConcurrency)));
    return gate;
  };
  const registry = createRegistry();
  if (config.accountsFile !== undefined && options.demo === true) throw new NightowlError("E_USAGE", "--demo watches the simulator's account; NIGHTOWL_ACCOUNTS_FILE goes without it");
  const portal =
    config.accountsFile !== undefined
      ? openAccounts(config, parseAccountsFile(readAccountsFile(config.accountsFile), config.accountsFile), config.accountsFile, log, {
          registry,
          // A hung account counts as failed after one interval, so the others' poll goes on.
          deadlineMs: intervalMs,
          concurrency: config.portalConcurrency,
          readFile: (path) => readFileSync(path, "utf8"),
          client: (baseUrl) => ({ gate: gateFor(baseUrl), ...options.client }),
        })
      : await openPortal(config, log, options.demo === true ? { speed: options.demoSpeed } : false, { gate: gateFor(config.baseUrl), ...options.client });
  // Every shard reads the whole device list and keeps its own: no coordination between shards.
  const ownDevices = shard ? shardFilter(shard) : undefined;
  const poll = ownDevices ? async (signal: AbortSignal) => ownDevices(await portal.poll(signal)) : portal.poll;
  registerBuildInfo(registry);
  // One pipeline per device (buffer, physics, rules), fed by the warm-up and the polls; the
  // analytics families and live scoring consume it, each feeding it the poll it is given
  // (a no-op when fed already), so their order in the observer list does not matter.
  const pipelines = new DevicePipelines({ timeZone: config.timezone, powerFactor: config.powerFactor });
  const { value: analytics, names: analyticsFamilies } = familiesRegisteredBy(registry, () =>
    registerAnalyticsMetrics(registry, { timeZone: config.timezone, powerFactor: config.powerFactor, pipelines, log }),
  );
  const exposition = createPrerenderedExposition(registry, log, { exclude: familyExcluder(registry, config.metricsExclude ?? [], analyticsFamilies) });
  // The owner's events, read again whenever `nightowl events` (or an editor) changes the file.
  const events = createEventsWatch({ path: join(config.stateDir, "events.json"), log, registry });
  const scorer = config.mlEnabled
    ? createLiveScorer({
        metrics: registerMlMetrics(registry),
        log,
        modelsDir: config.mlModelsDir,
        modelPath: config.mlModelPath,
        fallbackModel: config.mlEmbeddedModel ? undefined : null,
        inferenceInterval: config.mlInferenceInterval,
        timeZone: config.timezone,
        pipelines,
        registry,
        eventAt: events.at,
      })
    : undefined;
  const historySources: RecentHistorySource[] = [{ name: "the portal", read: (device, startMs, endMs) => fetchDeviceHistory(portal.clientFor?.(device) ?? portal.client, device, { keys: config.timeseriesKeys, startMs, endMs }) }];
  if (config.mlPrometheusUrl) historySources.push(prometheusHistorySource(config.mlPrometheusUrl));
  // Before the observers it fills: they must hold a device's history before its first reading.
  const warmUp =
    config.warmupHours > 0
      ? createWarmUp({
          sources: historySources,
          targets: [pipelines],
          spanMs: config.warmupHours * 3_600_000,
          log,
          // The gate bounds the calls; as many devices at once as it lets through.
          concurrency: config.portalConcurrency,
        })
      : undefined;
  // After analytics and scoring: it reads what they made of this poll.
  const status = createLiveStatusSource({ analytics, scorer, events });
  const targets = (config.notifyUrls ?? []).map(parseTarget);
  const notifier = createNotifier({ targets, source: status, metrics: registerNotifyMetrics(registry), log, publicUrl: config.publicUrl });
  if (targets.length) log.info(`Notifications of leak and pump episodes go to ${targets.map((t) => `${t.display} (${t.format})`).join(", ")}`);
  const auth = registerPortalAuthWatch(registry);
  const observers: PollObserver[] = [
    registerPollMetrics(registry),
    auth,
    registerTelemetryMetrics(registry),
    ...(warmUp ? [warmUp] : []),
    pipelines,
    analytics,
    events,
    // The devices polled, for `events add` to check ids against (only into an existing state folder).
    knownDevicesRecorder({ path: join(config.stateDir, "devices.json"), log }),
    ...(scorer ? [scorer] : []),
    status,
    deviceLinesObserver(config, log, status, options.verbose === true),
    // Only queues messages: a slow or dead target never holds the poll.
    notifier,
    // Live leak scoring and analytics register their families on `registry` and add their
    // observers here; `config.mlEnabled` says whether scoring is wanted.
    ...(options.observers?.(registry) ?? []),
    // Last: every family of this poll is written; render the page scrapes get (they are served
    // the previous one meanwhile), so the next poll starts with this one's page in place.
    { observe: () => exposition.refresh() },
  ];
  let loop: PollLoop | undefined;
  let server: MetricsServer;
  try {
    server = startMetricsServer({
      host: config.metricsHost,
      port: config.metricsPort,
      registry,
      readiness: () => {
        const refused = auth.refusal();
        return refused ? { ready: false, reason: refused } : pollReadiness(loop?.lastSuccessAt, intervalMs, Date.now());
      },
      exposition,
      pages: statusRoutes({ source: status, timeZone: config.timezone, refreshSeconds: Math.max(10, intervalMs / 1000) }),
      auth: { bearerToken: config.metricsAuthBearerToken, username: config.metricsAuthUsername, password: config.metricsAuthPassword },
      log,
    });
  } catch (error) {
    await portal.close();
    throw error;
  }
  const every = timeScale === 1 ? `${config.pollIntervalSeconds} s` : `${config.pollIntervalSeconds} simulated s (${formatSeconds(intervalMs / 1000)} s real)`;
  const which = shard ? ` (shard ${shard.index}/${shard.count}: its devices only)` : "";
  // The bound address, then a URL that reaches it from this machine (0.0.0.0 is every interface, not an address to open).
  const bound = `${config.metricsHost.includes(":") ? `[${config.metricsHost}]` : config.metricsHost}:${server.port}`;
  const reach = ["0.0.0.0", "::", "[::]", ""].includes(config.metricsHost) ? "every interface" : "this address only";
  log.info(`Serving metrics on ${server.url} (bound to ${bound}: ${reach}; also /healthz, /readyz); polling ${portal.baseUrl} every ${every}${which}`);
  try {
    await checkFirstLogin(portal, log);
  } catch (error) {
    await Promise.all([server.stop(), portal.close()]);
    throw error;
  }
  // A poll still in flight gets 1 s to finish, leaving room in the 2 s stop for the rest.
  loop = startPollLoop({ poll, intervalMs, observers, log, stopGraceMs: 1000 });
  const started = loop;
  return {
    registry,
    exposition,
    server,
    loop: started,
    portal,
    scorer,
    status,
    async stop() {
      await started.stop();
      notifier.stop();
      await Promise.all([server.stop(), portal.close()]);
    },
  };
}


function formatSeconds(seconds: number): string {
  return seconds >= 10 ? seconds.toFixed(0) : seconds >= 0.1 ? seconds.toFixed(2) : seconds.toPrecision(2);
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

/** The accounts file's text; one line naming it when it cannot be read or is too big. */
function readAccountsFile(path: string): string {
  try {
    const size = statSync(path).size;
    if (size > MAX_ACCOUNTS_FILE_BYTES) throw new NightowlError("E_CONFIG", `NIGHTOWL_ACCOUNTS_FILE=${JSON.stringify(path)} is ${size} bytes, more than ${MAX_ACCOUNTS_FILE_BYTES}`);
    return readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof NightowlError) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new NightowlError("E_CONFIG", `NIGHTOWL_ACCOUNTS_FILE=${JSON.stringify(path)} cannot be read (${reason}): expected a JSON list of accounts`, { cause: error });
  }
}
