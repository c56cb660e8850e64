/** Shared by the client's tests: one simulator per file, a client for its account, request counts, a recording logger. */
import { afterAll, beforeAll } from "bun:test";
import type { Logger } from "../log.ts";
import { startSimulator, type Simulator } from "../sim/server.ts";
import { NightowlClient, type ClientOptions } from "./client.ts";
import { DEFAULT_ATTRIBUTE_KEYS, DEFAULT_TIMESERIES_KEYS } from "./keys.ts";

/** A logger that keeps every line, to check what was said and that no secret was. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message}${fields ? " " + JSON.stringify(fields) : ""}`);
  };
  return { lines, error: keep("error"), warn: keep("warn"), info: keep("info"), debug: keep("debug") };
}

export const QUERY = { timeseriesKeys: DEFAULT_TIMESERIES_KEYS, attributeKeys: DEFAULT_ATTRIBUTE_KEYS, pageSize: 5 };

export function clientFor(sim: Simulator, extra: Partial<ClientOptions> = {}): NightowlClient {
  const account = sim.accounts[0]!;
  return new NightowlClient({ baseUrl: sim.url, username: account.username, password: account.password, retryBaseMs: 5, ...extra });
}

/** Requests per endpoint since the simulator started. */
export function counts(sim: Simulator) {
  return {
    login: sim.requestCount("/api/auth/login"),
    refresh: sim.requestCount("/api/auth/token"),
    query: sim.requestCount("/api/entitiesQuery/find"),
  };
}

/** A simulator started before the file's tests and stopped after them; tests read `.sim`. */
export function simulatorPerFile(options: Parameters<typeof startSimulator>[0]): { readonly sim: Simulator } {
  const shared = {} as { sim: Simulator };
  beforeAll(async () => {
    shared.sim = await startSimulator(options);
  });
  afterAll(async () => {
    await shared.sim?.stop();
  });
  return shared;
}

/** Runs `body` against a simulator of its own, stopped afterwards whatever happens. */
export async function withSimulator(options: Parameters<typeof startSimulator>[0], body: (sim: Simulator) => Promise<void>): Promise<void> {
  const sim = await startSimulator(options);
  try {
    await body(sim);
  } finally {
    await sim.stop();
  }
}
