/**
 * Soak: `nightowl run --demo` (3 devices, live scoring with the repository's model) over 30
 * simulated days in about four real minutes, with faults injected at random through the
 * embedded simulator's control endpoint: chaos (5xx, 429 with Retry-After, cut connections,
 * broken JSON, slow answers), full outages, expired tokens with a refused refresh, a device
 * dropped from the list. Reports resident memory (VmRSS from /proc) over the run, the polls
 * and scrapes, and whether every (device, key) series came back once the faults cleared.
 *
 *   bun bench/soak.ts [--days 30] [--seconds 240] [--interval 300] [--seed 1] [--json]
 *
 * `--demo-speed` is days × 86400 / seconds simulated seconds per real second (10 800 by
 * default: three simulated hours a second) and the poll interval is simulated time, so a
 * 300 s interval is a poll every 28 ms of real time, 8640 polls in all if each keeps up.
 * Figures are reported, never asserted.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { mulberry32 } from "../src/sim/random.ts";
import { followLines, until } from "./child-log.ts";

const ROOT = join(import.meta.dir, "..");
const CLI = join(ROOT, "src", "cli.ts");
const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} ${args[i + 1]}: expected a positive number`);
  return value;
};
const DAYS = flag("--days", 30);
const SECONDS = flag("--seconds", 240);
const INTERVAL_S = flag("--interval", 300);
const SEED = flag("--seed", 1);
const SPEED = (DAYS * 86_400) / SECONDS;

function env(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("NIGHTOWL_") && v !== undefined) out[k] = v;
  return out;
}

/** VmRSS of a process, MiB (Linux); NaN once it is gone. */
function rssMiB(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? Number.NaN) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** The monitor's log: the lines that matter, a count of warnings, and a tail. */
function follow(stream: ReadableStream<Uint8Array>) {
  const kept: string[] = [];
  let warnings = 0;
  const { tail } = followLines(stream, (line) => {
    if (/Demo: simulator|Serving metrics on|\[ERROR\]/.test(line)) kept.push(line);
    if (line.includes("[WARN]")) warnings++;
  });
  return { kept, tail, warnings: () => warnings };
}

interface Scrape {
  ok: boolean;
  ms: number;
  success: number;
  failures: number;
  successes: number;
  series: Set<string>;
}

async function scrape(url: string): Promise<Scrape> {
  const t0 = performance.now();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    const text = await response.text();
    const count = (status: string) => Number(new RegExp(`^nightowl_poll_attempts_total\\{[^}]*status="${status}"\\} (\\S+)$`, "m").exec(text)?.[1] ?? 0);
    const series = new Set<string>();
    for (const m of text.matchAll(/^nightowl_telemetry_value\{[^}]*device_id="([^"]+)"[^}]*key="([^"]+)"\} /gm)) series.add(`${m[1]}/${m[2]}`);
    return {
      ok: response.status === 200,
      ms: performance.now() - t0,
      success: Number(/^nightowl_last_poll_success\{[^}]*\} (\S+)$/m.exec(text)?.[1] ?? Number.NaN),
      failures: count("failure"),
      successes: count("success"),
      series,
    };
  } catch {
    return { ok: false, ms: performance.now() - t0, success: Number.NaN, failures: 0, successes: 0, series: new Set() };
  }
}

const missing = (want: Set<string>, got: Set<string>) => [...want].filter((s) => !got.has(s));

const monitor = Bun.spawn(
  [process.execPath, CLI, "run", "--demo", "--demo-speed", String(SPEED), "--poll-interval", String(INTERVAL_S), "--metrics-port", "0", "--ml-inference-interval", "12"],
  { cwd: ROOT, env: env(), stdout: "ignore", stderr: "pipe" },
);
const log = follow(monitor.stderr as ReadableStream<Uint8Array>);
const rss: { at: number; mib: number }[] = [];
const sampler = setInterval(() => rss.push({ at: Date.now(), mib: rssMiB(monitor.pid) }), 1_000);
const random = mulberry32(SEED);
const episodes: Record<string, number> = {};
let result: Record<string, unknown>;
try {
  await until("metrics URL", () => log.kept.some((l) => l.includes("Serving metrics on")), 30_000, log.tail);
  const url = /Serving metrics on (\S+)/.exec(log.kept.find((l) => l.includes("Serving metrics on"))!)![1]!;
  const sim = /Demo: simulator with \d+ devices at (\S+)/.exec(log.kept.find((l) => l.includes("Demo: simulator"))!)![1]!;
  const state = async () => (await (await fetch(`${sim}/__sim/state`)).json()) as { now: number; devices: { id: string }[] };
  const faults = (method: string, body?: unknown) => fetch(`${sim}/__sim/faults`, { method, body: body === undefined ? undefined : JSON.stringify(body) });

  await until("a good poll", async () => (await scrape(url)).success === 1, 30_000, log.tail);
  const first = await scrape(url);
  const baseline = first.series;
  const startRss = rssMiB(monitor.pid);
  const simStart = (await state()).now;
  const devices = (await state()).devices.map((d) => d.id);
  const realStart = Date.now();
  const realEnd = realStart + SECONDS * 1000;

  // Scrapes every 250 ms all along, as Prometheus would; each must answer.
  const scrapes: Scrape[] = [];
  let scraping = true;
  const scraper = (async () => {
    while (scraping) {
      scrapes.push(await scrape(url));
      await Bun.sleep(250);
    }
  })();

  // Episodes: a fault for 1–6 real s (3–18 simulated hours), then a quiet spell of 2–8 s.
  let recoveries = 0;
  const lostAfterRecovery: string[] = [];
  while (Date.now() < realEnd - 12_000) {
    const pick = random();
    let kind: string;
    if (pick < 0.45) {
      kind = "chaos";
      await faults("POST", { kind: "chaos", rate: 0.2 + 0.5 * random(), seed: Math.floor(random() * 1e9) });
    } else if (pick < 0.65) {
      kind = "outage";
      await faults("POST", { kind: "status", status: [500, 502, 503][Math.floor(random() * 3)], count: -1, retryAfterSeconds: 0 });
    } else if (pick < 0.8) {
      kind = "token";
      await faults("POST", [{ kind: "reject_refresh", count: 1 }, { kind: "expire_tokens" }]);
    } else if (pick < 0.9) {
      kind = "drop_device";
      await faults("POST", { kind: "drop_device", deviceId: devices[Math.floor(random() * devices.length)] });
    } else {
      kind = "slow";
      await faults("POST", { kind: "delay", delayMs: 200 + Math.floor(random() * 800) });
    }
    episodes[kind] = (episodes[kind] ?? 0) + 1;
    await Bun.sleep(1_000 + random() * 5_000);
    await faults("DELETE");
    // Once the faults clear, the next good poll must bring every series back.
    const clearedAt = (await scrape(url)).successes;
    await until("a good poll after the faults cleared", async () => {
      const s = await scrape(url);
      return s.successes >= clearedAt + 1 && s.success === 1;
    }, 30_000, log.tail);
    const back = await scrape(url);
    recoveries++;
    for (const s of missing(baseline, back.series)) lostAfterRecovery.push(`${kind}: ${s}`);
    await Bun.sleep(2_000 + random() * 6_000);
  }
  while (Date.now() < realEnd) await Bun.sleep(200);
  scraping = false;
  await scraper;

  const last = await scrape(url);
  const endRss = rssMiB(monitor.pid);
  const simEnd = (await state()).now;
  const polls = last.successes + last.failures - (first.successes + first.failures);
  const inRun = rss.filter((r) => r.at >= realStart);
  const quarter = (q: number) => inRun[Math.min(inRun.length - 1, Math.floor(q * inRun.length))]?.mib ?? Number.NaN;
  // The heap is collected lazily, so single samples swing by tens of MiB: compare the medians
  // of the first and the last minute (a leak shows as a rising median, not a high sample).
  const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;
  const firstMinute = medianOf(inRun.filter((r) => r.at < realStart + 60_000).map((r) => r.mib));
  const lastMinute = medianOf(inRun.filter((r) => r.at >= realEnd - 60_000).map((r) => r.mib));
  result = {
    days: DAYS,
    seconds: SECONDS,
    speed: SPEED,
    intervalS: INTERVAL_S,
    simulatedDays: (simEnd - simStart) / 86_400_000,
    polls,
    failedPolls: last.failures - first.failures,
    meanSimulatedIntervalS: (simEnd - simStart) / 1000 / polls,
    episodes,
    recoveries,
    lostAfterRecovery,
    seriesBaseline: baseline.size,
    seriesMissingAtEnd: missing(baseline, last.series),
    scrapes: scrapes.length,
    scrapesFailed: scrapes.filter((s) => !s.ok).length,
    scrapeMaxMs: Math.max(...scrapes.map((s) => s.ms)),
    warnings: log.warnings(),
    errors: log.kept.filter((l) => l.includes("[ERROR]")).slice(0, 5),
    rss: { start: startRss, q25: quarter(0.25), q50: quarter(0.5), q75: quarter(0.75), end: endRss, peak: Math.max(...inRun.map((r) => r.mib)), firstMinute, lastMinute },
  };
} finally {
  clearInterval(sampler);
  monitor.kill("SIGTERM");
  await monitor.exited;
}

if (args.includes("--json")) {
  console.log(JSON.stringify(result));
} else {
  const r = result as {
    simulatedDays: number; polls: number; failedPolls: number; meanSimulatedIntervalS: number; episodes: Record<string, number>; recoveries: number;
    lostAfterRecovery: string[]; seriesBaseline: number; seriesMissingAtEnd: string[]; scrapes: number; scrapesFailed: number; scrapeMaxMs: number;
    warnings: number; errors: string[]; rss: Record<"start" | "q25" | "q50" | "q75" | "end" | "peak" | "firstMinute" | "lastMinute", number>;
  };
  const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
  const eps = Object.entries(r.episodes).map(([k, n]) => `${k} ${n}`).join(", ");
  console.log(`| measure | value |`);
  console.log(`|---|---|`);
  console.log(`| setup | \`run --demo --demo-speed ${f(SPEED, 0)} --poll-interval ${INTERVAL_S}\`: 3 devices, live scoring, ${SECONDS} s real |`);
  console.log(`| simulated time covered | ${f(r.simulatedDays, 1)} days |`);
  console.log(`| polls | ${r.polls} (${r.failedPolls} failed), one per ${f(r.meanSimulatedIntervalS, 0)} simulated s on average (interval ${INTERVAL_S} s) |`);
  console.log(`| fault episodes (1–6 s real each) | ${r.recoveries}: ${eps} |`);
  console.log(`| series (device, key) missing after a fault cleared | ${r.lostAfterRecovery.length} of ${r.seriesBaseline} checked after each of ${r.recoveries} episodes${r.lostAfterRecovery.length ? `: ${r.lostAfterRecovery.slice(0, 5).join("; ")}` : ""} |`);
  console.log(`| series missing at the end | ${r.seriesMissingAtEnd.length} of ${r.seriesBaseline} |`);
  console.log(`| scrapes every 250 ms | ${r.scrapes}, ${r.scrapesFailed} failed, slowest ${f(r.scrapeMaxMs, 0)} ms |`);
  console.log(`| **resident memory (VmRSS)** | **start ${f(r.rss.start)} MiB → end ${f(r.rss.end)} MiB** (25 % ${f(r.rss.q25)}, 50 % ${f(r.rss.q50)}, 75 % ${f(r.rss.q75)}; peak ${f(r.rss.peak)} MiB) |`);
  console.log(`| median VmRSS, first vs last real minute | ${f(r.rss.firstMinute)} MiB vs ${f(r.rss.lastMinute)} MiB |`);
  console.log(`| log | ${r.warnings} warnings, ${r.errors.length} errors${r.errors.length ? `: ${r.errors.join(" / ")}` : ""} |`);
}
