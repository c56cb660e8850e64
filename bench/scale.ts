/**
 * Scale: 90 days of 1-minute telemetry for one device (≈ 130,000 rows, every default key as a
 * column) from a history CSV to a saved model, timed end to end (read, features, scaler,
 * forest, calibration, atomic write), with the peak resident memory of the process doing it.
 *
 *   bun bench/scale.ts [--days 90] [--json]
 *
 * The timed part runs in a child process so its peak RSS is its own, not the generator's.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../src/log.ts";
import { trainLeakModel } from "../src/ml/leak-model.ts";
import { saveModelFile } from "../src/ml/model-file.ts";
import { readHistoryCsv, writeHistoryCsv } from "../src/nightowl/history-csv.ts";
import { DEFAULT_TIMESERIES_KEYS } from "../src/nightowl/keys.ts";
import { simulateHistory } from "../src/sim/history.ts";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

if (args[0] === "--child") {
  const [, csv, modelPath] = args;
  const t0 = performance.now();
  const frames = await readHistoryCsv([csv!], { log: silentLogger });
  const t1 = performance.now();
  const result = trainLeakModel(frames, { userLabel: "bench", source: "simulated", timeZone: "UTC" });
  saveModelFile(modelPath!, result.text);
  const t2 = performance.now();
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ rows: frames[0]!.ts.length, samples: result.summary.samples, features: result.summary.features, readMs: t1 - t0, trainMs: t2 - t1, totalMs: t2 - t0, peakRssMb, modelBytes: statSync(modelPath!).size }));
  process.exit(0);
}

const days = Number(flag("--days") ?? 90);
const dir = mkdtempSync(join(tmpdir(), "nightowl-scale-"));
try {
  const start = Date.UTC(2026, 3, 1);
  const frame = simulateHistory({ seed: 42, device: 0, startMs: start, endMs: start + days * 86_400_000, stepSeconds: 60 });
  const csv = join(dir, "history.csv");
  await writeHistoryCsv(csv, [frame], DEFAULT_TIMESERIES_KEYS);
  const csvMb = statSync(csv).size / 1e6;
  const child = Bun.spawnSync([process.execPath, import.meta.path, "--child", csv, join(dir, "model.json")], { stdout: "pipe", stderr: "inherit" });
  if (child.exitCode !== 0) throw new Error(`child exited with ${child.exitCode}`);
  const r = JSON.parse(child.stdout.toString().trim().split("\n").pop()!);
  if (args.includes("--json")) console.log(JSON.stringify({ days, csvMb, ...r }));
  else {
    console.log("| history | CSV | rows | feature rows × features | read CSV | features + fit + calibrate + save | total | peak RSS | model file |");
    console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    console.log(`| ${days} days, 1-min, ${DEFAULT_TIMESERIES_KEYS.length} key columns | ${csvMb.toFixed(1)} MB | ${r.rows.toLocaleString("en-US")} | ${r.samples.toLocaleString("en-US")} × ${r.features} | ${(r.readMs / 1000).toFixed(2)} s | ${(r.trainMs / 1000).toFixed(2)} s | **${(r.totalMs / 1000).toFixed(2)} s** | ${r.peakRssMb.toFixed(0)} MB | ${(r.modelBytes / 1e6).toFixed(2)} MB |`);
    console.log(`\nTarget: file to saved model in under 10 s.`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
