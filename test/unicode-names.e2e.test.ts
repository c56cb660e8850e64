/**
 * User labels in any script are folder names: `train` writes `models/users/müller/` and
 * `models/users/農場/`, `score` finds the model there again (whichever Unicode form the label
 * arrives in), and a label that is not one path segment is still refused with one line.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeHistoryCsv } from "../src/nightowl/history-csv.ts";
import { simulateHistory } from "../src/sim/history.ts";
import { emptyDir, runCli } from "./cli-process.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 4, 4);
const dir = emptyDir("unicode-names");
const models = join(dir, "models");
let plain = "";

beforeAll(async () => {
  plain = join(dir, "plain.csv");
  await writeHistoryCsv(plain, [simulateHistory({ seed: 3, device: 0, startMs: T0, endMs: T0 + 2 * DAY })]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The plain history with every row's user_label set to `label` (a CSV cell, quoted if needed). */
function withLabel(name: string, label: string): string {
  const cell = /[",\n]/.test(label) ? `"${label.replace(/"/g, '""')}"` : label;
  const text = readFileSync(plain, "utf8").replace(/^([^,\n]*,[^,\n]*,)[^,\n]*/gm, (m, head: string) => (head.startsWith("timestamp") ? m : `${head}${cell}`));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

test("train writes a model under a label in any script, NFC-normalised, and score finds it", async () => {
  for (const [label, folder] of [["müller", "müller"], ["農場", "農場"], ["mu\u0308ller", "müller"]] as const) {
    const csv = withLabel(`${folder}.csv`, label);
    const trained = await runCli(["train", "--from-file", csv, "--models-dir", models, "--n-estimators", "5", "--quiet", "--log-level", "error"]);
    expect(trained.stderr).toBe("");
    expect(trained.code).toBe(0);
    expect(existsSync(join(models, "users", folder, "leak_detector.json"))).toBe(true);
    const scored = await runCli(["score", "--from-file", csv, "--models-dir", models, "--log-level", "info"]);
    expect(scored.code).toBe(0);
    expect(scored.stderr).toContain(`scoring with ${join(models, "users", folder, "leak_detector.json")} source=user`);
  }
}, 120_000);

test("labels that are not one path segment are still refused with one line", async () => {
  for (const label of ["Müller Farm", "../農場", "evil\u202egpj"]) {
    const csv = withLabel("bad.csv", label);
    const r = await runCli(["train", "--from-file", csv, "--models-dir", models, "--n-estimators", "5"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("cannot be a file or folder name (expected up to 128 bytes of letters or digits of any script");
  }
}, 60_000);
