/**
 * `report` is a replay of the history through `score`'s pipeline: over simulator history with
 * leaks (a 1-gallon meter with a 3 gal/min leak, a 10-gallon meter with a slow night leak), the
 * real program's report of a file shows, per device, exactly `score`'s alarm rows for the same
 * file joined into episodes as `score`'s table joins them, and each rule from the first row
 * `score` shows it firing at, to the last (a rule's pauses within one occurrence joined).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LeakModel } from "../src/ml/model-file.ts";
import { alarmEpisodes } from "../src/ml/verdict.ts";
import { writeLeakHistory } from "./leak-history.ts";

const dir = mkdtempSync(join(tmpdir(), "nightowl-report-score-"));
const root = join(import.meta.dir, "..");

interface Row {
  ts: number;
  alarm: boolean;
  rules: string[];
}
let model: LeakModel;
let scored: Map<string, Row[]>;
let report: { devices: Array<{ deviceId: string; triggers: Array<{ rule: string; startMs: number; endMs?: number }>; anomalies: Array<{ startMs: number; endMs: number }> }> };

function cli(...args: string[]): string {
  const p = Bun.spawnSync([process.execPath, "src/cli.ts", ...args, "--log-level", "error"], { cwd: root, stdout: "pipe", stderr: "pipe" });
  expect(p.stderr.toString()).toBe("");
  expect(p.exitCode).toBe(0);
  return p.stdout.toString();
}

beforeAll(async () => {
  const history = await writeLeakHistory(dir);
  model = history.model;
  const common = ["--from-file", history.csvPath, "--model-path", history.modelPath];
  scored = new Map();
  for (const line of cli("score", ...common, "--format", "csv").trimEnd().split("\n").slice(1)) {
    const c = line.split(",");
    const rows = scored.get(c[1]!) ?? [];
    rows.push({ ts: Number(c[0]), alarm: c[4] === "1", rules: c[6] ? c[6].split(";") : [] });
    scored.set(c[1]!, rows);
  }
  report = JSON.parse(cli("report", ...common, "--format", "json", "--output", "-"));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("both devices alarm somewhere, so the comparison below compares something", () => {
  expect(report.devices.map((d) => d.deviceId).sort()).toEqual([...scored.keys()].sort());
  for (const rows of scored.values()) expect(rows.some((r) => r.alarm)).toBe(true);
});

test("the report's alarm episodes are score's alarm rows, joined as score's table joins them", () => {
  for (const device of report.devices) {
    const rows = scored.get(device.deviceId)!;
    const episodes = alarmEpisodes(rows.map((r) => r.ts), rows.map((r) => r.alarm), model.alarm.episode_merge_minutes);
    expect(device.anomalies.map((a) => [a.startMs, a.endMs])).toEqual(episodes);
  }
});

test("each rule on the report's timeline is score's firing spans of it, the spans of one occurrence (a night's pump starts) joined", () => {
  for (const device of report.devices) {
    const rows = scored.get(device.deviceId)!;
    // score's rows begin once the model's windows hold data; compare the rules from there on.
    const first = rows[0]!.ts;
    const last = rows.at(-1)!.ts;
    // score's spans of each rule: its runs of consecutive firing rows, [first row, last row].
    const spans = new Map<string, [number, number][]>();
    rows.forEach((r, i) => {
      for (const rule of r.rules) {
        const list = spans.get(rule) ?? [];
        if (i > 0 && rows[i - 1]!.rules.includes(rule)) list.at(-1)![1] = r.ts;
        else list.push([r.ts, r.ts]);
        spans.set(rule, list);
      }
    });
    expect(spans.size).toBeGreaterThan(0);
    for (const [rule, list] of spans) {
      const episodes = device.triggers.filter((t) => t.rule === rule).map((t) => [t.startMs, t.endMs ?? Number.POSITIVE_INFINITY] as const);
      // Every span of score lies in exactly one episode of the report…
      for (const [from, to] of list) expect([rule, episodes.filter(([s, e]) => s <= from && to <= e).length]).toEqual([rule, 1]);
      // …and each episode begins where a span begins and ends where one ends (within score's rows).
      for (const [s, e] of episodes) {
        if (s > first) expect([rule, list.some(([from]) => from === s)]).toEqual([rule, true]);
        if (e >= first && e < last) expect([rule, list.some(([, to]) => to === e)]).toEqual([rule, true]);
      }
    }
  }
});
