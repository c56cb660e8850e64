/**
 * Memory of live scoring's per-device model state (`ModelStage`: feature windows, verdict
 * means), without the buffer, the rules or the metrics: N simulated devices are replayed as
 * `run` does (26 h at the rebuild, then one row per poll up to `--hours`), then the JavaScript
 * heap after a full collection is compared with the heap before, per device. Also lists the
 * bytes of one device's state by field (typed arrays by their buffers, plain arrays at 8 bytes
 * an element), which is where the per-device bytes go.
 *
 *     bun bench/model-memory.ts [--devices 200] [--hours 48] [--json]
 */
import { heapStats } from "bun:jsc";
import { loadModelFile } from "../src/ml/model-file.ts";
import type { BufferRow } from "../src/monitor/device-pipeline.ts";
import { MODEL_REPLAY_MS, ModelStage } from "../src/monitor/model-stage.ts";
import { simulateHistory } from "../src/sim/history.ts";
import { newDeviceBuffer } from "../src/monitor/replay.ts";
import { MODEL, numberArg } from "./child-log.ts";

const DEVICES = numberArg("--devices", 200);
const HOURS = numberArg("--hours", 48, (v) => v * 3_600_000 > MODEL_REPLAY_MS, "more than 26");
const START = Date.UTC(2026, 4, 12);
const model = loadModelFile(MODEL);

/** Ten simulated sites, reused round-robin (the simulator, not the stages, would dominate otherwise). */
const sites = Array.from({ length: Math.min(DEVICES, 10) }, (_, device) => {
  const frame = simulateHistory({ seed: 11, device, startMs: START, endMs: START + HOURS * 3_600_000 });
  const keys = Object.keys(frame.columns);
  const rows: BufferRow[] = Array.from(frame.ts, (ts, i) => {
    const values: Record<string, number> = {};
    for (const k of keys) if (frame.columns[k]![i] === frame.columns[k]![i]) values[k] = frame.columns[k]![i]!;
    return { ts, values };
  });
  const rebuildAt = rows.findIndex((r) => r.ts >= START + MODEL_REPLAY_MS);
  // What a stage is rebuilt from: a buffer holding the rows before `rebuildAt`.
  const buffer = newDeviceBuffer(frame.deviceId);
  for (let i = 0; i < rebuildAt; i++) buffer.pushFrameRow(frame, i);
  return { keys, rows, rebuildAt, buffer };
});

function warmStage(i: number): ModelStage {
  const { keys, rows, rebuildAt, buffer } = sites[i % sites.length]!;
  const stage = new ModelStage(model, "UTC", `device-${i}`);
  stage.rebuild(keys, buffer);
  for (let r = rebuildAt; r < rows.length; r++) stage.push(rows[r]!, []);
  return stage;
}

/** Bytes reachable from `root` by field path (the shared model left out). */
function bytesByField(root: object): Map<string, number> {
  const seen = new Set<unknown>([model]);
  const out = new Map<string, number>();
  const add = (path: string, n: number) => out.set(path, (out.get(path) ?? 0) + n);
  const walk = (x: unknown, path: string): void => {
    if (x === null || typeof x !== "object" || seen.has(x)) return;
    seen.add(x);
    if (ArrayBuffer.isView(x)) {
      if (!seen.has(x.buffer)) add(path, x.buffer.byteLength);
      seen.add(x.buffer);
      return;
    }
    if (Array.isArray(x)) {
      add(path, 8 * x.length);
      for (const e of x) walk(e, path);
      return;
    }
    for (const [k, v] of Object.entries(x)) walk(v, path.split(".").length < 4 ? `${path}.${k}` : path);
  };
  walk(root, "stage");
  return out;
}

const fields = [...bytesByField(warmStage(0))].sort((a, b) => b[1] - a[1]);
Bun.gc(true);
const before = heapStats().heapSize;
const stages = Array.from({ length: DEVICES }, (_, i) => warmStage(i));
Bun.gc(true);
const perDevice = (heapStats().heapSize - before) / stages.length;
const oneDevice = fields.reduce((a, [, n]) => a + n, 0);
if (process.argv.includes("--json")) console.log(JSON.stringify({ devices: DEVICES, hours: HOURS, heapBytesPerDevice: Math.round(perDevice), oneDeviceBytes: oneDevice }));
else {
  console.log(`${DEVICES} devices, ${HOURS} h of 1-minute rows: ${(perDevice / 1024).toFixed(1)} KiB of heap per device; one device's state ${(oneDevice / 1024).toFixed(1)} KiB:`);
  for (const [path, n] of fields.slice(0, 12)) console.log(`  ${(n / 1024).toFixed(1).padStart(7)} KiB  ${path}`);
}
