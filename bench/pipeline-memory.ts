/**
 * Memory and CPU of `run`'s per-device pipeline without the model or the metrics: the device
 * buffer and the rule stage (its kept analysis and the memory it carries between analyses). N
 * simulated devices are warmed as `run` does (`--hours` of history in one go), then take
 * `--polls` one-minute rows one by one as polls would, each opening a cadence slot now and
 * then; the JavaScript heap after a full collection is compared with the heap before, per
 * device. Also reported: the buffer's bytes and the kept analysis' bytes (typed arrays by
 * their buffers, plain arrays at 8 bytes an element), and the CPU per polled row (buffer
 * push plus the analyses it triggers).
 *
 *     bun bench/pipeline-memory.ts [--devices 200] [--hours 48] [--polls 60] [--json]
 */
import { heapStats } from "bun:jsc";
import { DevicePipeline } from "../src/monitor/device-pipeline.ts";
import type { HistoryFrame } from "../src/nightowl/history-frame.ts";
import type { DeviceSnapshot } from "../src/nightowl/snapshot.ts";
import { simulateHistory } from "../src/sim/history.ts";
import { numberArg } from "./child-log.ts";

const DEVICES = numberArg("--devices", 200);
const HOURS = numberArg("--hours", 48);
const POLLS = numberArg("--polls", 60);
const END = Date.UTC(2026, 5, 10, 12);
const MINUTE = 60_000;

/** Ten simulated sites, reused round-robin (the simulator would dominate otherwise). */
const sites = Array.from({ length: Math.min(DEVICES, 10) }, (_, device) => {
  const frame = simulateHistory({ seed: 11, device, startMs: END - HOURS * 3_600_000, endMs: END + POLLS * MINUTE });
  const n = frame.ts.length - POLLS;
  const warm: HistoryFrame = { ...frame, ts: frame.ts.subarray(0, n), columns: Object.fromEntries(Object.entries(frame.columns).map(([k, c]) => [k, c.subarray(0, n)])) };
  const polls: DeviceSnapshot[] = [];
  for (let i = n; i < frame.ts.length; i++) {
    const telemetry: DeviceSnapshot["telemetry"] = {};
    for (const k in frame.columns) telemetry[k] = { ts: frame.ts[i]!, value: String(frame.columns[k]![i]) };
    polls.push({ id: frame.deviceId, name: frame.deviceName, type: "", userLabel: "", telemetry, attributes: {} } as DeviceSnapshot);
  }
  return { warm, polls };
});

/** Bytes reachable from `x` (typed arrays by their buffers, plain arrays at 8 bytes an element). */
function bytesOf(x: unknown, seen = new Set<unknown>()): number {
  if (x === null || typeof x !== "object" || seen.has(x)) return 0;
  seen.add(x);
  if (ArrayBuffer.isView(x)) return seen.has(x.buffer) ? 0 : (seen.add(x.buffer), x.buffer.byteLength);
  if (Array.isArray(x)) return 8 * x.length + x.reduce((a: number, e) => a + bytesOf(e, seen), 0);
  return Object.values(x).reduce((a: number, v) => a + bytesOf(v, seen), 0);
}

Bun.gc(true);
const before = heapStats().heapSize;
let pollMs = 0;
const pipelines = Array.from({ length: DEVICES }, (_, i) => {
  const site = sites[i % sites.length]!;
  const p = new DevicePipeline(`device-${i}`, { timeZone: "America/Denver" });
  p.warm(site.warm);
  const t0 = performance.now();
  for (const snapshot of site.polls) p.observe(snapshot);
  pollMs += performance.now() - t0;
  return p;
});
Bun.gc(true);
const heap = (heapStats().heapSize - before) / DEVICES;
const buffer = pipelines.reduce((a, p) => a + p.buffer.bytes(), 0) / DEVICES;
const kept = pipelines.reduce((a, p) => a + bytesOf(p.rules.latest()), 0) / DEVICES;
const rowUs = (pollMs * 1000) / (DEVICES * POLLS);
if (process.argv.includes("--json")) console.log(JSON.stringify({ devices: DEVICES, hours: HOURS, polls: POLLS, heapBytesPerDevice: Math.round(heap), bufferBytes: Math.round(buffer), keptAnalysisBytes: Math.round(kept), microsecondsPerPolledRow: Math.round(rowUs) }));
else {
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`${DEVICES} devices warmed with ${HOURS} h, then ${POLLS} polled rows each: ${kib(heap)} of heap per device`);
  console.log(`  buffer ${kib(buffer)}, kept analysis ${kib(kept)}; ${rowUs.toFixed(0)} µs per polled row (push and the analyses it opens)`);
}
