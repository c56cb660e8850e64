/**
 * Scrape load while polling: `nightowl run` (from source) polls a simulator with 50 devices ×
 * every default key, live leak scoring on every poll when a model is at hand
 * (models/global/leak_detector.json), while `wrk` drives /metrics on loopback with 1, then 4,
 * then 32 connections (`--connections`, a comma-separated list), each for `--seconds`.
 * Reports scrape latency p50/p99 for each and the poll starts seen during the load, to show
 * the scrapes neither slow down the polls nor wait for them.
 *
 * The connection counts tell apart what holds a scrape: one connection is how Prometheus
 * scrapes a target, so its p99 is the event loop's longest pause (a poll's or a rendering's
 * synchronous stretch) plus one page's transfer; 32 connections each pulling the whole gzip
 * page share the loopback and the server's one thread, so their p99 grows with the page's
 * size (bandwidth), whatever the poll does.
 *
 *   bun bench/load.ts [--devices 50] [--seconds 30] [--connections 1,4,32] [--interval 10] [--quiet-intervals 6] [--page-size 5] [--warmup-hours 48] [--ml off] [--identity] [--lag-probe] [--trace] [--json]
 *
 * `--trace` prints to stderr, every 2 s, the monitor's resident memory and peak with the devices
 * warmed, the polls logged and the bench's phase: where in the run a peak comes.
 *
 * `--lag-probe` preloads bench/lag-probe.ts into the monitor and reports, for the warm-up, the
 * quiet intervals and each load, the longest stretches the event loop did not turn (wall and
 * the main thread's own CPU): what a scrape arriving then waited for. Its 1 ms timer costs the
 * monitor some CPU, so read CPU per poll from a run without it.
 *
 * wrk sends `Accept-Encoding: gzip` as Prometheus does (`--identity` scrapes uncompressed).
 * Also reported: the monitor's CPU seconds per poll over `--quiet-intervals` quiet intervals
 * before the load (/proc/<pid>/stat; everything a poll costs, rendering and compressing the page
 * included). Six 10-second intervals are one minute of the simulator's 1-minute readings, so
 * every device's new row is scored once in the window: over two, a window held either none or
 * all of them, and the figure moved by a third or more.
 * its resident memory after the load and its peak (VmRSS, VmHWM), and the page's gzip size.
 *
 * Without `wrk` (Debian package wrk) it falls back to a Bun fetch loop with as many
 * concurrent scrapers, and says so. The simulator runs in this process at real-time speed; the
 * poll interval is the configurable minimum, 10 s, so 30 s of load span three polls.
 * Figures are reported, never asserted.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "../src/sim/server.ts";
import { childEnv, CLI, cpuSeconds, followPolls, MODEL, numberArg, processMemory, ROOT, traceMemory, until } from "./child-log.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => numberArg(name, fallback);
const DEVICES = flag("--devices", 50);
const SECONDS = flag("--seconds", 30);
const CONNECTION_LIST = connectionsArg();
const INTERVAL_S = flag("--interval", 10);
const PAGE_SIZE = flag("--page-size", 5);
const QUIET_INTERVALS = flag("--quiet-intervals", 6);
const WARMUP_HOURS = args.includes("--warmup-hours") ? Number(args[args.indexOf("--warmup-hours") + 1]) : 48;
const GZIP = !args.includes("--identity");
const ML_OFF = args.includes("--ml") && args[args.indexOf("--ml") + 1] === "off";
const LAG_FILE = args.includes("--lag-probe") ? join(tmpdir(), `nightowl-lag-${process.pid}.txt`) : undefined;

/** A stretch the monitor's event loop did not turn, from bench/lag-probe.ts: when it ended, its length, the main thread's CPU in it. */
interface Stall {
  endMs: number;
  wallMs: number;
  cpuMs: number;
}

function readStalls(): Stall[] {
  if (!LAG_FILE || !existsSync(LAG_FILE)) return [];
  return readFileSync(LAG_FILE, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [endMs, wallMs, cpuMs] = line.split(" ").map(Number);
      return { endMs: endMs!, wallMs: wallMs!, cpuMs: cpuMs! };
    });
}

/** The stalls that ended within [fromMs, toMs] (epoch): the longest by wall and by CPU, and how many passed 20 and 50 ms. */
function stallSummary(stalls: Stall[], fromMs: number, toMs: number) {
  const within = stalls.filter((s) => s.endMs >= fromMs && s.endMs <= toMs);
  const byWall = within.reduce<Stall | undefined>((a, s) => (!a || s.wallMs > a.wallMs ? s : a), undefined);
  const byCpu = within.reduce<Stall | undefined>((a, s) => (!a || s.cpuMs > a.cpuMs ? s : a), undefined);
  return { longestWallMs: byWall?.wallMs ?? 0, itsCpuMs: byWall?.cpuMs ?? 0, longestCpuMs: byCpu?.cpuMs ?? 0, over20: within.filter((s) => s.wallMs >= 20).length, over50: within.filter((s) => s.wallMs >= 50).length };
}

/** `--connections 1,4,32`: the loads to run one after another, each with that many connections. */
function connectionsArg(): number[] {
  const i = args.indexOf("--connections");
  const text = i >= 0 ? (args[i + 1] ?? "") : "1,4,32";
  const list = text.split(",").map(Number);
  if (!list.length || !list.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`--connections ${text}: expected a comma-separated list of positive integers`);
  return list;
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : Number.NaN;
}

/** One poll as the poll families tell it: start and length, from the scrapes that saw it. */
interface PollSeen {
  startedAt: number;
  durationMs: number;
  ok: boolean;
}

/**
 * Scrapes every 100 ms until `stop` and derives each poll from the change it made: its end
 * (`nightowl_last_poll_timestamp`, epoch seconds) minus its length (the growth of
 * `nightowl_poll_duration_seconds_sum`) is its start, exact to the loop's own clock. The
 * timestamp moves only on a successful poll; every poll of the bench's healthy simulator is one.
 */
async function watchPolls(url: string, stop: () => boolean): Promise<PollSeen[]> {
  const seen: PollSeen[] = [];
  let last: { end: number; sum: number; count: number } | undefined;
  const read = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
  while (!stop()) {
    const text = await (await fetch(url)).text();
    const now = {
      end: read(text, /^nightowl_last_poll_timestamp\{[^}]*\} (\S+)$/m),
      sum: read(text, /^nightowl_poll_duration_seconds_sum (\S+)$/m),
      count: read(text, /^nightowl_poll_duration_seconds_count (\S+)$/m),
    };
    if (last && now.count === last.count + 1) {
      const durationMs = (now.sum - last.sum) * 1000;
      seen.push({ startedAt: now.end * 1000 - durationMs, durationMs, ok: read(text, /^nightowl_last_poll_success\{[^}]*\} (\S+)$/m) === 1 });
    } else if (last && now.count > last.count + 1) {
      throw new Error(`polls ${last.count + 1}..${now.count} came within 100 ms: the cadence is broken`);
    }
    last = now;
    await Bun.sleep(100);
  }
  return seen;
}

interface Latency {
  connections: number;
  tool: string;
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  rps: number;
}

/** wrk's figure with its unit ("1.23ms", "850.00us", "1.02s") in milliseconds. */
function wrkMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) return Number.NaN;
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2] as "us" | "ms" | "s" | "m"];
}

async function loadWithWrk(wrk: string, url: string, connections: number): Promise<Latency> {
  // wrk wants at least as many connections as threads.
  const threads = Math.min(2, connections);
  const proc = Bun.spawn([wrk, `-t${threads}`, `-c${connections}`, `-d${SECONDS}s`, "--latency", ...(GZIP ? ["-H", "Accept-Encoding: gzip"] : []), url], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`wrk exited ${code}: ${err}`);
  const dist = (q: string) => wrkMs(new RegExp(`^\\s+${q}%\\s+(\\S+)`, "m").exec(out)?.[1] ?? "");
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? Number.NaN);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = non2xx + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  const max = wrkMs(/^\s+Latency\s+\S+\s+\S+\s+(\S+)/m.exec(out)?.[1] ?? "");
  return { connections: connections, tool: `wrk -t${threads} -c${connections} -d${SECONDS}s${GZIP ? " (Accept-Encoding: gzip)" : ""}`, requests, errors, p50Ms: dist("50"), p99Ms: dist("99"), maxMs: max, rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]) };
}

/** The fallback: `connections` scrapers in a loop for SECONDS, each timing its own requests. */
async function loadWithFetch(url: string, connections: number): Promise<Latency> {
  const times: number[] = [];
  let errors = 0;
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          const r = await fetch(url);
          await r.arrayBuffer();
          if (r.status !== 200) errors++;
        } catch {
          errors++;
        }
        times.push(performance.now() - t0);
      }
    }),
  );
  const sorted = Float64Array.from(times).sort();
  return { connections: connections, tool: `Bun fetch loop, ${connections} concurrent, ${SECONDS} s (wrk not installed)`, requests: times.length, errors, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), maxMs: sorted.at(-1) ?? Number.NaN, rps: times.length / SECONDS };
}

const sim = await startSimulator({ port: 0, devices: DEVICES, seed: 11, username: "load@example.com", password: "load-bench-password" });
const ml = existsSync(MODEL) && !ML_OFF;
const argv = [
  "run",
  "--base-url", sim.url,
  "--username", "load@example.com",
  "--metrics-host", "127.0.0.1",
  "--metrics-port", "0",
  "--poll-interval", String(INTERVAL_S),
  "--page-size", String(PAGE_SIZE),
  // The simulator builds each device's day on its first page: thousands take minutes here.
  "--request-timeout", "600",
  "--warmup-hours", String(WARMUP_HOURS),
  ...(ml ? ["--ml-enabled", "true", "--ml-inference-interval", "1", "--model-path", MODEL] : ["--ml-enabled", "false"]),
];
const probe = LAG_FILE ? ["--preload", join(ROOT, "bench", "lag-probe.ts")] : [];
const monitor = Bun.spawn([process.execPath, ...probe, CLI, ...argv], { cwd: ROOT, env: childEnv({ NIGHTOWL_PASSWORD: "load-bench-password", ...(LAG_FILE ? { LAG_PROBE_FILE: LAG_FILE } : {}) }), stdout: "ignore", stderr: "pipe" });
const phases: { name: string; fromMs: number; toMs: number }[] = [];
const log = followPolls(monitor.stderr as ReadableStream<Uint8Array>);
const trace = args.includes("--trace") ? traceMemory(monitor.pid, log, () => (phases.length ? `(after ${phases.at(-1)!.name})` : "")) : undefined;
let result: Record<string, unknown>;
try {
  await until("metrics URL", () => /Serving metrics on (\S+)/.test(log.tail()), 20_000, log.tail);
  const url = /Serving metrics on (\S+)/.exec(log.tail())![1]!;
  // The first poll builds the simulator's day for every device; the load starts after it.
  const firstFrom = Date.now();
  await until("first poll", () => log.polls.length > 0, 1_800_000, log.tail);
  phases.push({ name: "first poll (the warm-up's history reads)", fromMs: firstFrom, toMs: Date.now() });

  // The first poll warms every device from the portal's recent history (analytics and scoring
  // windows); scrapes meanwhile are timed apart, until the first successful inference.
  const warmStart = Date.now();
  const warming: number[] = [];
  const scored = (text: string) => /^nightowl_ml_inferences_total\{[^}]*status="success"\} [1-9]/m.test(text);
  for (;;) {
    const t0 = performance.now();
    const text = await (await fetch(url)).text();
    warming.push(performance.now() - t0);
    if ((ml ? scored(text) : true) || Date.now() - warmStart > 120_000) break;
    await Bun.sleep(50);
  }
  const warmMs = Date.now() - warmStart;
  phases.push({ name: "first poll's warm-up", fromMs: warmStart, toMs: Date.now() });
  const warmSorted = Float64Array.from(warming).sort();

  const idle: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now();
    await (await fetch(url)).text();
    idle.push(performance.now() - t0);
  }
  const idleSorted = Float64Array.from(idle).sort();
  const exposition = await (await fetch(url)).text();
  const gzipBytes = (await (await fetch(url, { headers: { "accept-encoding": "gzip" }, decompress: false })).arrayBuffer()).byteLength;
  // CPU per poll: quiet intervals, no scrapes but this bench's.
  const quietPolls0 = log.polls.length;
  const cpu0 = cpuSeconds(monitor.pid);
  const quietFrom = Date.now();
  await Bun.sleep(QUIET_INTERVALS * INTERVAL_S * 1000);
  phases.push({ name: `${QUIET_INTERVALS} quiet intervals`, fromMs: quietFrom, toMs: Date.now() });
  const cpuPerPoll = (cpuSeconds(monitor.pid) - cpu0) / Math.max(1, log.polls.length - quietPolls0);
  const quietPolls = log.polls.length - quietPolls0;
  const series = exposition.split("\n").filter((l) => l && !l.startsWith("#")).length;

  const wrk = Bun.which("wrk");
  if (!wrk) console.warn("wrk not installed (Debian package wrk): falling back to a Bun fetch loop");
  let loading = true;
  const loggedPolls0 = log.polls.length;
  const watching = watchPolls(url, () => !loading);
  const latency: Latency[] = [];
  try {
    for (const connections of CONNECTION_LIST) {
      const fromMs = Date.now();
      latency.push(await (wrk ? loadWithWrk(wrk, url, connections) : loadWithFetch(url, connections)));
      phases.push({ name: `load, ${connections} connection${connections === 1 ? "" : "s"}`, fromMs, toMs: Date.now() });
    }
  } finally {
    loading = false;
  }
  const loadPolls = await watching;
  // The page watcher's own scrapes queue behind wrk's on a big page; the monitor's log counts every poll.
  const loggedUnderLoad = log.polls.length - loggedPolls0;
  // What live scoring did by the end: inference runs by status over all devices.
  const final = await (await fetch(url)).text();
  const inferences: Record<string, number> = {};
  for (const m of final.matchAll(/^nightowl_ml_inferences_total\{[^}]*status="([^"]+)"\} (\S+)$/gm)) inferences[m[1]!] = (inferences[m[1]!] ?? 0) + Number(m[2]);
  const mlSamples = final.split("\n").filter((l) => l.startsWith("nightowl_ml_")).length;
  const memory = processMemory(monitor.pid) ?? { rss: Number.NaN, peak: Number.NaN };
  const loadGaps = loadPolls.slice(1).map((p, i) => p.startedAt - loadPolls[i]!.startedAt);
  const stalls = readStalls();
  result = {
    devices: DEVICES,
    ml: ml ? "model models/global/leak_detector.json, scored every poll" : "off (no model file)",
    exposition: { bytes: exposition.length, gzipBytes, samples: series, mlSamples, inferences },
    cpu: { secondsPerPoll: cpuPerPoll, polls: quietPolls },
    memory,
    idle: { p50Ms: percentile(idleSorted, 0.5), p99Ms: percentile(idleSorted, 0.99) },
    warmUp: { seconds: warmMs / 1000, scrapes: warming.length, p50Ms: percentile(warmSorted, 0.5), maxMs: warmSorted.at(-1) ?? Number.NaN },
    latency,
    polls: {
      underLoad: loadPolls.length,
      loggedUnderLoad,
      allOk: loadPolls.every((p) => p.ok) && log.polls.every((n) => n === DEVICES),
      gapMinMs: Math.min(...loadGaps),
      gapMaxMs: Math.max(...loadGaps),
      durationMaxMs: Math.max(...loadPolls.map((p) => p.durationMs)),
    },
    ...(LAG_FILE ? { stalls: phases.map((p) => ({ phase: p.name, ...stallSummary(stalls, p.fromMs, p.toMs) })) } : {}),
  };
} finally {
  trace?.stop();
  monitor.kill("SIGTERM");
  await monitor.exited;
  await sim.stop();
  if (LAG_FILE) rmSync(LAG_FILE, { force: true });
}

if (args.includes("--json")) {
  console.log(JSON.stringify(result));
} else {
  const r = result as {
    devices: number; ml: string; cpu: { secondsPerPoll: number; polls: number }; memory: { rss: number; peak: number }; exposition: { bytes: number; gzipBytes: number; samples: number; mlSamples: number; inferences: Record<string, number> }; idle: { p50Ms: number; p99Ms: number }; warmUp: { seconds: number; scrapes: number; p50Ms: number; maxMs: number };
    latency: Latency[]; polls: { underLoad: number; loggedUnderLoad: number; allOk: boolean; gapMinMs: number; gapMaxMs: number; durationMaxMs: number };
    stalls?: { phase: string; longestWallMs: number; itsCpuMs: number; longestCpuMs: number; over20: number; over50: number }[];
  };
  const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
  console.log(`| measure | value |`);
  console.log(`|---|---|`);
  console.log(`| setup | \`run\` polling ${r.devices} devices × all default keys every ${INTERVAL_S} s; live scoring: ${r.ml} |`);
  const runs = Object.entries(r.exposition.inferences).map(([k, n]) => `${k} ${n}`).join(", ") || "none";
  console.log(`| CPU per poll (quiet, ${r.cpu.polls} polls) | ${f(r.cpu.secondsPerPoll, 3)} s |`);
  console.log(`| memory after the load / peak | ${f(r.memory.rss, 0)} MB / ${f(r.memory.peak, 0)} MB |`);
  console.log(`| exposition | ${r.exposition.samples} samples, ${f(r.exposition.bytes / 1024)} KiB (gzip ${f(r.exposition.gzipBytes / 1024)} KiB); ${r.exposition.mlSamples} of them \`nightowl_ml_*\` (inference runs by the end: ${runs}) |`);
  console.log(`| first poll's warm-up (${WARMUP_HOURS} h of history per device) until the first inference | ${f(r.warmUp.seconds)} s; ${r.warmUp.scrapes} scrapes one at a time meanwhile: p50 ${f(r.warmUp.p50Ms, 2)} ms, slowest ${f(r.warmUp.maxMs, 0)} ms |`);
  console.log(`| scrape latency after it, one at a time (50 scrapes) | p50 ${f(r.idle.p50Ms, 2)} ms, p99 ${f(r.idle.p99Ms, 2)} ms |`);
  for (const l of r.latency) {
    console.log(`| load, ${l.connections} connection${l.connections === 1 ? "" : "s"} | ${l.tool}: ${l.requests} scrapes, ${f(l.rps, 0)}/s, ${l.errors} errors |`);
    console.log(`| **scrape latency, ${l.connections} connection${l.connections === 1 ? "" : "s"}** | **p50 ${f(l.p50Ms, 2)} ms, p99 ${f(l.p99Ms, 2)} ms** (max ${f(l.maxMs, 1)} ms; target p99 < 100 ms at 10,000 devices) |`);
  }
  console.log(`| polls under load (all ${r.latency.length} loads) | ${r.polls.loggedUnderLoad} ended (the monitor's log), ${r.polls.underLoad} seen starting on the page, ${r.polls.allOk ? `each returning all ${r.devices} devices` : "NOT all complete"} |`);
  for (const st of r.stalls ?? []) {
    console.log(`| event loop's longest stall, ${st.phase} | ${f(st.longestWallMs)} ms (main thread's CPU in it ${f(st.itsCpuMs)} ms); longest by CPU ${f(st.longestCpuMs)} ms; ${st.over20} stalls ≥ 20 ms, ${st.over50} ≥ 50 ms |`);
  }
  console.log(`| poll start to poll start under load | ${f(r.polls.gapMinMs / 1000, 3)}–${f(r.polls.gapMaxMs / 1000, 3)} s (interval ${INTERVAL_S} s); longest poll ${f(r.polls.durationMaxMs, 0)} ms |`);
}
