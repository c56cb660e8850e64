/**
 * The release binary: its size; cold-start time of `nightowl --version` (median of 20), of
 * `nightowl poll-once --demo` (median of 5; it starts the embedded simulator too) and of
 * `nightowl poll-once` against a 5-device simulator in another process (median of 5); and the
 * resident memory of `nightowl run` over an hour of simulated time — against that 5-device
 * simulator (so the figure is the monitor's alone), and of `run --demo` (3 devices, the
 * simulator inside the process; the demo has no device-count flag).
 *
 *   bun bench/release.ts [--no-build] [--minutes 1] [--json]
 *
 * Builds dist/nightowl with `make build` first unless --no-build. The simulator runs at 60×,
 * so one real minute is one simulated hour; VmRSS is read from /proc/<pid>/status every second.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { childEnv, followPolls, processMemory, ROOT, until } from "./child-log.ts";

const BIN = join(ROOT, "dist", "nightowl");
const SPEED = 60;
const DEVICES = 5;

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const minutes = Number(flag("--minutes") ?? 1);
if (!(minutes > 0)) throw new Error(`--minutes ${flag("--minutes")}: expected a positive number`);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Wall time of one run to its end, ms; throws if it fails. */
async function timed(argv: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<number> {
  const t0 = performance.now();
  const proc = Bun.spawn([BIN, ...argv], { cwd, env: childEnv(extraEnv), stdout: "ignore", stderr: "pipe" });
  const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  const ms = performance.now() - t0;
  if (code !== 0) throw new Error(`nightowl ${argv.join(" ")} exited ${code}: ${err.slice(-500)}`);
  return ms;
}

interface RunMemory {
  devices: number;
  polls: number;
  startMb: number;
  endMb: number;
  peakMb: number;
}

/** Starts `nightowl run …`, waits for its first poll, then samples its memory for `ms`. */
async function runMemory(argv: string[], extraEnv: Record<string, string>, cwd: string, ms: number): Promise<RunMemory> {
  const proc = Bun.spawn([BIN, "run", ...argv], { cwd, env: childEnv(extraEnv), stdout: "ignore", stderr: "pipe" });
  const log = followPolls(proc.stderr as ReadableStream<Uint8Array>);
  try {
    await until("first poll", () => log.polls.length > 0, 30_000);
    const start = processMemory(proc.pid)!;
    const rss: number[] = [start.rss];
    const end = Date.now() + ms;
    while (Date.now() < end) {
      await Bun.sleep(1_000);
      if (proc.exitCode !== null) throw new Error(`nightowl run exited ${proc.exitCode}: ${log.tail().slice(-1000)}`);
      rss.push(processMemory(proc.pid)!.rss);
    }
    const last = processMemory(proc.pid)!;
    return { devices: log.polls.at(-1) ?? 0, polls: log.polls.length, startMb: start.rss, endMb: last.rss, peakMb: Math.max(last.peak, ...rss) };
  } finally {
    proc.kill("SIGTERM");
    await proc.exited;
  }
}

async function freePort(): Promise<number> {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}

// ---------------------------------------------------------------------------------------------

if (!args.includes("--no-build") || !existsSync(BIN)) {
  const build = Bun.spawnSync(["make", "build"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if (build.exitCode !== 0) throw new Error(`make build failed: ${build.stderr.toString()}`);
}
const dir = mkdtempSync(join(tmpdir(), "nightowl-release-"));
try {
  const sizeMb = statSync(BIN).size / 1024 / 1024;
  const versionLine = Bun.spawnSync([BIN, "--version"], { env: childEnv() }).stdout.toString().trim();

  await timed(["--version"], dir); // the page cache, as on any second start
  const versionMs: number[] = [];
  for (let i = 0; i < 20; i++) versionMs.push(await timed(["--version"], dir));
  const pollMs: number[] = [];
  for (let i = 0; i < 5; i++) pollMs.push(await timed(["poll-once", "--demo"], dir));

  // A 5-device portal in its own process, at 60× so a real minute is a simulated hour.
  const simPort = await freePort();
  const creds = { NIGHTOWL_USERNAME: "bench@example.com", NIGHTOWL_PASSWORD: "bench-password" };
  const sim = Bun.spawn(
    [BIN, "simulate", "--port", String(simPort), "--devices", String(DEVICES), "--speed", String(SPEED), "--history-days", "2", "--username", creds.NIGHTOWL_USERNAME, "--password", creds.NIGHTOWL_PASSWORD],
    { cwd: dir, env: childEnv(), stdout: "pipe", stderr: "ignore" },
  );
  const simOut = followPolls(sim.stdout as ReadableStream<Uint8Array>).tail;
  let monitorMem: RunMemory;
  let demoMem: RunMemory;
  let modelNote = "";
  const pollPortalMs: number[] = [];
  try {
    await until("simulator banner", () => simOut().includes("listening on"), 20_000);
    const portal = { ...creds, NIGHTOWL_BASE_URL: `http://127.0.0.1:${simPort}` };
    await timed(["poll-once"], dir, portal); // the simulator computes each device's day once
    for (let i = 0; i < 5; i++) pollPortalMs.push(await timed(["poll-once"], dir, portal));
    // A model, so live scoring does its full work.
    const model = join(dir, "model.json");
    const train = Bun.spawnSync([BIN, "train", "--from-nightowl", "--days", "1", "--model-path", model], { cwd: dir, env: childEnv(portal), stdout: "pipe", stderr: "pipe" });
    modelNote = train.exitCode === 0 ? "with a model trained on 1 day" : `no model (train exited ${train.exitCode})`;
    const ml = train.exitCode === 0 ? ["--ml-enabled", "true", "--ml-inference-interval", "1", "--model-path", model] : [];
    const ms = minutes * 60_000;
    [monitorMem, demoMem] = await Promise.all([
      runMemory(["--metrics-host", "127.0.0.1", "--metrics-port", "0", "--poll-interval", "10", ...ml], portal, dir, ms),
      runMemory(["--demo", "--metrics-port", "0", "--ml-inference-interval", "1", ...(train.exitCode === 0 ? ["--model-path", model] : [])], {}, dir, ms),
    ]);
  } finally {
    sim.kill("SIGTERM");
    await sim.exited;
  }

  const result = {
    binary: versionLine,
    sizeMb,
    versionMedianMs: median(versionMs),
    pollOnceDemoMedianMs: median(pollMs),
    pollOncePortalMedianMs: median(pollPortalMs),
    run: monitorMem,
    runDemo: demoMem,
    simulatedHours: minutes,
    modelNote,
  };
  if (args.includes("--json")) {
    console.log(JSON.stringify(result));
  } else {
    const f = (n: number, d = 1) => n.toFixed(d);
    const mem = (m: RunMemory) => `${f(m.startMb)} MiB after the first poll, ${f(m.endMb)} MiB at the end, peak ${f(m.peakMb)} MiB (${m.polls} polls of ${m.devices} devices)`;
    console.log(`\`${versionLine}\`, ${process.platform}-${process.arch}\n`);
    console.log("| Measure | Value |");
    console.log("|---|---|");
    console.log(`| dist/nightowl size | ${f(sizeMb)} MiB |`);
    console.log(`| cold start, \`nightowl --version\` (median of 20) | ${f(result.versionMedianMs, 0)} ms |`);
    console.log(`| cold start, \`nightowl poll-once --demo\` (median of 5) | ${f(result.pollOnceDemoMedianMs, 0)} ms |`);
    console.log(`| cold start, \`nightowl poll-once\` of ${DEVICES} devices on a simulator in another process (median of 5) | ${f(result.pollOncePortalMedianMs, 0)} ms |`);
    console.log(`| RSS of \`nightowl run\`, ${DEVICES} devices, ${minutes} simulated hour(s), ${modelNote} | ${mem(monitorMem)} |`);
    console.log(`| RSS of \`nightowl run --demo\` (3 devices, simulator in-process), ${minutes} simulated hour(s) | ${mem(demoMem)} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
