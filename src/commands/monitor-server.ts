/**
 * The HTTP side of `run`: the metrics server with its readiness rule, status pages and
 * access control, and the one start-up line that says where it listens and what it polls.
 */
import type { Registry } from "prom-client";
import type { Config } from "../config.ts";
import { settingSource } from "../load-config.ts";
import type { Logger } from "../log.ts";
import type { PrerenderedExposition } from "../metrics/exposition.ts";
import type { PortalAuthWatch } from "../metrics/portal-auth.ts";
import { startMetricsServer, type MetricsServer } from "../metrics/server.ts";
import { pollReadiness, type PollLoop } from "../poll-loop.ts";
import type { Shard } from "../shard.ts";
import type { LiveStatusSource } from "../status/live-source.ts";
import { statusRoutes } from "../status/routes.ts";
import { withFlagNames } from "./flag-names.ts";

export interface MonitorServerOptions {
  config: Config;
  registry: Registry;
  exposition: PrerenderedExposition;
  status: LiveStatusSource;
  /** Says whether the portal refused the password: then not ready, whatever the polls did. */
  auth: PortalAuthWatch;
  /** The poll loop, once started (the server starts before it, to check the port first). */
  loop: () => PollLoop | undefined;
  /** Real milliseconds between polls. */
  intervalMs: number;
  log: Logger;
}

/**
 * Starts the server: `/metrics` and `/`, `/healthz`, `/readyz` (ready while the portal accepts
 * the password and the last successful poll is at most two intervals old) and the status pages.
 */
export function startMonitorServer(options: MonitorServerOptions): MetricsServer {
  try {
    return startServer(options);
  } catch (error) {
    // "choose another --metrics-port" when the port came from the flag, the variable otherwise.
    throw withFlagNames(error, { host: settingSource(options.config, "metricsHost"), port: settingSource(options.config, "metricsPort") });
  }
}

function startServer(options: MonitorServerOptions): MetricsServer {
  const { config, intervalMs } = options;
  return startMetricsServer({
    host: config.metricsHost,
    port: config.metricsPort,
    registry: options.registry,
    readiness: () => {
      const refused = options.auth.refusal();
      return refused ? { ready: false, reason: refused } : pollReadiness(options.loop()?.lastSuccessAt, intervalMs, Date.now());
    },
    exposition: options.exposition,
    pages: statusRoutes({ source: options.status, timeZone: config.timezone, refreshSeconds: Math.max(10, intervalMs / 1000) }),
    auth: { bearerToken: config.metricsAuthBearerToken, username: config.metricsAuthUsername, password: config.metricsAuthPassword },
    log: options.log,
  });
}

/**
 * The start-up line: the bound address, a URL that reaches it from this machine, the status
 * page's URL (the owner's view, at `/`: the one address most owners need), the portal and the
 * interval (in simulated seconds when the demo clock is sped up by `timeScale`).
 */
export function servingLine(config: Config, server: MetricsServer, portalUrl: string, intervalMs: number, timeScale: number, shard: Shard | undefined): string {
  const every = timeScale === 1 ? `${config.pollIntervalSeconds} s` : `${config.pollIntervalSeconds} simulated s (${formatSeconds(intervalMs / 1000)} s real)`;
  const which = shard ? ` (shard ${shard.index}/${shard.count}: its devices only)` : "";
  // 0.0.0.0 is every interface, not an address to open.
  const bound = `${config.metricsHost.includes(":") ? `[${config.metricsHost}]` : config.metricsHost}:${server.port}`;
  const reach = ["0.0.0.0", "::", "[::]", ""].includes(config.metricsHost) ? "every interface" : "this address only";
  const page = new URL("/", server.url).href;
  return `Serving metrics on ${server.url} (bound to ${bound}: ${reach}; status page for a browser at ${page}; also /healthz, /readyz); polling ${portalUrl} every ${every}${which}`;
}

function formatSeconds(seconds: number): string {
  return seconds >= 10 ? seconds.toFixed(0) : seconds >= 0.1 ? seconds.toFixed(2) : seconds.toPrecision(2);
}
