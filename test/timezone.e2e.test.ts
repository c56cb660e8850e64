/**
 * Which zone nights and days are counted in, through the real program: the machine's (TZ here,
 * as cron and systemd pass it) unless set, the simulated sites' own zone for the demo, and the
 * zone named wherever a line speaks of night.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { writeHistoryCsv } from "../src/nightowl/history-csv.ts";
import { simulateHistory } from "../src/sim/history.ts";
import { deviceSpec } from "../src/sim/site.ts";
import { emptyDir, runCli, startCli } from "./cli-process.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 5);
const dir = emptyDir("timezone");
const csv = join(dir, "leak.csv");

beforeAll(async () => {
  // A 0.5 gal/min leak from the third day: the night-flow rule fires and its message names the zone.
  const spec = deviceSpec(42, 0, 0);
  await writeHistoryCsv(csv, [simulateHistory({ seed: 42, device: 0, startMs: T0, endMs: T0 + 5 * DAY, scenarios: [{ deviceId: spec.id, kind: "leak", startMs: T0 + 2 * DAY, size: 0.5 }] })]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface ReportJson {
  devices: { timeZone: string; summary: string[]; triggers: { rule: string; message: string }[] }[];
}

async function reportJson(args: string[], env: Record<string, string>): Promise<ReportJson> {
  const { code, stdout, stderr } = await runCli(["report", ...args, "--format", "json", "--output", "-", "--log-level", "error"], env);
  expect(stderr).toBe("");
  expect(code).toBe(0);
  return JSON.parse(stdout) as ReportJson;
}

test("unset, the zone is the machine's (TZ), and every night rule names it", async () => {
  const { devices } = await reportJson(["--from-file", csv], { TZ: "America/Chicago" });
  expect(devices[0]!.timeZone).toBe("America/Chicago");
  const night = devices[0]!.triggers.filter((t) => t.rule === "night_flow");
  expect(night.length).toBeGreaterThan(0);
  for (const t of night) expect(t.message).toContain("between 02:00 and 04:00 America/Chicago");
});

test("--timezone wins over the machine's zone", async () => {
  const { devices } = await reportJson(["--from-file", csv, "--timezone", "Etc/GMT+7"], { TZ: "Asia/Tokyo" });
  expect(devices[0]!.timeZone).toBe("Etc/GMT+7");
});

test("the demo counts in its sites' zone, Bozeman's America/Denver, whatever the machine's", async () => {
  const { devices } = await reportJson(["--from-nightowl", "--demo", "--days", "2"], { TZ: "Asia/Tokyo" });
  expect(devices.length).toBe(3);
  for (const d of devices) expect(d.timeZone).toBe("America/Denver");
});

test("run says which zone it counts nights in, and where that came from", async () => {
  const machine = startCli(["run", "--metrics-port", "0", "--base-url", "http://127.0.0.1:9", "--username", "u", "--warmup-hours", "0"], { TZ: "Europe/Paris", NIGHTOWL_PASSWORD: "p" });
  const demo = startCli(["run", "--demo", "--metrics-port", "0"], { TZ: "Europe/Paris" });
  try {
    await machine.waitFor(/Nights and days are counted in Europe\/Paris \(this machine's zone, from TZ\)/);
    await demo.waitFor(/Nights and days are counted in America\/Denver\b/);
  } finally {
    machine.kill();
    demo.kill();
  }
});
