/** Shared by the fetch-history end-to-end tests: a simulator, a run, and the files it wrote. */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fetchHistory, type FetchHistoryOptions, type FetchHistoryResult } from "../src/history/fetch-run.ts";
import { portalSource } from "../src/history/portal-source.ts";
import { NightowlClient } from "../src/nightowl/client.ts";
import { DEFAULT_ATTRIBUTE_KEYS } from "../src/nightowl/keys.ts";
import type { Simulator } from "../src/sim/server.ts";

export const DAY_MS = 86_400_000;
/** The simulated "now" at start: fixed, so names and contents are the same on every run. */
export const SIM_START = Date.parse("2024-06-10T06:00:00Z");
export const UNTIL = Date.parse("2024-06-10T00:00:00Z");
export const KEYS = ["S1", "P1C1", "Pulse_TotalGallons"];

export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `nightowl-${name}-`));
}

/** One fetch of the simulator's first account, over real HTTP. */
export function runFetch(sim: Simulator, outputDir: string, extra: Partial<FetchHistoryOptions> = {}): Promise<FetchHistoryResult> {
  const account = sim.accounts[0]!;
  const client = new NightowlClient({ baseUrl: sim.url, username: account.username, password: account.password, retries: 6, retryBaseMs: 5 });
  return fetchHistory({
    source: portalSource(client, { attributeKeys: DEFAULT_ATTRIBUTE_KEYS, pageSize: 1 }),
    baseUrl: sim.url,
    username: account.username,
    keys: KEYS,
    since: String(UNTIL - 2 * DAY_MS),
    until: String(UNTIL),
    windowMs: DAY_MS / 2,
    limit: 1000,
    concurrency: 3,
    outputDir,
    formats: ["csv", "openmetrics", "ndjson"],
    ...extra,
  });
}

/** Every file of a directory (not the work folder) by name, as text. */
export function filesOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith(".")) continue;
    out[name] = readFileSync(join(dir, name), "utf8");
  }
  return out;
}
