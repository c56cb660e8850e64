/**
 * The original monitor and nightowl, one after the other in one run, against the same simulated
 * portal: CPU seconds per poll, memory, the page and its scrape time. The reference
 * figures for the original were read on another machine, and CPU per poll on two machines of
 * the same kind here differed by nearly 2× for the same commit; a ratio read in one run is the
 * figure to trust.
 *
 *   bun bench/side-by-side.ts --original DIR [--devices 2000] [--python /usr/bin/python3] [--settle 3] [--quiet-intervals 6] [--monitors original,off,live] [--json]
 *
 * DIR is a checkout of the original monitor (`git clone https://github.com/dgorman/nightowl`);
 * it runs as it is, from its own source, with Debian's python3-requests and
 * python3-prometheus-client (its ML needs more and is off, as the issue measured it). Each
 * monitor polls every 10 s, the configurable minimum: the original asks for every device in
 * one page (it reads only the first), nightowl in pages of 1000 (its limit). nightowl runs twice,
 * with the ML off (the original's setting, `off`) and with live scoring (`live`); `--monitors`
 * picks which run, the first being the one the others are compared with.
 *
 * CPU per poll is what a process used over `--quiet-intervals` 10-second intervals after its
 * first `--settle` polls (the warm-up's history reads and the simulator's first build of each
 * device's day are behind it), divided by the polls it logged meanwhile. nightowl's runtime
 * compiles its hot code over its first minutes, on threads of its own that count here: at 50
 * devices a poll costs about twice as much after three polls as after twenty; six intervals are one minute of the
 * simulator's 1-minute readings, so every device's new row is read and scored once in the window.
 * Figures are reported, never asserted.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { startSimulator } from "../src/sim/server.ts";
import { childEnv, CLI, cpuSeconds, followLines, MODEL, numberArg, processMemory, ROOT, until } from "./child-log.ts";

const args = process.argv.slice(2);
const textArg = (name: string, fallback?: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const DEVICES = numberArg("--devices", 2000, (v) => Number.isInteger(v) && v > 0, "a whole number of devices");
const QUIET_INTERVALS = numberArg("--quiet-intervals", 6, (v) => Number.isInteger(v) && v > 0, "a whole number of intervals");
const SETTLE = numberArg("--settle", 3, (v) => Number.isInteger(v) && v > 0, "a whole number of polls");
const ORIGINAL = textArg("--original");
const PYTHON = textArg("--python", "/usr/bin/python3")!;
const INTERVAL_S = 10;
const USER = "load@example.com";
const PASSWORD = "side-by-side-password";

if (!ORIGINAL || !existsSync(join(ORIGINAL, "src", "nightowl_monitor", "poller.py"))) {
  throw new Error(`--original ${ORIGINAL ?? "(missing)"}: expected a checkout of the original monitor (git clone https://github.com/dgorman/nightowl DIR)`);
}
const imports = Bun.spawnSync([PYTHON, "-c", "import requests, prometheus_client"], { stderr: "pipe" });
if (imports.exitCode !== 0) throw new Error(`${PYTHON} cannot import requests and prometheus_client (Debian: apt-get install python3-requests python3-prometheus-client)`);

interface Subject {
  name: string;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  /** A line the monitor logs once a poll. */
  pollLine: RegExp;
  /** Where it serves its page, from its log. */
  metricsUrl: (log: string) => string | undefined;
}

interface Reading {
  name: string;
  cpuPerPoll: number;
  polls: number;
  rss: number;
  peak: number;
  pageBytes: number;
  samples: number;
  scrapeP50Ms: number;
  scrapeMaxMs: number;
}

const sim = await startSimulator({ port: 0, devices: DEVICES, seed: 11, username: USER, password: PASSWORD });
const ORIGINAL_PORT = 20_000 + (process.pid % 20_000);

function original(): Subject {
  return {
    name: "original (Python, ML off)",
    argv: [PYTHON, "-m", "nightowl_monitor"],
    cwd: ORIGINAL!,
    env: childEnv({
      PYTHONPATH: join(ORIGINAL!, "src"),
      NIGHTOWL_USERNAME: USER,
      NIGHTOWL_PASSWORD: PASSWORD,
      NIGHTOWL_BASE_URL: sim.url,
      NIGHTOWL_POLL_INTERVAL_SECONDS: String(INTERVAL_S),
      NIGHTOWL_PAGE_SIZE: String(DEVICES),
      NIGHTOWL_METRICS_HOST: "127.0.0.1",
      NIGHTOWL_METRICS_PORT: String(ORIGINAL_PORT),
      NIGHTOWL_ML_ENABLED: "false",
    }),
    pollLine: /Authenticated successfully/,
    metricsUrl: (log) => (/listening on/.test(log) ? `http://127.0.0.1:${ORIGINAL_PORT}/` : undefined),
  };
}

function nightowl(ml: boolean): Subject {
  return {
    name: ml ? "nightowl (live scoring)" : "nightowl (ML off)",
    argv: [
      process.execPath, CLI, "run",
      "--base-url", sim.url,
      "--username", USER,
      "--metrics-host", "127.0.0.1",
      "--metrics-port", "0",
      "--poll-interval", String(INTERVAL_S),
      "--page-size", "1000",
      "--request-timeout", "600",
      ...(ml ? ["--ml-enabled", "true", "--ml-inference-interval", "1", "--model-path", MODEL] : ["--ml-enabled", "false"]),
    ],
    cwd: ROOT,
    env: childEnv({ NIGHTOWL_PASSWORD: PASSWORD }),
    pollLine: /Polled \d+ device/,
    metricsUrl: (log) => /Serving metrics on (\S+)/.exec(log)?.[1],
  };
}

async function measure(subject: Subject): Promise<Reading> {
  const child = Bun.spawn(subject.argv, { cwd: subject.cwd, env: subject.env, stdout: "pipe", stderr: "pipe" });
  let polls = 0;
  const count = (line: string) => {
    if (subject.pollLine.test(line)) polls++;
  };
  // Both streams are drained: the original logs every device's values each poll.
  const out = followLines(child.stdout as ReadableStream<Uint8Array>, count);
  const err = followLines(child.stderr as ReadableStream<Uint8Array>, count);
  const tail = () => out.tail() + err.tail();
  try {
    await until(`${subject.name}: metrics URL`, () => subject.metricsUrl(tail()) !== undefined, 30_000, tail);
    const url = subject.metricsUrl(tail())!;
    // The first (the warm-up, the simulator's first build of every day) is behind.
    await until(`${subject.name}: ${SETTLE} polls`, () => polls >= SETTLE, 1_800_000 + SETTLE * INTERVAL_S * 2000, tail);
    const polls0 = polls;
    const cpu0 = cpuSeconds(child.pid);
    await Bun.sleep(QUIET_INTERVALS * INTERVAL_S * 1000);
    const cpuPerPoll = (cpuSeconds(child.pid) - cpu0) / Math.max(1, polls - polls0);
    const windowPolls = polls - polls0;
    // Timed as Prometheus reads a page: gzip asked for, the bytes taken as they come (nightowl
    // serves gzip, the original does not), not decompressed and decoded by this process.
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await (await fetch(url, { headers: { "accept-encoding": "gzip" }, decompress: false })).arrayBuffer();
      times.push(performance.now() - t0);
    }
    const page = await (await fetch(url)).text();
    times.sort((a, b) => a - b);
    const memory = processMemory(child.pid) ?? { rss: Number.NaN, peak: Number.NaN };
    return {
      name: subject.name,
      cpuPerPoll,
      polls: windowPolls,
      ...memory,
      pageBytes: page.length,
      samples: page.split("\n").filter((l) => l && !l.startsWith("#")).length,
      scrapeP50Ms: times[Math.floor(times.length / 2)]!,
      scrapeMaxMs: times.at(-1)!,
    };
  } finally {
    child.kill("SIGTERM");
    await child.exited;
  }
}

const MONITORS: Record<string, () => Subject> = { original, off: () => nightowl(false), live: () => nightowl(true) };
const chosen = (textArg("--monitors") ?? "original,off,live").split(",");
if (!chosen.length || !chosen.every((m) => m in MONITORS)) throw new Error(`--monitors ${chosen.join(",")}: expected a comma-separated list of ${Object.keys(MONITORS).join(", ")}`);
if (chosen.includes("live") && !existsSync(MODEL)) throw new Error(`--monitors live needs the global model at ${MODEL}`);

const readings: Reading[] = [];
try {
  for (const subject of chosen.map((m) => MONITORS[m]!())) {
    console.error(`measuring ${subject.name} …`);
    readings.push(await measure(subject));
  }
} finally {
  await sim.stop();
}

const base = readings[0]!;
if (args.includes("--json")) {
  console.log(JSON.stringify({ devices: DEVICES, readings }, null, 2));
} else {
  const mb = (n: number) => `${n.toFixed(0)} MB`;
  console.log(`${DEVICES} devices, a poll every ${INTERVAL_S} s, CPU over ${QUIET_INTERVALS} intervals after ${SETTLE} polls; one run, one machine\n`);
  console.log(`| monitor | CPU per poll | vs ${base.name} | RSS / peak | page (samples) | scrape p50 / slowest of 20 (gzip asked) |`);
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const r of readings) {
    console.log(
      `| ${r.name} | ${r.cpuPerPoll.toFixed(3)} s (${r.polls} polls) | ${(r.cpuPerPoll / base.cpuPerPoll).toFixed(2)}× | ${mb(r.rss)} / ${mb(r.peak)} | ${(r.pageBytes / 1_048_576).toFixed(1)} MiB (${r.samples}) | ${r.scrapeP50Ms.toFixed(1)} / ${r.scrapeMaxMs.toFixed(1)} ms |`,
    );
  }
}
