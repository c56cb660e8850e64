/**
 * Real history files repeat rows (the same device and timestamp twice): `train` and `score`
 * read them, dropping exact copies with one warning and keeping the last of conflicting
 * repeats with one warning that carries the count, whichever device `--device-id` names.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeHistoryCsv } from "../src/nightowl/history-csv.ts";
import { simulateHistory } from "../src/sim/history.ts";
import { runCli } from "./cli-process.ts";

const T0 = Date.UTC(2026, 4, 4);
const HOUR = 3_600_000;
const dir = mkdtempSync(join(tmpdir(), "nightowl-duplicate-rows-"));
const csv = join(dir, "repeats.csv");
const model = join(dir, "model.json");
let devices: string[] = [];
let copies = 0;
let conflicts = 0;

beforeAll(async () => {
  const frames = [0, 1].map((device) => simulateHistory({ seed: 42, device, startMs: T0, endMs: T0 + 30 * HOUR }));
  devices = frames.map((f) => f.deviceId);
  const clean = join(dir, "clean.csv");
  await writeHistoryCsv(clean, frames);
  const [header, ...rows] = readFileSync(clean, "utf8").trimEnd().split("\n");
  // Device 0: every 50th row twice (exact copies), and three rows again with a changed last cell.
  const out = [header!];
  rows.forEach((row, i) => {
    out.push(row);
    if (!row.includes(devices[0]!)) return;
    if (i % 50 === 0) {
      out.push(row);
      copies++;
    }
    if (i % 400 === 7) {
      out.push(row.replace(/,[^,]*$/, ",123"));
      conflicts++;
    }
  });
  expect([copies > 1, conflicts > 1]).toEqual([true, true]);
  writeFileSync(csv, out.join("\n") + "\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function warnings(stderr: string): string[] {
  return stderr.split("\n").filter((l) => /duplicate|repeat/.test(l));
}

test("train and score read a file with repeated rows, even with --device-id naming the other device", async () => {
  const trained = await runCli(["train", "--from-file", csv, "--device-id", devices[1]!, "--model-path", model, "--n-estimators", "10", "--log-level", "warn"]);
  expect(trained.code).toBe(0);
  expect(warnings(trained.stderr)).toEqual([
    expect.stringContaining(`dropped ${copies} exact duplicate row(s): the same device, timestamp and values twice in a file`),
    expect.stringMatching(new RegExp(`${conflicts} row\\(s\\) repeat a device's timestamp with other values \\(first at .*repeats\\.csv:\\d+, device .*\\); kept the last row of each timestamp`)),
  ]);

  const scored = await runCli(["score", "--from-file", csv, "--device-id", devices[1]!, "--model-path", model, "--format", "csv", "--log-level", "warn"]);
  expect(scored.code).toBe(0);
  expect(warnings(scored.stderr).length).toBe(2);
  // The other device's verdicts are those of the file without repeats.
  const reference = await runCli(["score", "--from-file", join(dir, "clean.csv"), "--device-id", devices[1]!, "--model-path", model, "--format", "csv", "--log-level", "warn"]);
  expect(reference.stderr).toBe("");
  expect(scored.stdout).toBe(reference.stdout);
  expect(scored.stdout.split("\n").length).toBeGreaterThan(1000);
});
