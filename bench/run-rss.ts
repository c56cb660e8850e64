/**
 * Memory of the monitor: `nightowl run` (from source) with live leak scoring on every poll
 * against a simulator of N devices × every default key, each device warmed from
 * `--warmup-hours` of the portal's history. Reports the monitor's resident memory (VmRSS from
 * /proc) once every device has been scored, and its peak (VmHWM).
 *
 *   bun bench/run-rss.ts [--devices 50] [--warmup-hours 48] [--polls 3] [--json]
 *
 * The simulator runs in this process, so its memory is not the monitor's. Figures are
 * reported, never asserted.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startSimulator } from "../src/sim/server.ts";
import { followLines, until } from "./child-log.ts";

const ROOT = join(import.meta.dir, "..");
const CLI = join(ROOT, "src", "cli.ts");
const MODEL = join(ROOT, "models", "global", "leak_detector.json");

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!(value >= 0) || !Number.isFinite(value)) throw new Error(`${name} ${args[i + 1]}: expected a number ≥ 0`);
  return value;
};
const DEVICES = flag("--devices", 50);
const WARMUP_HOURS = flag("--warmup-hours", 48);
const POLLS = flag("--polls", 3);

function env(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("NIGHTOWL_") && v !== undefined) out[k] = v;
  return out;
}

/** VmRSS and VmHWM of a process, in MB. */
function memory(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
}

if (!existsSync(MODEL)) throw new Error(`no model at ${MODEL}: live scoring needs one`);
const sim = await startSimulator({ port: 0, devices: DEVICES, seed: 11, username: "rss@example.com", password: "rss-bench-password" });
const argv = [
  "run",
  "--base-url", sim.url,
  "--username", "rss@example.com",
  "--metrics-host", "127.0.0.1",
  "--metrics-port", "0",
  "--poll-interval", "10",
  "--warmup-hours", String(WARMUP_HOURS),
  "--ml-enabled", "true",
  "--ml-inference-interval", "1",
  "--model-path", MODEL,
];
const t0 = Date.now();
const monitor = Bun.spawn([process.execPath, CLI, ...argv], { cwd: ROOT, env: { ...env(), NIGHTOWL_PASSWORD: "rss-bench-password" }, stdout: "ignore", stderr: "pipe" });
let polls = 0;
const log = followLines(monitor.stderr as ReadableStream<Uint8Array>, (line) => {
  if (/\[INFO\] Polled \d+ device\(s\)/.test(line)) polls++;
});
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
  await until(`${POLLS} polls scored`, async () => polls >= POLLS && (await counted()) >= POLLS * DEVICES, 1_800_000, log.tail);
  const statuses = await byStatus();
  const scored = statuses.success ?? 0;
  const mem = memory(monitor.pid);
  const result = { devices: DEVICES, warmupHours: WARMUP_HOURS, polls, inferences: statuses, ...mem, seconds: (Date.now() - t0) / 1000 };
  if (args.includes("--json")) console.log(JSON.stringify(result));
  else {
    console.log("| devices | warm-up | polls | successful inferences | RSS after | peak RSS |");
    console.log("| ---: | ---: | ---: | ---: | ---: | ---: |");
    console.log(`| ${DEVICES.toLocaleString("en-US")} | ${WARMUP_HOURS} h | ${polls} | ${scored.toLocaleString("en-US")} | ${mem.rssMb.toFixed(0)} MB | ${mem.peakMb.toFixed(0)} MB |`);
  }
} finally {
  monitor.kill("SIGTERM");
  await monitor.exited;
  await sim.stop();
}
