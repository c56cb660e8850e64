import { afterAll, expect, test } from "bun:test";
import { loadConfig } from "../load-config.ts";
import { silentLogger } from "../log.ts";
import { createRegistry } from "../metrics/registry.ts";
import type { MetricsServer } from "../metrics/server.ts";
import { servingLine, startMonitorServer, type MonitorServerOptions } from "./monitor-server.ts";

// A port someone else holds.
const taken = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
afterAll(() => taken.stop(true));

/** The server's options around `config`: nothing but the bind is reached when the port is taken. */
function options(config: MonitorServerOptions["config"]): MonitorServerOptions {
  return { config, registry: createRegistry(), auth: { refusal: () => undefined }, loop: () => undefined, intervalMs: 60_000, log: silentLogger } as unknown as MonitorServerOptions;
}

test.each([
  ["the flag", { flags: { metricsHost: "127.0.0.1", metricsPort: String(taken.port) } }, "--metrics-port"],
  ["the variable", { env: { NIGHTOWL_METRICS_HOST: "127.0.0.1", NIGHTOWL_METRICS_PORT: String(taken.port) } }, "NIGHTOWL_METRICS_PORT"],
  ["the .env file", { dotenv: `NIGHTOWL_METRICS_HOST=127.0.0.1\nNIGHTOWL_METRICS_PORT=${taken.port}\n` }, "NIGHTOWL_METRICS_PORT (from .env)"],
])("a port in use given by %s: the message names where to change it", (_name, sources, named) => {
  const config = loadConfig({ env: {}, ...sources });
  expect(() => startMonitorServer(options(config))).toThrow(`metrics server cannot listen on 127.0.0.1:${taken.port} (EADDRINUSE): choose another ${named}`);
});

test("the start-up line names the status page at / beside the metrics and the probes", () => {
  const config = loadConfig({ env: {}, flags: { metricsHost: "0.0.0.0", metricsPort: "8010" } });
  const server = { url: "http://127.0.0.1:8010/metrics", port: 8010 } as MetricsServer;
  expect(servingLine(config, server, "https://portal.example.org", 60_000, 1, undefined)).toBe(
    "Serving metrics on http://127.0.0.1:8010/metrics (bound to 0.0.0.0:8010: every interface; status page for a browser at http://127.0.0.1:8010/; also /healthz, /readyz); polling https://portal.example.org every 60 s",
  );
});
