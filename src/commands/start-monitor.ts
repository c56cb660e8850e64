/**
 * The stages of `run`, wired in order: the portal (one account or many, a shard of it), one
 * pipeline per device fed by the warm-up and the polls, the analytics and ML families that
 * consume it, the status source and notifications, and the page scrapes get.
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { Registry } from "prom-client";
import { parseAccountsFile, readAccountsFile } from "../accounts-file.ts";
import type { Config } from "../config.ts";
import { givenSetting } from "../load-config.ts";
import { zonedStamp } from "../analytics/local-time.ts";
import { NightowlError } from "../errors.ts";
import { createEventsWatch } from "../events/events-watch.ts";
import { knownDevicesRecorder } from "../events/known-devices.ts";
import { fetchDeviceHistory } from "../history/device-history.ts";
import { prometheusHistorySource } from "../history/prometheus-source.ts";
import type { RecentHistorySource } from "../history/recent-source.ts";
import type { Logger } from "../log.ts";
import { registerAnalyticsMetrics } from "../metrics/analytics.ts";
import { registerBuildInfo } from "../metrics/build-info.ts";
import { registerEventsMetrics } from "../metrics/events.ts";
import { familiesRegisteredBy, familyExcluder } from "../metrics/exclude.ts";
import { createPrerenderedExposition, type PrerenderedExposition } from "../metrics/exposition.ts";
import { createLiveScorer, type LiveScorer } from "../metrics/live-scorer.ts";
import { registerMlMetrics } from "../metrics/ml.ts";
import { registerNotifyMetrics } from "../metrics/notify.ts";
import { registerPollMetrics } from "../metrics/poll.ts";
import { registerPortalAuthWatch } from "../metrics/portal-auth.ts";
import { createRegistry } from "../metrics/registry.ts";
import type { MetricsServer } from "../metrics/server.ts";
import { registerTelemetryMetrics } from "../metrics/telemetry.ts";
import { DevicePipelines } from "../monitor/device-pipeline.ts";
import type { ClientOptions } from "../nightowl/client.ts";
import type { PollObserver } from "../nightowl/poll-result.ts";
import { RequestGate } from "../nightowl/request-gate.ts";
import { createNotifier } from "../notify/notifier.ts";
import { parseTarget } from "../notify/target.ts";
import { startPollLoop, type PollLoop } from "../poll-loop.ts";
import { boundGarbage } from "../bound-garbage.ts";
import { parseShard, shardFilter } from "../shard.ts";
import { createLiveStatusSource, type LiveStatusSource } from "../status/live-source.ts";
import { createWarmUp } from "../warm-up.ts";
import { slicer } from "../yield-to-server.ts";
import { openAccounts } from "./accounts.ts";
import { deviceLinesObserver } from "./device-lines.ts";
import { servingLine, startMonitorServer } from "./monitor-server.ts";
import { checkFirstLogin, openPortal, type Portal } from "./portal.ts";

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
  /**
   * Called once the portal took the first login, before the start-up lines: `run` logs the
   * sites' zone here, so a refused password is the only line it prints.
   */
  onLoggedIn?: () => void;
}

/**
 * Starts the server and the loop. The server comes first so the port is checked before the
 * first poll, and `/healthz` answers while the first poll is under way.
 */
export async function startMonitor(config: Config, log: Logger, options: MonitorOptions = {}): Promise<Monitor> {
  // Real milliseconds between polls: the interval is simulated time when the demo clock is sped up.
  const timeScale = options.demo === true && options.demoSpeed !== undefined ? options.demoSpeed : 1;
  const intervalMs = (config.pollIntervalSeconds * 1000) / timeScale;
  const shard = config.shard === undefined ? undefined : parseShard(config.shard, options.hostname ?? hostname(), givenSetting(config, "shard", JSON.stringify(config.shard)));
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
      ? openAccounts(config, parseAccountsFile(readAccountsFile(config.accountsFile, givenSetting(config, "accountsFile", JSON.stringify(config.accountsFile))), config.accountsFile), config.accountsFile, log, {
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
  // The owner's events, read after the login and again whenever `nightowl events` (or an editor) changes the file.
  const events = createEventsWatch({ path: join(config.stateDir, "events.json"), log, metrics: registerEventsMetrics(registry), at: zonedStamp(config.timezone) });
  // One pipeline per device (buffer, physics, rules), fed by the warm-up and the polls; the
  // analytics families and live scoring consume it, each feeding it the poll it is given
  // (a no-op when fed already), so their order in the observer list does not matter.
  const pipelines = new DevicePipelines({ timeZone: config.timezone, powerFactor: config.powerFactor });
  const { value: analytics, names: analyticsFamilies } = familiesRegisteredBy(registry, () =>
    registerAnalyticsMetrics(registry, { timeZone: config.timezone, powerFactor: config.powerFactor, pipelines, log, events }),
  );
  const exposition = createPrerenderedExposition(registry, log, { exclude: familyExcluder(registry, config.metricsExclude ?? [], analyticsFamilies) });
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
        eventAt: events.forVerdict,
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
  const notifier = createNotifier({ targets, source: status, metrics: registerNotifyMetrics(registry), log, publicUrl: config.publicUrl, timeZone: config.timezone });
  const auth = registerPortalAuthWatch(registry);
  const observers: PollObserver[] = [
    registerPollMetrics(registry),
    auth,
    // Refilled in slices: the page is rendered only after the last observer.
    registerTelemetryMetrics(registry, { pause: slicer() }),
    ...(warmUp ? [warmUp] : []),
    // Before the analytics and scoring that apply it: one poll sees one version of the file.
    events,
    pipelines,
    analytics,
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
    // After the page: the poll's objects are garbage now, and a full collection sweeps them
    // before the next poll adds its own (see bound-garbage.ts).
    { observe: () => void boundGarbage() },
  ];
  let loop: PollLoop | undefined;
  let server: MetricsServer;
  try {
    server = startMonitorServer({ config, registry, exposition, status, auth, loop: () => loop, intervalMs, log });
  } catch (error) {
    await portal.close();
    throw error;
  }
  try {
    await checkFirstLogin(portal, log);
  } catch (error) {
    await Promise.all([server.stop(), portal.close()]);
    throw error;
  }
  // After the login: a refused password stops the start with its one line and no other.
  options.onLoggedIn?.();
  // Read here rather than when made (its line, or a bad file's warning, would come first), and
  // before the loop, so the first poll's verdicts have the events in force.
  events.refresh();
  log.info(servingLine(config, server, portal.baseUrl, intervalMs, timeScale, shard));
  if (targets.length) log.info(`Notifications of leak and pump episodes go to ${targets.map((t) => `${t.display} (${t.format})`).join(", ")}`);
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

