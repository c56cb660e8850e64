/**
 * fetch-history throughput and memory. The simulator runs in this process; each case runs
 * `fetchHistory` in a child process over loopback HTTP, sampling the child's RSS every 20 ms,
 * so the simulator's own memory is not counted.
 *
 *   bun bench/fetch-history.ts [--devices 5] [--days 90] [--json]
 *
 * Cases: 30 days (at most `--days`) written to each format alone and streamed into
 * VictoriaMetrics when the binary is installed, then all three formats for 30 and for `--days`
 * days, and with 1-day windows: points per second and peak RSS. Memory should stay flat as the
 * days grow (windows are streamed).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "../src/sim/server.ts";

const DAY_MS = 86_400_000;

interface CaseResult {
  points: number;
  seconds: number;
  peakRssMb: number;
  baseRssMb: number;
  requests: number;
}

if (process.argv[2] === "--child") {
  await child(JSON.parse(process.argv[3]!));
} else {
  await parent();
}

async function parent(): Promise<void> {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const devices = arg("--devices", 5);
  const days = arg("--days", 90);
  const json = process.argv.includes("--json");
  // Every simulated day cached, and generated once by a warm-up run, so the figures measure
  // fetch-history rather than the simulator's generator.
  const sim = await startSimulator({ devices, seed: 3, historyDays: days + 1, dayCacheSize: devices * (days + 3) });
  const until = Math.floor(sim.now() / DAY_MS) * DAY_MS;
  const account = sim.accounts[0]!;
  const victoria = Bun.which("victoria-metrics");
  let vm: ReturnType<typeof Bun.spawn> | undefined;
  let vmUrl: string | undefined;
  if (victoria) {
    const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = probe.port;
    probe.stop(true);
    vmUrl = `http://127.0.0.1:${port}`;
    vm = Bun.spawn([victoria, `-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${mkdtempSync(join(tmpdir(), "bench-vm-"))}`, "-retentionPeriod=100y"], { stdout: "ignore", stderr: "ignore" });
    for (let i = 0; i < 100; i++) {
      if (await fetch(`${vmUrl}/health`).then((r) => r.ok).catch(() => false)) break;
      await Bun.sleep(100);
    }
  }
  const short = Math.min(30, days);
  const cases: { name: string; days: number; formats: string[]; importUrl?: string; windowDays?: number }[] = [
    { name: "warm-up", days, formats: ["ndjson"] },
    { name: "csv", days: short, formats: ["csv"] },
    { name: "openmetrics", days: short, formats: ["openmetrics"] },
    { name: "ndjson", days: short, formats: ["ndjson"] },
    ...(vmUrl ? [{ name: "VictoriaMetrics import", days: short, formats: [] as string[], importUrl: vmUrl }] : []),
    { name: "csv+openmetrics+ndjson", days: short, formats: ["csv", "openmetrics", "ndjson"] },
    { name: "csv+openmetrics+ndjson", days, formats: ["csv", "openmetrics", "ndjson"] },
    { name: "csv+openmetrics+ndjson, --window-days 1", days, formats: ["csv", "openmetrics", "ndjson"], windowDays: 1 },
  ];
  const rows: (CaseResult & { name: string; days: number })[] = [];
  try {
    for (const c of cases) {
      const out = mkdtempSync(join(tmpdir(), "bench-fetch-"));
      const spec = { url: sim.url, username: account.username, password: account.password, since: until - c.days * DAY_MS, until, formats: c.formats, importUrl: c.importUrl, windowDays: c.windowDays, out };
      const proc = Bun.spawn([process.execPath, import.meta.path, "--child", JSON.stringify(spec)], { stdout: "pipe", stderr: "inherit" });
      const text = await new Response(proc.stdout).text();
      if ((await proc.exited) !== 0) throw new Error(`case ${c.name} failed`);
      if (c.name !== "warm-up") rows.push({ name: c.name, days: c.days, ...(JSON.parse(text) as CaseResult) });
      rmSync(out, { recursive: true, force: true });
    }
  } finally {
    vm?.kill();
    await sim.stop();
  }
  if (json) {
    console.log(JSON.stringify({ devices, rows }, null, 2));
    return;
  }
  console.log(`${devices} simulated devices, 1-minute samples, every key they report; limit 50000, ${process.env.BENCH_WINDOW_DAYS ?? 7}-day windows, concurrency ${process.env.BENCH_CONCURRENCY ?? 4}.\n`);
  console.log("| output | days | points | seconds | points/s | peak RSS (MB) | RSS before (MB) |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.days} | ${r.points.toLocaleString("en-US")} | ${r.seconds.toFixed(1)} | ${Math.round(r.points / r.seconds).toLocaleString("en-US")} | ${r.peakRssMb.toFixed(0)} | ${r.baseRssMb.toFixed(0)} |`);
  }
}

async function child(spec: { url: string; username: string; password: string; since: number; until: number; formats: string[]; importUrl?: string; windowDays?: number; out: string }): Promise<void> {
  const { NightowlClient } = await import("../src/nightowl/client.ts");
  const { fetchHistory } = await import("../src/history/fetch-run.ts");
  const { portalSource } = await import("../src/history/portal-source.ts");
  const { DEFAULT_ATTRIBUTE_KEYS, DEFAULT_TIMESERIES_KEYS } = await import("../src/nightowl/keys.ts");
  Bun.gc(true);
  const baseRss = process.memoryUsage().rss;
  let peak = baseRss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const client = new NightowlClient({ baseUrl: spec.url, username: spec.username, password: spec.password, timeoutMs: 120_000 });
  const started = performance.now();
  const result = await fetchHistory({
    source: portalSource(client, { attributeKeys: DEFAULT_ATTRIBUTE_KEYS, pageSize: 5 }),
    baseUrl: spec.url,
    username: spec.username,
    keys: DEFAULT_TIMESERIES_KEYS,
    since: String(spec.since),
    until: String(spec.until),
    outputDir: spec.out,
    formats: spec.formats as ("csv" | "openmetrics" | "ndjson")[],
    importUrl: spec.importUrl,
    windowMs: (spec.windowDays ?? Number(process.env.BENCH_WINDOW_DAYS ?? 7)) * DAY_MS,
    concurrency: Number(process.env.BENCH_CONCURRENCY ?? 4),
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  const out: CaseResult = { points: result.points, seconds, peakRssMb: peak / 2 ** 20, baseRssMb: baseRss / 2 ** 20, requests: result.requests };
  process.stdout.write(JSON.stringify(out));
}
