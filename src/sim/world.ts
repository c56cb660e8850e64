/**
 * The simulated portal's state: accounts, their devices with on-demand history, the simulated
 * clock, scenarios and issued tokens. Everything the HTTP layer reads.
 */
import { NightowlError } from "../errors.ts";
import { OptionError } from "../option-error.ts";
import { userLabelFor } from "../nightowl/keys.ts";
import { DAY_MS } from "./demand.ts";
import { DayCache, DeviceHistory } from "./device-history.ts";
import { FaultController } from "./faults.ts";
import { newSigningKey } from "./jwt.ts";
import { resolveScenario, type ScenarioSpec, type ScenarioTruth } from "./scenario.ts";
import { customerName, deviceAttributes, deviceKeys, deviceSpec, type SimDeviceSpec } from "./site.ts";
import { hash32, mulberry32, uuidFrom } from "./random.ts";

export interface SimulatorOptions {
  /** Bind address; default "127.0.0.1". */
  host?: string;
  /** TCP port; default 0 = a free port. */
  port?: number;
  /** Accounts (customers); default 1. */
  accounts?: number;
  /** Devices per account; default 3. */
  devices?: number;
  /** Seed of every random choice; default 42. */
  seed?: number;
  /** First account's credentials; default "demo@nightowl.local" / "demo-password". */
  username?: string;
  password?: string;
  /** Simulated seconds per real second; default 1. */
  speed?: number;
  /** Simulated "now" at start, epoch ms; default the current minute. */
  startMs?: number;
  /** How far back history exists, days; default 90. */
  historyDays?: number;
  /** Access-token lifetime in real seconds; default 9000 (ThingsBoard's 2.5 h). */
  tokenTtlSeconds?: number;
  /** Refresh-token lifetime in real seconds; default 604800 (a week). */
  refreshTtlSeconds?: number;
  /** Seconds between samples (divides 3600); default 60. */
  sampleIntervalSeconds?: number;
  /** The first N devices (over all accounts) sample every 10 s instead; default 0. */
  denseDevices?: number;
  /** Per-device overrides by global index (account-major), e.g. `[{ hasMeter: false }]`. */
  deviceOverrides?: Partial<SimDeviceSpec>[];
  /** Scenarios injected at start. */
  scenarios?: ScenarioSpec[];
  /** Local days of samples kept in memory across devices; default max(48, 2 × devices + 16). */
  dayCacheSize?: number;
}

export interface SimAccount {
  username: string;
  password: string;
  customer: string;
  userLabel: string;
  userId: string;
  customerId: string;
}

/** A device as tests see it: its spec plus the telemetry keys it reports. */
export type SimDeviceInfo = SimDeviceSpec & { keys: string[] };

export interface SimDevice {
  info: SimDeviceInfo;
  history: DeviceHistory;
  attributes: Record<string, string>;
}

function checkInt(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new OptionError("E_USAGE", (n) => `simulator ${n(name)} ${value} is invalid; expected a whole number from ${min} to ${max}`);
  }
  return value;
}

export class SimWorld {
  readonly seed: number;
  readonly speed: number;
  readonly startMs: number;
  readonly originMs: number;
  readonly tokenTtlSeconds: number;
  readonly refreshTtlSeconds: number;
  readonly accounts: SimAccount[] = [];
  readonly devices: SimDevice[] = [];
  readonly byId = new Map<string, SimDevice>();
  readonly faults = new FaultController();
  readonly truth: ScenarioTruth[] = [];
  private readonly realStart = Date.now();
  accessKey = newSigningKey();
  readonly refreshKey = newSigningKey();
  private readonly counts = new Map<string, number>();

  constructor(options: SimulatorOptions = {}) {
    this.seed = options.seed ?? 42;
    this.speed = options.speed ?? 1;
    if (!(this.speed > 0) || !Number.isFinite(this.speed)) throw new OptionError("E_USAGE", (n) => `simulator ${n("speed")} ${options.speed} is invalid; expected a number > 0`);
    this.startMs = options.startMs ?? Math.floor(Date.now() / 60_000) * 60_000;
    const historyDays = options.historyDays ?? 90;
    if (!(historyDays >= 0)) throw new OptionError("E_USAGE", (n) => `simulator ${n("historyDays")} ${historyDays} is invalid; expected a number >= 0`);
    this.originMs = this.startMs - historyDays * DAY_MS;
    this.tokenTtlSeconds = options.tokenTtlSeconds ?? 9000;
    this.refreshTtlSeconds = options.refreshTtlSeconds ?? 604_800;
    if (!(this.tokenTtlSeconds > 0)) throw new OptionError("E_USAGE", (n) => `simulator ${n("tokenTtlSeconds")} ${this.tokenTtlSeconds} is invalid; expected > 0`);
    const accountCount = checkInt("accounts", options.accounts ?? 1, 1, 1000);
    const perAccount = checkInt("devices", options.devices ?? 3, 0, 10_000);
    const interval = checkInt("sampleIntervalSeconds", options.sampleIntervalSeconds ?? 60, 1, 3600);
    if (3600 % interval !== 0) throw new OptionError("E_USAGE", (n) => `simulator ${n("sampleIntervalSeconds")} ${interval} is invalid; it must divide 3600 (e.g. 10, 30, 60, 300)`);
    const dense = checkInt("denseDevices", options.denseDevices ?? 0, 0, accountCount * perAccount);
    this.faults.onExpireTokens = () => {
      this.accessKey = newSigningKey();
    };
    // Room for every device's current and previous day, so polling never regenerates days.
    const cache = new DayCache(options.dayCacheSize ?? Math.max(48, 2 * accountCount * perAccount + 16));
    for (let a = 0; a < accountCount; a++) {
      const rng = mulberry32(hash32(this.seed, a, 0xacc));
      const customer = customerName(this.seed, a);
      this.accounts.push({
        username: a === 0 ? (options.username ?? "demo@nightowl.local") : `demo${a + 1}@nightowl.local`,
        password: a === 0 ? (options.password ?? "demo-password") : `demo-password-${a + 1}`,
        customer,
        userLabel: userLabelFor(customer),
        userId: uuidFrom(rng),
        customerId: uuidFrom(rng),
      });
      for (let d = 0; d < perAccount; d++) {
        const index = a * perAccount + d;
        const spec: SimDeviceSpec = {
          ...deviceSpec(this.seed, a, d),
          sampleIntervalSeconds: index < dense ? 10 : interval,
          ...(options.deviceOverrides?.[index] ?? {}),
        };
        if (3600 % spec.sampleIntervalSeconds !== 0) throw new NightowlError("E_USAGE", `device ${index} sampleIntervalSeconds ${spec.sampleIntervalSeconds} must divide 3600`);
        const device: SimDevice = {
          info: { ...spec, keys: deviceKeys(spec) },
          history: new DeviceHistory(spec, this.seed, this.originMs, cache),
          attributes: deviceAttributes(spec, customer),
        };
        this.devices.push(device);
        this.byId.set(spec.id, device);
      }
    }
    for (const s of options.scenarios ?? []) this.inject(s);
  }

  /** Simulated epoch ms. */
  now(): number {
    return Math.floor(this.startMs + (Date.now() - this.realStart) * this.speed);
  }

  inject(input: ScenarioSpec): ScenarioTruth {
    const s = resolveScenario(input);
    const device = this.byId.get(s.deviceId);
    if (!device) throw new NightowlError("E_USAGE", `scenario ${s.kind}: unknown device id "${s.deviceId}"`);
    device.history.addScenario(s);
    this.truth.push(s);
    return s;
  }

  devicesOf(accountIndex: number): SimDevice[] {
    return this.devices.filter((d) => d.info.accountIndex === accountIndex);
  }

  countRequest(path: string): void {
    this.counts.set(path, (this.counts.get(path) ?? 0) + 1);
  }

  /** Requests whose path starts with `prefix` (all when absent). */
  requestCount(prefix = ""): number {
    let n = 0;
    for (const [path, count] of this.counts) if (path.startsWith(prefix)) n += count;
    return n;
  }

  /** Points the history endpoint returns for [startTs, endTs) without a limit. */
  pointCount(deviceId: string, key: string, startTs: number, endTs: number): number {
    const device = this.byId.get(deviceId);
    if (!device || !device.history.hasKey(key)) return 0;
    return device.history.countSamples(startTs, Math.min(endTs, this.now() + 1));
  }

  /** The latest sample time of a device at or before now, or null (before the origin / in a gap). */
  latestTs(device: SimDevice): number | null {
    const interval = device.history.intervalMs;
    let t = Math.floor(this.now() / interval) * interval;
    for (let guard = 0; guard < 10_000 && t >= this.originMs; guard++) {
      const gap = device.history.gaps().find((g) => t >= g.startMs && t < g.endMs);
      if (!gap) return t;
      t = Math.floor((gap.startMs - 1) / interval) * interval;
    }
    return null;
  }
}
