/**
 * `make bench`: runs every benchmark in this folder in turn, each printing its own
 * markdown table. Figures are reported, never asserted; docs/benchmarks.md quotes them.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";

const BENCHES: { file: string; title: string; args?: string[] }[] = [
  { file: "iforest.ts", title: "Isolation forest: accuracy and speed against scikit-learn" },
  { file: "features.ts", title: "Feature engineering throughput" },
  { file: "scale.ts", title: "Scale: 90 days of 1-minute telemetry, file to model" },
  { file: "big-csv.ts", title: "Big history CSVs through the program: train and score peak RSS, 90 days of one device" },
  { file: "leak-demo-sites.ts", title: "Leak detection on the simulator" },
  { file: "leak-detection.ts", title: "Leak detection on site kinds, held out" },
  { file: "score-replay.ts", title: "score as a replay: 30 days of one device" },
  { file: "fetch-history.ts", title: "fetch-history throughput and memory" },
  { file: "load.ts", title: "Scrape load while polling" },
  { file: "run-rss.ts", title: "Memory of run with live scoring, 50 devices", args: ["--devices", "50"] },
  { file: "run-rss.ts", title: "Memory of run with live scoring, 2,000 devices", args: ["--devices", "2000"] },
  { file: "soak.ts", title: "Soak: 30 simulated days with faults" },
  { file: "release.ts", title: "Release binary: size, cold start, memory" },
];

const only = process.argv.slice(2);
let failures = 0;
for (const bench of BENCHES) {
  if (only.length && !only.some((o) => bench.file.startsWith(o))) continue;
  const path = join(import.meta.dir, bench.file);
  if (!existsSync(path)) continue;
  console.log(`\n## ${bench.title} (bun bench/${bench.file})\n`);
  const child = Bun.spawnSync([process.execPath, path, ...(bench.args ?? [])], { stdout: "inherit", stderr: "inherit" });
  if (child.exitCode !== 0) {
    failures++;
    console.log(`(bench/${bench.file} exited with ${child.exitCode})`);
  }
}
process.exitCode = failures ? 1 : 0;
