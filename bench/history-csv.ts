/**
 * History CSV speed: write and read 90 days of 1-minute rows for one device with every
 * default telemetry key (≈ 130,000 rows × 26 keys). Usage: bun bench/history-csv.ts [--days N]
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_TIMESERIES_KEYS } from "../src/nightowl/keys.ts";
import { readHistoryCsv, writeHistoryCsv } from "../src/nightowl/history-csv.ts";
import type { HistoryFrame } from "../src/nightowl/history-frame.ts";

const daysArg = process.argv.indexOf("--days");
const days = daysArg > 0 ? Number(process.argv[daysArg + 1]) : 90;
const rows = days * 1440;
const t0 = Date.UTC(2024, 0, 1);
const ts = new Float64Array(rows);
const columns: Record<string, Float64Array> = {};
for (const key of DEFAULT_TIMESERIES_KEYS) columns[key] = new Float64Array(rows);
let gallons = 0;
for (let i = 0; i < rows; i++) {
  ts[i] = t0 + i * 60_000;
  DEFAULT_TIMESERIES_KEYS.forEach((key, k) => {
    columns[key]![i] = Math.round((40 + 10 * Math.sin(i / 37 + k) + k) * 100) / 100;
  });
  gallons += i % 3 === 0 ? 1.5 : 0;
  columns.Pulse_TotalGallons![i] = gallons;
}
const frame: HistoryFrame = { deviceId: "3701155", deviceName: "Well House", userLabel: "dgorman", customer: "Dan Gorman", ts, columns };
const dir = mkdtempSync(join(tmpdir(), "nightowl-bench-csv-"));
const path = join(dir, "history.csv");
try {
  let t = performance.now();
  await writeHistoryCsv(path, [frame]);
  const writeMs = performance.now() - t;
  t = performance.now();
  const [back] = await readHistoryCsv(path);
  const readMs = performance.now() - t;
  if (back!.ts.length !== rows) throw new Error(`read ${back!.ts.length} rows, wrote ${rows}`);
  const mb = statSync(path).size / 1e6;
  console.log(`| history CSV, ${rows} rows × ${DEFAULT_TIMESERIES_KEYS.length} keys (${mb.toFixed(1)} MB) | write ${writeMs.toFixed(0)} ms | read ${readMs.toFixed(0)} ms (${Math.round(rows / (readMs / 1000)).toLocaleString("en-US")} rows/s) |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
