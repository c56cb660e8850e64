/**
 * Fault injection: make the simulated portal fail the way real ones do (error statuses with
 * Retry-After, slow answers, connections cut mid-body, broken JSON, early token expiry,
 * refused refresh tokens, a device missing from the list, a value of the wrong type).
 * Driven from tests through `sim.faults` or over HTTP through `POST /__sim/faults`.
 */
import * as v from "valibot";
import { NightowlError } from "../errors.ts";
import { mulberry32 } from "./random.ts";

export const FAULT_KINDS = ["status", "delay", "close", "malformed", "truncated", "expire_tokens", "reject_refresh", "reject_login", "drop_device", "wrong_type", "chaos", "clear"] as const;

export const FaultSpecSchema = v.object({
  kind: v.picklist(FAULT_KINDS),
  /**
   * How many matching requests it affects. Default 1 for status, close, malformed, truncated;
   * unlimited (until cleared) for delay, reject_refresh, reject_login, drop_device, wrong_type. -1 = unlimited.
   */
  count: v.optional(v.pipe(v.number(), v.integer(), v.minValue(-1))),
  /** Only requests whose path starts with this (e.g. "/api/entitiesQuery"). */
  path: v.optional(v.string()),
  /** For `status`: 500, 502, 503, 429 or any other error status. */
  status: v.optional(v.pipe(v.number(), v.integer(), v.minValue(400), v.maxValue(599))),
  /** For `status` (429/503): the Retry-After header, seconds. */
  retryAfterSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  /** For `delay`: milliseconds added before the answer. */
  delayMs: v.optional(v.pipe(v.number(), v.minValue(0))),
  /** For `drop_device` and `wrong_type`: the device id (wrong_type: any device when absent). */
  deviceId: v.optional(v.string()),
  /** For `wrong_type`: the telemetry key (any numeric key when absent). */
  key: v.optional(v.string()),
  /** For `wrong_type`: what to send instead of the number (default `true`, a boolean). */
  value: v.optional(v.unknown()),
  /** For `chaos`: the probability that a request meets a random fault; 0 turns chaos off. */
  rate: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
  /** For `chaos`: seed of the random choices (default 1). */
  seed: v.optional(v.pipe(v.number(), v.integer())),
});

/** One fault, as passed to `faults.add` or posted to `/__sim/faults` (alone or as an array). */
export type FaultSpec = v.InferOutput<typeof FaultSpecSchema>;

interface ActiveFault extends FaultSpec {
  remaining: number;
}

const ONE_SHOT = new Set(["status", "close", "malformed", "truncated"]);

/** What the server does to one response, decided when the request arrives. */
export interface FaultPlan {
  delayMs: number;
  status?: { status: number; retryAfterSeconds?: number };
  body?: "close" | "malformed" | "truncated";
}

/** What chaos picks from: transient failures a client must ride out. */
const CHAOS: FaultSpec[] = [
  { kind: "status", status: 500 },
  { kind: "status", status: 502 },
  { kind: "status", status: 503, retryAfterSeconds: 1 },
  { kind: "status", status: 429, retryAfterSeconds: 1 },
  { kind: "close" },
  { kind: "malformed" },
  { kind: "truncated" },
  { kind: "delay", delayMs: 1500 },
];

export class FaultController {
  private faults: ActiveFault[] = [];
  private chaos: { rate: number; path?: string; random: () => number } | null = null;
  /** Set by the server: invalidates every access token issued so far. */
  onExpireTokens: () => void = () => {};

  /** Adds a fault (validated; throws E_USAGE naming the bad field). */
  add(input: unknown): void {
    const parsed = v.safeParse(FaultSpecSchema, input);
    if (!parsed.success) {
      const issue = parsed.issues[0];
      const field = issue.path?.map((p) => String(p.key)).join(".") ?? "fault";
      throw new NightowlError("E_USAGE", `fault ${field}: ${issue.message}; kinds are ${FAULT_KINDS.join(", ")}`);
    }
    const f = parsed.output;
    if (f.kind === "clear") return this.clear();
    if (f.kind === "expire_tokens") return this.onExpireTokens();
    if (f.kind === "chaos") {
      this.chaos = f.rate ? { rate: f.rate, path: f.path, random: mulberry32(f.seed ?? 1) } : null;
      return;
    }
    if (f.kind === "drop_device" && !f.deviceId) throw new NightowlError("E_USAGE", "fault drop_device: deviceId is required");
    const count = f.count ?? (ONE_SHOT.has(f.kind) ? 1 : -1);
    this.faults.push({ ...f, remaining: count === -1 ? Number.POSITIVE_INFINITY : count });
  }

  /** Fails the next `count` requests (optionally only under `path`) with `status`. */
  failNext(count: number, status: number, options: { retryAfterSeconds?: number; path?: string } = {}): void {
    this.add({ kind: "status", count, status, ...options });
  }

  /** Delays responses by `delayMs` (all until cleared, or the next `count`). */
  delay(delayMs: number, options: { count?: number; path?: string } = {}): void {
    this.add({ kind: "delay", delayMs, ...options });
  }

  /** Makes every access token issued so far invalid ("Token has expired"). */
  expireTokens(): void {
    this.onExpireTokens();
  }

  /**
   * Random faults: each request (under `path`) meets one with probability `rate`, drawn
   * from 5xx, 429 with Retry-After, cut connections, broken JSON and 1.5 s delays. Seeded.
   */
  setChaos(rate: number, options: { seed?: number; path?: string } = {}): void {
    this.add({ kind: "chaos", rate, ...options });
  }

  clear(): void {
    this.faults = [];
    this.chaos = null;
  }

  /** Faults still armed, for display and tests. */
  active(): FaultSpec[] {
    const armed: FaultSpec[] = this.faults.filter((f) => f.remaining > 0).map(({ remaining, ...f }) => ({ ...f, count: Number.isFinite(remaining) ? remaining : -1 }));
    if (this.chaos) armed.push({ kind: "chaos", rate: this.chaos.rate, ...(this.chaos.path ? { path: this.chaos.path } : {}) });
    return armed;
  }

  /** Decides what happens to a request to `path`, consuming the faults it uses. */
  plan(path: string): FaultPlan {
    const result: FaultPlan = { delayMs: 0 };
    for (const f of this.faults) {
      if (f.remaining <= 0 || (f.path && !path.startsWith(f.path))) continue;
      if (f.kind === "delay") {
        result.delayMs += f.delayMs ?? 1000;
        f.remaining--;
      } else if (ONE_SHOT.has(f.kind) && !result.status && !result.body) {
        if (f.kind === "status") result.status = { status: f.status ?? 500, retryAfterSeconds: f.retryAfterSeconds };
        else result.body = f.kind as FaultPlan["body"];
        f.remaining--;
      }
    }
    this.faults = this.faults.filter((f) => f.remaining > 0);
    const chaos = this.chaos;
    if (chaos && !result.status && !result.body && (!chaos.path || path.startsWith(chaos.path)) && chaos.random() < chaos.rate) {
      const f = CHAOS[Math.floor(chaos.random() * CHAOS.length)];
      if (f.kind === "delay") result.delayMs += f.delayMs ?? 0;
      else if (f.kind === "status") result.status = { status: f.status ?? 500, retryAfterSeconds: f.retryAfterSeconds };
      else result.body = f.kind as FaultPlan["body"];
    }
    return result;
  }

  /** Whether the next login must be refused as a wrong password would be (consumes one use). */
  takeRejectLogin(): boolean {
    const f = this.faults.find((x) => x.kind === "reject_login" && x.remaining > 0);
    if (!f) return false;
    f.remaining--;
    return true;
  }

  /** Whether the next refresh must be refused (consumes one use). */
  takeRejectRefresh(): boolean {
    const f = this.faults.find((x) => x.kind === "reject_refresh" && x.remaining > 0);
    if (!f) return false;
    f.remaining--;
    return true;
  }

  isDropped(deviceId: string): boolean {
    return this.faults.some((f) => f.kind === "drop_device" && f.deviceId === deviceId && f.remaining > 0);
  }

  /** The replacement for a value of `key` on `deviceId`, or undefined (consumes one use). */
  takeWrongType(deviceId: string, key: string): { value: unknown } | undefined {
    const f = this.faults.find((x) => x.kind === "wrong_type" && x.remaining > 0 && (!x.deviceId || x.deviceId === deviceId) && (!x.key || x.key === key));
    if (!f) return undefined;
    f.remaining--;
    return { value: f.value === undefined ? true : f.value };
  }
}

/**
 * A fault from the command line: JSON (`{"kind":"status","status":503}`) or the short form
 * `KIND[:FIELD=VALUE…]`, e.g. `status:status=503:count=3:retryAfterSeconds=2`, `delay:delayMs=800`.
 */
export function parseFaultArg(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    try {
      return JSON.parse(trimmed);
    } catch {
      throw new NightowlError("E_USAGE", `--fault '${text}': not valid JSON`);
    }
  }
  const [kind, ...fields] = trimmed.split(":");
  const fault: Record<string, unknown> = { kind };
  for (const field of fields) {
    const eq = field.indexOf("=");
    if (eq <= 0) throw new NightowlError("E_USAGE", `--fault '${text}': "${field}" is not FIELD=VALUE`);
    const raw = field.slice(eq + 1);
    fault[field.slice(0, eq)] = raw === "true" ? true : raw === "false" ? false : raw !== "" && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return fault;
}
