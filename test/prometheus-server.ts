/** A real Prometheus for end-to-end tests, on loopback, scraping one nightowl every second. */
import { copyFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { Subprocess } from "bun";
import { freePort, untilOk } from "./loopback.ts";

export interface PrometheusServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Stops it and waits for it to exit. */
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** The `prometheus` binary. */
  binary: string;
  /** Working directory: the configuration and the copied rule files go here. */
  dir: string;
  /** `host:port` of the nightowl to scrape at /metrics. */
  target: string;
  /** Rule files to load, copied into `dir`; evaluated every second. */
  ruleFiles: readonly string[];
  /** The TSDB directory (default `dir/tsdb`), e.g. one with backfilled blocks. */
  storage?: string;
  /** More command-line flags. */
  extraArgs?: readonly string[];
}

/** Starts Prometheus and resolves once it is ready (20 s at most). */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const { dir } = options;
  for (const f of options.ruleFiles) copyFileSync(f, join(dir, basename(f)));
  const config = join(dir, "prometheus.yml");
  writeFileSync(
    config,
    [
      "global:",
      "  scrape_interval: 1s",
      "  evaluation_interval: 1s",
      "rule_files:",
      ...options.ruleFiles.map((f) => `  - ${basename(f)}`),
      "scrape_configs:",
      "  - job_name: nightowl",
      "    metrics_path: /metrics",
      "    static_configs:",
      `      - targets: ["${options.target}"]`,
      "",
    ].join("\n"),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc: Subprocess = Bun.spawn(
    [options.binary, `--config.file=${config}`, `--storage.tsdb.path=${options.storage ?? join(dir, "tsdb")}`, `--web.listen-address=127.0.0.1:${port}`, ...(options.extraArgs ?? [])],
    { cwd: dir, stdout: "ignore", stderr: "ignore" },
  );
  const stop = async () => {
    if (proc.exitCode === null) {
      proc.kill("SIGTERM");
      await proc.exited;
    }
  };
  try {
    await untilOk(`${url}/-/ready`, 20_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}
