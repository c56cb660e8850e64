/**
 * Bad input through the real program: each case is one line on stderr, naming the input, with
 * the exit code of its kind (2 for a bad setting, 1 for bad data). The readers' own tests
 * (src/nightowl/history-csv.test.ts, src/ml/model-file.test.ts, src/config.test.ts) cover every
 * message; these check that the messages reach the user whole and alone.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeHistoryCsv } from "../src/nightowl/history-csv.ts";
import { simulateHistory } from "../src/sim/history.ts";
import { runCli } from "./cli-process.ts";

const MODEL = join(import.meta.dir, "..", "models", "global", "leak_detector.json");
const T0 = Date.UTC(2026, 4, 4);
const HEAD = "timestamp,datetime,user_label,device_id,device_name,customer,site";
const dir = mkdtempSync(join(tmpdir(), "nightowl-bad-input-"));
const goodCsv = join(dir, "good.csv");

beforeAll(async () => {
  await writeHistoryCsv(goodCsv, [simulateHistory({ seed: 42, device: 0, startMs: T0, endMs: T0 + 3 * 3_600_000 })]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Runs the program; expects exit `code` and exactly one stderr line, `nightowl: ` + `message`. */
async function expectOneLine(args: string[], code: number, message: string, env: Record<string, string> = {}): Promise<void> {
  const r = await runCli([...args, "--log-level", "error"], env);
  expect({ code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({ code, stderr: `nightowl: ${message}\n`, stdout: "" });
}

test.each([
  ["too few cells", `${HEAD},S1\n${T0},,u,A,n,,\n`, ":2: 7 cells where the header has 8"],
  ["too many cells", `${HEAD},S1\n${T0},,u,A,n,,,1,2\n`, ":2: 9 cells where the header has 8"],
  ["a non-numeric value", `${HEAD},S1\n${T0},,u,A,n,,,52.x\n`, ':2: column "S1" has "52.x", which is not a number'],
  ["a microsecond timestamp", `${HEAD},S1\n${T0}000,,u,A,n,,,1\n`, `:2: timestamp ${T0}000 is not epoch milliseconds from 2000-01-01 to 2100-01-01`],
  ["a timestamp of 1e21", `${HEAD},S1\n${T0},,u,A,n,,,1\n1e21,,u,A,n,,,1\n`, ":3: timestamp 1e+21 is not epoch milliseconds from 2000-01-01 to 2100-01-01"],
  ["a timestamp of -99999999999999999", `${HEAD},S1\n-99999999999999999,,u,A,n,,,1\n`, ":2: timestamp -100000000000000000 is not epoch milliseconds from 2000-01-01 to 2100-01-01"],
])("score --from-file with %s: exit 1, one line naming file and line", async (_name, text, suffix) => {
  const csv = write(`bad-${_name.replace(/\W+/g, "-")}.csv`, text);
  await expectOneLine(["score", "--from-file", csv, "--model-path", MODEL], 1, `${csv}${suffix}`);
});

test("unsorted rows are sorted with one warning, not refused", async () => {
  const csv = write("unsorted.csv", readFileSync(goodCsv, "utf8").replace(/^([^\n]*\n)([^\n]*\n)([^\n]*\n)/, "$1$3$2"));
  // In the simulated sites' zone, which the shipped model's agrees with: its only warning is the file's.
  const r = await runCli(["score", "--from-file", csv, "--model-path", MODEL, "--format", "csv", "--log-level", "warn"], { NIGHTOWL_TIMEZONE: "America/Denver" });
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(new RegExp(`^\\S+ \\[WARN\\] ${csv.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: rows of device \\S+ are not in time order; sorted them\\n$`));
});

test("score with a broken model file: empty, truncated, another version, a tree pointing outside itself, a pickle", async () => {
  const model = JSON.parse(readFileSync(MODEL, "utf8"));
  const empty = write("empty.json", "");
  await expectOneLine(["score", "--from-file", goodCsv, "--model-path", empty], 1, `model file ${empty} is empty; expected a JSON model written by nightowl train`);
  const truncated = write("truncated.json", JSON.stringify(model).slice(0, 1000));
  const r = await runCli(["score", "--from-file", goodCsv, "--model-path", truncated, "--log-level", "error"]);
  expect(r.code).toBe(1);
  expect(r.stderr).toStartWith(`nightowl: model file ${truncated} is not valid JSON (`);
  expect(r.stderr.split("\n")).toEqual([expect.any(String), ""]);
  const v2 = write("v2.json", JSON.stringify({ ...model, version: 2 }));
  await expectOneLine(["score", "--from-file", goodCsv, "--model-path", v2], 1, `model file ${v2} has version 2; this nightowl reads version 1 — retrain with nightowl train`);
  const tree = model.forest.trees[0];
  const split = tree.feature.findIndex((f: number) => f >= 0);
  tree.left[split] = tree.feature.length + 10;
  const outside = write("outside.json", JSON.stringify(model));
  await expectOneLine(["score", "--from-file", goodCsv, "--model-path", outside], 1, `model file ${outside}: forest: tree 0 node ${split}: left child ${tree.feature.length + 10} points outside the tree (nodes 1..${tree.feature.length - 1})`);
  const pickle = write("leak_detector.pkl", Buffer.from([0x80, 0x04, 0x95]));
  await expectOneLine(["score", "--from-file", goodCsv, "--model-path", pickle], 1, `model file ${pickle}: pickle models are not supported (loading one would run arbitrary code); retrain with nightowl train, which writes a JSON model such as leak_detector.json`);
});

test("bad settings reach the user as one line and exit 2: a short poll interval, a missing password file", async () => {
  await expectOneLine(["run", "--demo", "--metrics-port", "0"], 2, "NIGHTOWL_POLL_INTERVAL_SECONDS=\"5\" is not allowed: expected a whole number from 10 to 86400 (seconds)", { NIGHTOWL_POLL_INTERVAL_SECONDS: "5" });
  const missing = join(dir, "no-such-password");
  await expectOneLine(["poll-once"], 2, `NIGHTOWL_PASSWORD_FILE="${missing}" cannot be read (ENOENT): expected a readable file holding the password`, { NIGHTOWL_USERNAME: "u@example.com", NIGHTOWL_PASSWORD_FILE: missing });
});

test("a setting given as a flag is named as the flag in the error: --accounts-file", async () => {
  await expectOneLine(["run", "--accounts-file", "/nonexistent/accounts.json", "--metrics-port", "0"], 2, '--accounts-file "/nonexistent/accounts.json" cannot be read (ENOENT): expected a JSON list of accounts');
  await expectOneLine(["run", "--metrics-port", "0"], 2, 'NIGHTOWL_ACCOUNTS_FILE="/nonexistent/accounts.json" cannot be read (ENOENT): expected a JSON list of accounts', { NIGHTOWL_ACCOUNTS_FILE: "/nonexistent/accounts.json" });
});

test("report refuses a device whose readings span a century (a stray timestamp) with one line, before any work", async () => {
  const a = Date.UTC(2000, 0, 1);
  const b = Date.UTC(2099, 11, 1);
  const csv = write("century.csv", `${HEAD},S1\n${a},,u,A,n,,,1\n${b},,u,A,n,,,2\n`);
  await expectOneLine(["report", "--from-file", csv, "--timezone", "America/Denver", "--output", join(dir, "century.html")], 1, `device A: readings from 1999-12-31 17:00 MST to 2099-11-30 17:00 MST span more than the 800 days a report reads; report a shorter range of the history (or look for a stray timestamp)`);
});

test("train: a user_label from the file that is a path (../../x) is refused with one line, and nothing is written outside models/", async () => {
  const label = "../../../../tmp/nightowl-escape";
  const csv = write("escape.csv", readFileSync(goodCsv, "utf8").replace(/^([^,\n]*,[^,\n]*,)[^,\n]*/gm, (m, head: string) => (head.startsWith("timestamp") ? m : `${head}${label}`)));
  await expectOneLine(["train", "--from-file", csv, "--n-estimators", "5"], 1, `user label "${label}" cannot be a file or folder name (expected up to 128 bytes of letters or digits of any script, ., _, -, @ or +, not starting with a dot); give --model-path, or --user-label with a plain name`);
  expect(existsSync("/tmp/nightowl-escape")).toBe(false);
});

test("score with a model that passes the schema but would freeze or mislead: maxDepth 1e9, a tree too big, a threshold of 1e309, a range guard without its maxima", async () => {
  const model = JSON.parse(readFileSync(MODEL, "utf8"));
  const deep = write("deep.json", JSON.stringify({ ...model, forest: { ...model.forest, maxDepth: 1e9 } }));
  await expectOneLine(["score", "--from-file", goodCsv, "--model-path", deep], 1, `model file ${deep}: forest: maxDepth 1000000000 exceeds 8, the depth a tree grown on maxSamples (256) rows can reach`);
  const big = structuredClone(model);
  const tree = big.forest.trees[0];
  for (const key of ["feature", "threshold", "left", "right", "nodeSize"]) tree[key] = [...tree[key], ...Array(600).fill(key === "feature" || key === "left" || key === "right" ? -1 : 1)];
  const bigPath = write("big-tree.json", JSON.stringify(big));
  await expectOneLine(["score", "--from-file", goodCsv, "--model-path", bigPath], 1, `model file ${bigPath}: forest: tree 0 has ${tree.feature.length} nodes, more than the 511 a tree of maxSamples (256) rows can have`);
  const huge = write("threshold.json", JSON.stringify({ ...model, alarm: { ...model.alarm, short_threshold: 1e308 } }).replace("1e+308", "1e309"));
  await expectOneLine(["score", "--from-file", goodCsv, "--model-path", huge], 1, `model file ${huge}: alarm.short_threshold: Invalid value: Expected <=1 but received Infinity`);
  const guard = write("guard.json", JSON.stringify({ ...model, alarm: { ...model.alarm, range_guard: { ...model.alarm.range_guard, maxima: [9] } } }));
  await expectOneLine(["score", "--from-file", goodCsv, "--model-path", guard], 1, `model file ${guard}: alarm.range_guard: range_guard needs one maximum per feature`);
  const extra = write("options.json", JSON.stringify({ ...model, feature_options: { timeZone: "Mars/Olympus" } }));
  await expectOneLine(["score", "--from-file", goodCsv, "--model-path", extra], 1, `model file ${extra}: feature_options.timeZone: an IANA time zone such as UTC`);
});
