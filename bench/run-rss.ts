/**
 * Memory of the monitor: `nightowl run` (from source) with live leak scoring on every poll
 * against a simulator of N devices × every default key, each device warmed from
 * `--warmup-hours` of the portal's history. Reports the monitor's resident memory (VmRSS from
 * /proc) once every device has been scored, and its peak (VmHWM). With `--heap`, then also
 * what the JavaScript heap holds after a full collection (bench/heap-report.ts) and the
 * resident memory after it: live data against the collector's headroom.
 *
 *   bun bench/run-rss.ts [--devices 50] [--warmup-hours 48] [--polls 3] [--heap] [--trace] [--json]
 *
 * `--trace` prints to stderr, every 2 s, the resident memory with the devices warmed and the
 * polls logged so far: where in the start a peak comes.
 *
 * The simulator runs in this process, so its memory is not the monitor's. Figures are
 * reported, never asserted.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "../src/sim/server.ts";
import { childEnv, CLI, followPolls, MODEL, numberArg, processMemory, ROOT, traceMemory, until } from "./child-log.ts";

const flag = (name: string, fallback: number) => numberArg(name, fallback, (v) => v >= 0 && Number.isFinite(v), "a number ≥ 0");
const DEVICES = flag("--devices", 50);
const WARMUP_HOURS = flag("--warmup-hours", 48);
const POLLS = flag("--polls", 3);
const HEAP = process.argv.includes("--heap");
const heapDir = HEAP ? mkdtempSync(join(tmpdir(), "nightowl-heap-")) : "";
const heapFile = join(heapDir, "heap.json");

if (!existsSync(MODEL)) throw new Error(`no model at ${MODEL}: live scoring needs one`);
const sim = await startSimulator({ port: 0, devices: DEVICES, seed: 11, username: "rss@example.com", password: "rss-bench-password" });
const argv = [
  "run",
  "--base-url", sim.url,
  "--username", "rss@example.com",
  "--metrics-host", "127.0.0.1",
  "--metrics-port", "0",
  "--poll-interval", "10",
  // The default of 5 reads at most 5,000 devices (1,000 pages); a fleet reads big pages.
  "--page-size", "1000",
  "--warmup-hours", String(WARMUP_HOURS),
  "--ml-enabled", "true",
  "--ml-inference-interval", "1",
  "--model-path", MODEL,
];
const t0 = Date.now();
const preload = HEAP ? ["--preload", join(import.meta.dir, "heap-report.ts")] : [];
const env = childEnv({ NIGHTOWL_PASSWORD: "rss-bench-password", ...(HEAP ? { NIGHTOWL_BENCH_HEAP_REPORT: heapFile } : {}) });
const monitor = Bun.spawn([process.execPath, ...preload, CLI, ...argv], { cwd: ROOT, env, stdout: "ignore", stderr: "pipe" });
const log = followPolls(monitor.stderr as ReadableStream<Uint8Array>);
const trace = process.argv.includes("--trace") ? traceMemory(monitor.pid, log) : undefined;
try {
  await until("metrics URL", () => /Serving metrics on (\S+)/.test(log.tail()), 30_000, log.tail);
  const url = /Serving metrics on (\S+)/.exec(log.tail())![1]!;
  // Scored devices: the success count of inferences grows by one per device per poll.
  const byStatus = async () => {
    const text = await (await fetch(url)).text();
    const out: Record<string, number> = {};
    for (const m of text.matchAll(/^nightowl_ml_inferences_total\{[^}]*status="(\w+)"[^}]*\} (\S+)$/gm)) out[m[1]!] = (out[m[1]!] ?? 0) + Number(m[2]);
    return out;
  };
  // Every device's inference of the last poll counted, whatever its status.
  const counted = async () => Object.values(await byStatus()).reduce((a, b) => a + b, 0);
  await until(`${POLLS} polls scored`, async () => log.polls.length >= POLLS && (await counted()) >= POLLS * DEVICES, 1_800_000, log.tail);
  const statuses = await byStatus();
  const scored = statuses.success ?? 0;
  const memory = processMemory(monitor.pid);
  const mem = { rssMb: memory?.rss ?? Number.NaN, peakMb: memory?.peak ?? Number.NaN };
  const polls = log.polls.length;
  let heap: { rssBytes: number; heapBytes: number; heapCapacityBytes: number; typedArrayBytes: number; objects: number; top: Array<{ kind: string; count: number; bytes: number }>; owners: Array<{ owner: string; count: number; bytes: number }> } | undefined;
  if (HEAP) {
    monitor.kill("SIGUSR2");
    await until("heap report", () => existsSync(heapFile), 600_000, log.tail);
    await Bun.sleep(500);
    heap = JSON.parse(readFileSync(heapFile, "utf8"));
  }
  const result = { devices: DEVICES, warmupHours: WARMUP_HOURS, polls, inferences: statuses, ...mem, ...(heap ? { heap } : {}), seconds: (Date.now() - t0) / 1000 };
  if (process.argv.includes("--json")) console.log(JSON.stringify(result));
  else {
    console.log("| devices | warm-up | polls | successful inferences | RSS after | peak RSS |");
    console.log("| ---: | ---: | ---: | ---: | ---: | ---: |");
    console.log(`| ${DEVICES.toLocaleString("en-US")} | ${WARMUP_HOURS} h | ${polls} | ${scored.toLocaleString("en-US")} | ${mem.rssMb.toFixed(0)} MB | ${mem.peakMb.toFixed(0)} MB |`);
    if (heap) {
      const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
      console.log(`\nAfter a full collection: heap ${mb(heap.heapBytes)} of a capacity of ${mb(heap.heapCapacityBytes)} (typed arrays' storage ${mb(heap.typedArrayBytes)}, ${heap.objects.toLocaleString("en-US")} objects), resident ${(heap.rssBytes / 2 ** 20).toFixed(0)} MB`);
      for (const t of heap.top) console.log(`  ${mb(t.bytes).padStart(9)}  ${t.count.toLocaleString("en-US").padStart(9)}  ${t.kind}`);
      console.log("\nBy holder (the kind and property that first points at them):");
      for (const t of heap.owners) console.log(`  ${mb(t.bytes).padStart(9)}  ${t.count.toLocaleString("en-US").padStart(9)}  ${t.owner}`);
    }
  }
} finally {
  trace?.stop();
  monitor.kill("SIGTERM");
  await monitor.exited;
  await sim.stop();
  if (HEAP) rmSync(heapDir, { recursive: true, force: true });
}
