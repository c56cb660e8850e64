/**
 * Every command that tells times of day counts them in the same zone, by one rule: --timezone,
 * else NIGHTOWL_TIMEZONE, else with --demo the demo sites' zone, else the machine's (TZ here) —
 * never the leak model's. Each row is one way of choosing; every command must answer the same,
 * through the real program, so the same history gets the same nights from score, report and run.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { parseEventTime } from "../src/events/event-time.ts";
import { writeHistoryCsv } from "../src/nightowl/history-csv.ts";
import { simulateHistory } from "../src/sim/history.ts";
import { emptyDir, runCli, startCli } from "./cli-process.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 5);
const dir = emptyDir("timezone-commands");
const csv = join(dir, "history.csv");
// The shipped model, trained in UTC−7 (Etc/GMT+7): a model's zone must not become the sites'.
const SHIPPED = join(import.meta.dir, "..", "models", "global", "leak_detector.json");

beforeAll(async () => {
  await writeHistoryCsv(csv, [simulateHistory({ seed: 42, device: 0, startMs: T0, endMs: T0 + 2 * DAY })]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Case {
  env: Record<string, string>;
  /** Flags every command gets. */
  flags: string[];
  demo: boolean;
}

/** What a command run under `c` says its zone is (the name it tells nights in). */
type ZoneOf = (c: Case, n: number) => Promise<string>;

async function ok(args: string[], env: Record<string, string>): Promise<string> {
  const r = await runCli([...args, "--log-level", "error"], env);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r.stdout;
}

const source = (c: Case) => (c.demo ? ["--from-nightowl", "--demo", "--days", "2"] : ["--from-file", csv]);

const COMMANDS: Record<string, ZoneOf> = {
  score: async (c) => {
    const out = await ok(["score", ...source(c), "--model-path", SHIPPED, ...c.flags], c.env);
    return /^Nights, weekdays and the times below in (\S+)$/m.exec(out)![1]!;
  },
  report: async (c) => {
    const out = await ok(["report", ...source(c), "--model-path", SHIPPED, "--format", "json", "--output", "-", ...c.flags], c.env);
    const zones = new Set((JSON.parse(out) as { devices: { timeZone: string }[] }).devices.map((d) => d.timeZone));
    expect(zones.size).toBe(1);
    return [...zones][0]!;
  },
  train: async (c, n) => {
    const out = await ok(["train", ...source(c), "--model-path", join(dir, `model-${n}.json`), "--n-estimators", "5", ...c.flags], c.env);
    return /time zone: +(\S+)/.exec(out)![1]!;
  },
  run: async (c) => {
    const args = c.demo ? ["run", "--demo"] : ["run", "--base-url", "http://127.0.0.1:9", "--username", "u", "--warmup-hours", "0"];
    const run = startCli([...args, "--metrics-port", "0", ...c.flags], { NIGHTOWL_PASSWORD: "p", ...c.env });
    try {
      return (await run.waitFor(/Nights and days are counted in (\S+)/))[1]!;
    } finally {
      run.kill();
    }
  },
  // events has no --demo (it reads no portal): it is checked on the rows without it. The zone is
  // the one a wall time typed for --start is read in.
  events: async (c, n) => {
    const state = ["--state-dir", join(dir, `state-${n}`)];
    await ok(["events", "add", "--device-id", "d", "--kind", "expected", "--start", "2026-01-05 08:00", "--end", "2026-01-05 09:00", "--any-device", ...state, ...c.flags], c.env);
    const [event] = JSON.parse(await ok(["events", "list", "--json", ...state], {})) as { start: string }[];
    const zones = ["Europe/Berlin", "America/Chicago", "Asia/Tokyo", "America/Denver", "Etc/GMT+7", "UTC"];
    return zones.find((z) => parseEventTime("2026-01-05 08:00", z, "--start") === Date.parse(event!.start)) ?? event!.start;
  },
};

const MACHINE = { TZ: "Europe/Berlin" };
const CASES: [name: string, c: Case, zone: string][] = [
  ["nothing named: the machine's zone (not the model's)", { env: MACHINE, flags: [], demo: false }, "Europe/Berlin"],
  ["NIGHTOWL_TIMEZONE over the machine's", { env: { ...MACHINE, NIGHTOWL_TIMEZONE: "America/Chicago" }, flags: [], demo: false }, "America/Chicago"],
  ["--timezone over NIGHTOWL_TIMEZONE", { env: { ...MACHINE, NIGHTOWL_TIMEZONE: "America/Chicago" }, flags: ["--timezone", "Asia/Tokyo"], demo: false }, "Asia/Tokyo"],
  ["--demo: its sites' zone over the machine's", { env: MACHINE, flags: [], demo: true }, "America/Denver"],
  ["--demo with NIGHTOWL_TIMEZONE: the variable", { env: { ...MACHINE, NIGHTOWL_TIMEZONE: "America/Chicago" }, flags: [], demo: true }, "America/Chicago"],
];

let n = 0;
test.each(CASES)("%s, in every command", async (_name, c, zone) => {
  const names = Object.keys(COMMANDS).filter((name) => !(c.demo && name === "events"));
  const told = await Promise.all(names.map((name) => COMMANDS[name]!(c, n++)));
  expect(Object.fromEntries(names.map((name, i) => [name, told[i]]))).toEqual(Object.fromEntries(names.map((name) => [name, zone])));
});
