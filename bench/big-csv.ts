/**
 * Training and scoring at scale through the real CLI: a history CSV of N simulated devices
 * × D days of 1-minute telemetry (every default key a column) is written under the system's
 * temporary folder, then `nightowl train --from-file` and `nightowl score --from-file
 * --format csv` run on it as child processes; the peak RSS reported is each child's maximum
 * resident set size as the kernel counts it (getrusage). The file is deleted afterwards.
 *
 *   bun bench/big-csv.ts [--devices 1] [--days 90] [--skip-score] [--json] [--cli path/to/src/cli.ts]
 *   bun bench/big-csv.ts --devices 42 --days 90 --skip-score     # ≈ 1 GB
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHistoryCsvWriter } from "../src/nightowl/history-csv.ts";
import { DEFAULT_TIMESERIES_KEYS } from "../src/nightowl/keys.ts";
import { simulateHistory } from "../src/sim/history.ts";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const devices = Number(flag("--devices") ?? 1);
const days = Number(flag("--days") ?? 90);
// --cli: another checkout's src/cli.ts, to measure a commit before a change on the same file.
const cli = flag("--cli") ?? join(import.meta.dir, "..", "src", "cli.ts");

interface Measured {
  exitCode: number;
  seconds: number;
  peakRssMb: number;
  lastLine: string;
}

/** Runs the CLI as a child process; its peak RSS is the kernel's maxrss for that child. */
function measure(command: string[], env: Record<string, string> = {}): Measured {
  const started = performance.now();
  const child = Bun.spawnSync([process.execPath, cli, ...command], { stdout: Bun.file("/dev/null"), stderr: "pipe", env: { ...process.env, NIGHTOWL_LOG_LEVEL: "warn", ...env } });
  const seconds = (performance.now() - started) / 1000;
  const lines = child.stderr.toString().split("\n").filter((l) => l.trim());
  return { exitCode: child.exitCode ?? -1, seconds, peakRssMb: child.resourceUsage.maxRSS / 1048576, lastLine: lines.at(-1) ?? "" };
}

const dir = mkdtempSync(join(tmpdir(), "nightowl-big-csv-"));
try {
  const csv = join(dir, "history.csv");
  const start = Date.UTC(2026, 3, 1);
  const writer = await createHistoryCsvWriter(csv, DEFAULT_TIMESERIES_KEYS);
  let rows = 0;
  for (let d = 0; d < devices; d++) {
    const frame = simulateHistory({ seed: 42, device: d, startMs: start, endMs: start + days * 86_400_000, stepSeconds: 60 });
    rows += frame.ts.length;
    await writer.writeFrame(frame);
  }
  await writer.commit();
  const csvMb = statSync(csv).size / 1e6;
  const model = join(dir, "model.json");
  const train = measure(["train", "--from-file", csv, "--model-path", model, "--quiet"]);
  const score = args.includes("--skip-score") || train.exitCode !== 0 ? undefined : measure(["score", "--from-file", csv, "--model-path", model, "--format", "csv"]);
  const result = { devices, days, csvMb, rows, train, score };
  if (args.includes("--json")) console.log(JSON.stringify(result));
  else {
    console.log("| history | CSV | rows | command | exit | wall | peak RSS | RSS / file |");
    console.log("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |");
    for (const [name, m] of [["train", train], ["score --format csv", score]] as const) {
      if (!m) continue;
      console.log(`| ${devices} device(s) × ${days} days, 1-min | ${csvMb.toFixed(1)} MB | ${rows.toLocaleString("en-US")} | ${name} | ${m.exitCode} | ${m.seconds.toFixed(1)} s | ${m.peakRssMb.toFixed(0)} MB | ${(m.peakRssMb / csvMb).toFixed(1)}× |`);
      if (m.exitCode !== 0) console.log(`\n${name}: ${m.lastLine}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
