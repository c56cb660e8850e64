/**
 * Many accounts: `nightowl run` (from source) with an accounts file of N accounts × M devices
 * on one simulator, against K separate processes each watching N/K of the accounts. Reports
 * the resident memory (VmRSS) summed over the processes and their CPU seconds per poll over
 * two intervals, once every account has been polled.
 *
 *   bun bench/accounts.ts [--accounts 300] [--devices 5] [--processes 1,4,300] [--batch 50] [--interval 10] [--portal-concurrency 4] [--json]
 *
 * With `--batch B`, K processes run B at a time and the turns' figures are summed.
 *
 * Warm-up and scoring are off, so the figures are the cost of the accounts themselves
 * (clients, tokens, polls, the per-device families). Figures are reported, never asserted.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "../src/sim/server.ts";
import { childEnv, CLI, cpuSeconds, followPolls, processMemory, ROOT, until } from "./child-log.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);
const ACCOUNTS = Number(option("--accounts", "300"));
const DEVICES = Number(option("--devices", "5"));
const PROCESSES = option("--processes", "1,4").split(",").map(Number);
const INTERVAL_S = Number(option("--interval", "10"));
/** Portal calls in flight per process (NIGHTOWL_PORTAL_CONCURRENCY). */
const CONCURRENCY = option("--portal-concurrency", "4");
/** Processes running at once: 300 processes of about 64 MB each do not fit beside the simulator on a small machine. */
const BATCH = Number(option("--batch", "1000"));

// A day cache for every device: the default (sized by devices per account) would rebuild days every poll.
const sim = await startSimulator({ port: 0, accounts: ACCOUNTS, devices: DEVICES, seed: 21, dayCacheSize: 2 * ACCOUNTS * DEVICES + 16 });
const dir = mkdtempSync(join(tmpdir(), "nightowl-bench-accounts-"));
sim.accounts.forEach((a, i) => writeFileSync(join(dir, `a${i}.password`), a.password));
const entries = sim.accounts.map((a, i) => ({ label: `a${i}`, username: a.username, passwordFile: `a${i}.password` }));

/** What a group of processes running at once cost: RSS summed, CPU per poll summed, devices in their last polls. */
interface Cost {
  rssMb: number;
  cpuPerPollS: number;
  devices: number;
}

async function measureTogether(k: number, files: readonly string[]): Promise<Cost> {
  const procs = files.map((file) => {
    const proc = Bun.spawn([process.execPath, CLI, "run", "--base-url", sim.url, "--metrics-host", "127.0.0.1", "--metrics-port", "0", "--poll-interval", String(INTERVAL_S), "--warmup-hours", "0", "--portal-concurrency", CONCURRENCY, "--ml-enabled", "false", "--log-level", "info"], {
      cwd: ROOT,
      env: childEnv({ NIGHTOWL_ACCOUNTS_FILE: file }),
      stdout: "ignore",
      stderr: "pipe",
    });
    return { proc, ...followPolls(proc.stderr as ReadableStream<Uint8Array>) };
  });
  try {
    for (const p of procs) {
      await until(`first poll (${k} processes)`, () => p.polls.length > 0 || p.proc.exitCode !== null, 600_000, p.tail);
      if (p.proc.exitCode !== null) throw new Error(`a monitor exited (${p.proc.exitCode}) before its first poll:\n${p.tail()}`);
    }
    const before = procs.map((p) => ({ cpu: cpuSeconds(p.proc.pid), polls: p.polls.length }));
    await Bun.sleep(2 * INTERVAL_S * 1000);
    return {
      rssMb: procs.reduce((s, p) => s + (processMemory(p.proc.pid)?.rss ?? Number.NaN), 0),
      cpuPerPollS: procs.reduce((sum, p, j) => sum + (cpuSeconds(p.proc.pid) - before[j]!.cpu) / Math.max(1, p.polls.length - before[j]!.polls), 0),
      devices: procs.reduce((s, p) => s + (p.polls.at(-1) ?? 0), 0),
    };
  } finally {
    for (const p of procs) p.proc.kill("SIGTERM");
    await Promise.all(procs.map((p) => p.proc.exited));
  }
}

const results: ({ processes: number; batches: number } & Cost)[] = [];
try {
  for (const k of PROCESSES) {
    const per = Math.ceil(ACCOUNTS / k);
    const files = Array.from({ length: k }, (_, j) => {
      const file = join(dir, `accounts-${k}-${j}.json`);
      writeFileSync(file, JSON.stringify(entries.slice(j * per, (j + 1) * per)));
      return file;
    });
    // Processes past --batch run in turns: each turn's figures are summed, as if all ran at once
    // (each process polls only its own accounts, so a turn's cost does not depend on the others).
    const total: Cost = { rssMb: 0, cpuPerPollS: 0, devices: 0 };
    let batches = 0;
    for (let b = 0; b < k; b += BATCH, batches++) {
      const cost = await measureTogether(k, files.slice(b, b + BATCH));
      total.rssMb += cost.rssMb;
      total.cpuPerPollS += cost.cpuPerPollS;
      total.devices += cost.devices;
    }
    results.push({ processes: k, batches, ...total });
  }
} finally {
  await sim.stop();
}

if (args.includes("--json")) console.log(JSON.stringify(results));
else {
  console.log(`| ${ACCOUNTS} accounts × ${DEVICES} devices | devices polled | RSS, all processes | CPU per poll, all processes |`);
  console.log("| --- | --- | --- | --- |");
  for (const r of results) console.log(`| ${r.processes} process${r.processes > 1 ? "es" : ""}${r.batches > 1 ? ` (${r.batches} turns)` : ""} | ${r.devices} | ${r.rssMb.toFixed(0)} MB | ${r.cpuPerPollS.toFixed(3)} s |`);
}
