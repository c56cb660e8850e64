/**
 * `score` is causal: a row's verdict uses only the rows up to it. Over simulator history with
 * leaks (a 1-gallon meter with a 3 gal/min leak, a 10-gallon meter with a slow night leak),
 * scoring the history cut at a row gives that row the same `is_anomaly` and `rules` as
 * scoring the whole file — at every alarm and rule onset and at 50 random rows. The full
 * file goes through the real program once, to tie the command to the replay the cuts use.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ScoredRow } from "../src/ml/score-frame.ts";
import type { LeakModel } from "../src/ml/model-file.ts";
import { scoreReplay } from "../src/monitor/score-replay.ts";
import type { HistoryFrame } from "../src/nightowl/history-frame.ts";
import { mulberry32 } from "../src/sim/random.ts";
import { writeLeakHistory } from "./leak-history.ts";

const dir = mkdtempSync(join(tmpdir(), "nightowl-prefix-"));
const bun = join(import.meta.dir, "..", "node_modules", ".bin", "bun");
const cli = join(import.meta.dir, "..", "src", "cli.ts");

let model: LeakModel;
let frames: HistoryFrame[];
let full: ScoredRow[];

function cut(frame: HistoryFrame, lastTs: number): HistoryFrame {
  let n = 0;
  while (n < frame.ts.length && frame.ts[n]! <= lastTs) n++;
  return { ...frame, ts: frame.ts.subarray(0, n), columns: Object.fromEntries(Object.entries(frame.columns).map(([k, c]) => [k, c.subarray(0, n)])) };
}

beforeAll(async () => {
  ({ model, frames } = await writeLeakHistory(dir));
  full = scoreReplay(model, frames, { topFeatures: 0 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("the score command gives the replay's verdicts", () => {
  const p = Bun.spawnSync([bun, cli, "score", "--from-file", join(dir, "scored.csv"), "--model-path", join(dir, "model.json"), "--format", "csv", "--log-level", "error"], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  expect(p.stderr.toString()).toBe("");
  expect(p.exitCode).toBe(0);
  const lines = p.stdout.toString().trimEnd().split("\n").slice(1);
  expect(lines.length).toBe(full.length);
  const byKey = new Map(full.map((r) => [`${r.deviceId}@${r.ts}`, r]));
  for (const line of lines) {
    const c = line.split(",");
    const r = byKey.get(`${c[1]}@${c[0]}`)!;
    expect(`${c[0]} ${c[4]} ${c[6]}`).toBe(`${r.ts} ${r.isAnomaly ? 1 : 0} ${r.rules.join(";")}`);
  }
});

test("the history shows what the check needs: alarms, flow, night and pump rules", () => {
  const rules = new Set(full.flatMap((r) => r.rules));
  // The night rule: the 10-gallon meter's slow night leak, a summary of the quiet hours (night_flow
  // leaves a coarse meter to night_meter_hours).
  for (const rule of ["sustained_flow", "continuous_flow", "night_meter_hours", "night_pump_starts"]) expect(rules).toContain(rule);
  expect(full.some((r) => r.isAnomaly)).toBe(true);
});

test("each row scored on the history cut at it gets the full run's is_anomaly and rules", () => {
  // Alarm onsets, rule onsets and 50 rows at random.
  const picked = new Map<string, ScoredRow>();
  for (const frame of frames) {
    const rows = full.filter((r) => r.deviceId === frame.deviceId);
    for (let i = 1; i < rows.length; i++) {
      const onset = (rows[i]!.isAnomaly && !rows[i - 1]!.isAnomaly) || rows[i]!.rules.some((x) => !rows[i - 1]!.rules.includes(x));
      if (onset) picked.set(`${rows[i]!.deviceId}@${rows[i]!.ts}`, rows[i]!);
    }
  }
  const onsets = picked.size;
  expect(onsets).toBeGreaterThan(2);
  const random = mulberry32(7);
  for (let k = 0; k < 50; k++) {
    const r = full[Math.floor(random() * full.length)]!;
    picked.set(`${r.deviceId}@${r.ts}`, r);
  }
  const mismatches: string[] = [];
  for (const row of picked.values()) {
    const frame = frames.find((f) => f.deviceId === row.deviceId)!;
    const last = scoreReplay(model, [cut(frame, row.ts)], { topFeatures: 0 }).at(-1)!;
    expect(last.ts).toBe(row.ts);
    if (last.isAnomaly !== row.isAnomaly || last.rules.join(";") !== row.rules.join(";")) {
      mismatches.push(`${row.deviceId} ${new Date(row.ts).toISOString()}: full ${row.isAnomaly ? 1 : 0} [${row.rules}] cut ${last.isAnomaly ? 1 : 0} [${last.rules}]`);
    }
  }
  expect(mismatches).toEqual([]);
}, 120_000);
