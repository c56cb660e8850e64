/**
 * Many accounts: `nightowl run` (from source) with an accounts file of N accounts × M devices
 * on one simulator, against K separate processes each watching N/K of the accounts. Reports
 * the resident memory (VmRSS) summed over the processes and their CPU seconds per poll over
 * two intervals, once every account has been polled.
 *
 *   bun bench/accounts.ts [--accounts 300] [--devices 5] [--processes 1,4] [--interval 10] [--portal-concurrency 4] [--json]
 *
 * Warm-up and scoring are off, so the figures are the cost of the accounts themselves
 * (clients, tokens, polls, the per-device families). Figures are reported, never asserted.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "../src/sim/server.ts";
import { followLines, until } from "./child-log.ts";

const ROOT = join(import.meta.dir, "..");
const CLI = join(ROOT, "src", "cli.ts");
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);
const ACCOUNTS = Number(option("--accounts", "300"));
const DEVICES = Number(option("--devices", "5"));
const PROCESSES = option("--processes", "1,4").split(",").map(Number);
const INTERVAL_S = Number(option("--interval", "10"));
/** Portal calls in flight per process (NIGHTOWL_PORTAL_CONCURRENCY). */
const CONCURRENCY = option("--portal-concurrency", "4");

function env(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("NIGHTOWL_") && v !== undefined) out[k] = v;
  return out;
}

const cpuSeconds = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
};
const rssMb = (pid: number) => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024;

// A day cache for every device: the default (sized by devices per account) would rebuild days every poll.
const sim = await startSimulator({ port: 0, accounts: ACCOUNTS, devices: DEVICES, seed: 21, dayCacheSize: 2 * ACCOUNTS * DEVICES + 16 });
const dir = mkdtempSync(join(tmpdir(), "nightowl-bench-accounts-"));
sim.accounts.forEach((a, i) => writeFileSync(join(dir, `a${i}.password`), a.password));
const entries = sim.accounts.map((a, i) => ({ label: `a${i}`, username: a.username, passwordFile: `a${i}.password` }));

const results: { processes: number; rssMb: number; cpuPerPollS: number; devices: number }[] = [];
try {
  for (const k of PROCESSES) {
    const per = Math.ceil(ACCOUNTS / k);
    const procs = Array.from({ length: k }, (_, j) => {
      const file = join(dir, `accounts-${k}-${j}.json`);
      writeFileSync(file, JSON.stringify(entries.slice(j * per, (j + 1) * per)));
      const proc = Bun.spawn([process.execPath, CLI, "run", "--base-url", sim.url, "--metrics-host", "127.0.0.1", "--metrics-port", "0", "--poll-interval", String(INTERVAL_S), "--warmup-hours", "0", "--portal-concurrency", CONCURRENCY, "--ml-enabled", "false", "--log-level", "info"], {
        cwd: ROOT,
        env: { ...env(), NIGHTOWL_ACCOUNTS_FILE: file },
        stdout: "ignore",
        stderr: "pipe",
      });
      const polls: number[] = [];
      const { tail } = followLines(proc.stderr as ReadableStream<Uint8Array>, (line) => {
        const m = /\[INFO\] Polled (\d+) device\(s\)/.exec(line);
        if (m) polls.push(Number(m[1]));
      });
      return { proc, polls, tail };
    });
    try {
      for (const p of procs) await until("first poll", () => p.polls.length > 0, 600_000, p.tail);
      const before = procs.map((p) => ({ cpu: cpuSeconds(p.proc.pid), polls: p.polls.length }));
      await Bun.sleep(2 * INTERVAL_S * 1000);
      const cpuPerPollS = procs.reduce((sum, p, j) => sum + (cpuSeconds(p.proc.pid) - before[j]!.cpu) / Math.max(1, p.polls.length - before[j]!.polls), 0);
      results.push({ processes: k, rssMb: procs.reduce((s, p) => s + rssMb(p.proc.pid), 0), cpuPerPollS, devices: procs.reduce((s, p) => s + (p.polls.at(-1) ?? 0), 0) });
    } finally {
      for (const p of procs) p.proc.kill("SIGTERM");
      await Promise.all(procs.map((p) => p.proc.exited));
    }
  }
} finally {
  await sim.stop();
}

if (args.includes("--json")) console.log(JSON.stringify(results));
else {
  console.log(`| ${ACCOUNTS} accounts × ${DEVICES} devices | devices polled | RSS, all processes | CPU per poll, all processes |`);
  console.log("| --- | --- | --- | --- |");
  for (const r of results) console.log(`| ${r.processes} process${r.processes > 1 ? "es" : ""} | ${r.devices} | ${r.rssMb.toFixed(0)} MB | ${r.cpuPerPollS.toFixed(3)} s |`);
}
