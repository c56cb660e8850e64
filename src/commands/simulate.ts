/**
 * `nightowl simulate`: serve the embedded NightOwl-compatible portal on loopback until
 * SIGINT/SIGTERM, printing its URL and the demo accounts' credentials.
 */
import { renameSync, writeFileSync } from "node:fs";
import { dirname, basename, join } from "node:path";
import { Command } from "commander";
import { helpNotes } from "./help-text.ts";
import { NightowlError } from "../errors.ts";
import { createLogger, type LogFormat } from "../log.ts";
import { parseFaultArg } from "../sim/faults.ts";
import { parseScenarioArg, resolveScenarioArg, SCENARIO_KINDS, scenarioSizeHelp, truthCsv, type ScenarioArg } from "../sim/scenario.ts";
import { startSimulator, type Simulator, type SimulatorOptions } from "../sim/server.ts";
import { withFlagNames } from "./flag-names.ts";
import { print } from "./context.ts";
import { numberOption } from "./number-flags.ts";

function writeAtomic(path: string, text: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (error) {
    throw new NightowlError("E_IO", `cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

interface SimulateFlags {
  host: string;
  port: number;
  accounts: number;
  devices: number;
  seed: number;
  username?: string;
  password?: string;
  speed: number;
  historyDays: number;
  tokenTtl: number;
  refreshTtl: number;
  sampleInterval: number;
  denseDevices: number;
  /** Absent when not given: an empty default would print as `(default: [])` in --help. */
  scenario?: ScenarioArg[];
  truth?: string;
  fault?: unknown[];
  chaos: number;
  logFormat: string;
}

/** The start-up banner: URL, accounts with credentials, devices, scenarios, how to use it. */
export function simulatorBanner(sim: Simulator, flags: Pick<SimulateFlags, "seed" | "speed" | "historyDays">): string {
  const lines = [`NightOwl simulator listening on ${sim.url}  (seed ${flags.seed}, ${flags.speed}× simulated time, ${flags.historyDays} days of history)`, "", "Accounts (simulator demo credentials):"];
  sim.accounts.forEach((a, i) => {
    const count = sim.devices.filter((d) => d.accountIndex === i).length;
    lines.push(`  ${a.username}  password: ${a.password}  customer: ${a.customer} (${a.userLabel}), ${count} device${count === 1 ? "" : "s"}`);
  });
  lines.push("", "Devices (index  name  id  interval  keys):");
  sim.devices.forEach((d, i) => lines.push(`  ${String(i).padStart(3)}  ${d.name}  ${d.id}  ${d.sampleIntervalSeconds}s  ${d.keys.join(",")}`));
  const truth = sim.truth();
  if (truth.length) {
    lines.push("", "Scenarios:");
    for (const s of truth) lines.push(`  ${s.kind} on ${s.deviceId} from ${new Date(s.startMs).toISOString()}${s.endMs === null ? "" : ` to ${new Date(s.endMs).toISOString()}`}${s.size === null ? "" : ` size ${s.size}`}`);
  }
  const first = sim.accounts[0];
  lines.push(
    "",
    "Try:",
    `  NIGHTOWL_BASE_URL=${sim.url} NIGHTOWL_USERNAME=${first.username} NIGHTOWL_PASSWORD=${first.password} nightowl poll-once`,
    `  curl -X POST ${sim.url}/__sim/faults -d '{"kind":"status","status":503,"count":3}'`,
    "Stop with Ctrl-C.",
  );
  return lines.join("\n");
}

export function simulateCommand(): Command {
  return new Command("simulate")
    .description("Serve a simulated NightOwl portal (seeded well-system telemetry, history, faults) for demos and tests.")
    .option("--host <host>", "bind address", "127.0.0.1")
    .option("--port <port>", "TCP port (0 picks a free one)", numberOption("--port"), 8080)
    .option("--accounts <n>", "accounts (customers)", numberOption("--accounts"), 1)
    .option("--devices <n>", "devices per account", numberOption("--devices"), 3)
    .option("--seed <n>", "seed: the same seed serves the same values", numberOption("--seed"), 42)
    .option("--username <email>", "first account's user name (default: demo@nightowl.local)")
    .option("--password <password>", "first account's password (default: demo-password)")
    .option("--speed <x>", "simulated seconds per real second", numberOption("--speed"), 1)
    .option("--history-days <days>", "days of history before start", numberOption("--history-days"), 90)
    .option("--token-ttl <seconds>", "access-token lifetime (real seconds)", numberOption("--token-ttl"), 9000)
    .option("--refresh-ttl <seconds>", "refresh-token lifetime (real seconds)", numberOption("--refresh-ttl"), 604_800)
    .option("--sample-interval <seconds>", "seconds between samples (divides 3600)", numberOption("--sample-interval"), 60)
    .option("--dense-devices <n>", "the first N devices sample every 10 s", numberOption("--dense-devices"), 0)
    .option(
      "--scenario <spec>",
      `inject KIND:DEVICE[:START[:END[:SIZE]]] (repeatable); KIND ${SCENARIO_KINDS.join(", ")}`,
      (text: string, previous: ScenarioArg[] = []) => [...previous, parseScenarioArg(text)],
    )
    .option("--truth <file>", "write the injected scenarios as CSV (device_id,kind,start_ms,end_ms,size)")
    .option(
      "--fault <spec>",
      "arm a fault at start: JSON or KIND[:FIELD=VALUE…], e.g. status:status=503:count=3 (repeatable)",
      (text: string, previous: unknown[] = []) => [...previous, parseFaultArg(text)],
    )
    .option("--chaos <rate>", "each API request meets a random fault with this probability (0–1)", numberOption("--chaos"), 0)
    .option("--log-format <format>", "text or json", "text")
    .addHelpText(
      "after",
      helpNotes(`
DEVICE is a 0-based index over all accounts, a device name or an id. START and END are
"now", an offset (-2d, -90m; "+" in END counts from START), epoch ms or an ISO date; an
empty END never ends. SIZE, for the kinds that have one:
${scenarioSizeHelp()}

Faults on a running simulator (loopback only): POST /__sim/faults with JSON such as
  {"kind":"status","status":503,"count":3,"retryAfterSeconds":2,
   "path":"/api/entitiesQuery"}
  {"kind":"delay","delayMs":1500}   {"kind":"close"}   {"kind":"malformed"}
  {"kind":"truncated"}   {"kind":"expire_tokens"}   {"kind":"chaos","rate":0.1}
  {"kind":"reject_refresh","count":1}   {"kind":"drop_device","deviceId":"…"}
  {"kind":"wrong_type","key":"S1","value":"n/a"}   {"kind":"clear"}
GET /__sim/faults lists them, DELETE clears them; POST /__sim/scenarios injects scenarios;
GET /__sim/truth and /__sim/state describe the run.

Examples:
  # 3 devices on http://127.0.0.1:8080:
  $ nightowl simulate
  $ nightowl simulate --port 0 --accounts 2 --devices 5 --seed 7
  # an hour per minute; tokens expire fast:
  $ nightowl simulate --speed 60 --token-ttl 30
  # a waterlogged tank's 20 s runs show at 10 s samples, not 60 s:
  $ nightowl simulate --sample-interval 10 --scenario leak:0:-3d::0.8 \\
      --scenario waterlogged_tank:1:-1d --truth truth.csv
  # one device sampling every 10 s:
  $ nightowl simulate --dense-devices 1 --history-days 30
  $ nightowl simulate --fault status:status=503:count=5 \\
      --fault delay:delayMs=800:path=/api/plugins
  # random faults while a day passes per second:
  $ nightowl simulate --chaos 0.05 --speed 3600`),
    )
    .action(async (flags: SimulateFlags) => {
      if (flags.logFormat !== "text" && flags.logFormat !== "json") throw new NightowlError("E_USAGE", `--log-format ${JSON.stringify(flags.logFormat)} is not allowed: expected text or json`);
      const log = createLogger({ format: flags.logFormat as LogFormat, level: "info" });
      const sim = await startSimulator(simulatorOptions(flags)).catch((error: unknown) => {
        throw withFlagNames(error, SIM_FLAGS);
      });
      try {
        for (const arg of flags.scenario ?? []) sim.inject(resolveScenarioArg(arg, sim.devices, sim.now()));
        for (const fault of flags.fault ?? []) sim.faults.add(fault);
        if (flags.chaos > 0) sim.faults.setChaos(flags.chaos, { seed: flags.seed });
        if (flags.truth) writeAtomic(flags.truth, truthCsv(sim.truth()));
      } catch (error) {
        await sim.stop();
        throw error;
      }
      print(simulatorBanner(sim, flags));
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.off("SIGINT", onInt);
          process.off("SIGTERM", onTerm);
          log.info("simulator stopping", { signal });
          resolve();
        };
        const onInt = () => stop("SIGINT");
        const onTerm = () => stop("SIGTERM");
        process.on("SIGINT", onInt);
        process.on("SIGTERM", onTerm);
      });
      if (flags.truth) writeAtomic(flags.truth, truthCsv(sim.truth()));
      await sim.stop();
    });
}

/** The simulator's option for each of its flags, as withFlagNames names them back. */
const SIM_FLAGS: Readonly<Record<string, string>> = {
  accounts: "--accounts", devices: "--devices", speed: "--speed", historyDays: "--history-days", tokenTtlSeconds: "--token-ttl",
  refreshTtlSeconds: "--refresh-ttl", sampleIntervalSeconds: "--sample-interval", denseDevices: "--dense-devices",
};

function simulatorOptions(flags: SimulateFlags): SimulatorOptions {
  return {
    host: flags.host,
    port: flags.port,
    accounts: flags.accounts,
    devices: flags.devices,
    seed: flags.seed,
    username: flags.username,
    password: flags.password,
    speed: flags.speed,
    historyDays: flags.historyDays,
    tokenTtlSeconds: flags.tokenTtl,
    refreshTtlSeconds: flags.refreshTtl,
    sampleIntervalSeconds: flags.sampleInterval,
    denseDevices: flags.denseDevices,
  };
}
