/**
 * Injected faults of the water system (leaks, pump faults, sensor faults, data gaps): the
 * spec, its defaults, the command-line form, and the ground-truth CSV.
 */
import * as v from "valibot";
import { NightowlError } from "../errors.ts";

export const SCENARIO_KINDS = ["leak", "growing_leak", "flapper", "burst", "dry_run", "waterlogged_tank", "stuck_sensor", "meter_replacement", "gap"] as const;

export const ScenarioSpecSchema = v.object({
  deviceId: v.pipe(v.string(), v.minLength(1)),
  kind: v.picklist(SCENARIO_KINDS),
  /** Simulated epoch ms the scenario begins. */
  startMs: v.pipe(v.number(), v.finite()),
  /** Simulated epoch ms it ends (exclusive); absent = never. */
  endMs: v.optional(v.pipe(v.number(), v.finite())),
  /**
   * leak / burst: extra draw in gal/min (defaults 0.5 and 8; a burst is at least 5);
   * growing_leak: gal/min reached 48 h after the start, growing linearly (1);
   * flapper: gallons a toilet's fill valve refills about every 20 minutes (1.6);
   * dry_run: running current as a fraction of normal (0.4);
   * waterlogged_tank: fraction of the tank's air charge left (0.2). Unused by the others.
   */
  size: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0))),
});

/** A scenario to inject into one device. */
export type ScenarioSpec = v.InferOutput<typeof ScenarioSpecSchema>;
export type ScenarioKind = ScenarioSpec["kind"];

/** What was injected, with defaults resolved: one row of the `--truth` CSV. */
export interface ScenarioTruth {
  deviceId: string;
  kind: ScenarioKind;
  startMs: number;
  /** Exclusive end, or null when open-ended. */
  endMs: number | null;
  size: number | null;
}

const DEFAULT_SIZE: Record<ScenarioKind, number | null> = {
  leak: 0.5,
  growing_leak: 1,
  flapper: 1.6,
  burst: 8,
  dry_run: 0.4,
  waterlogged_tank: 0.2,
  stuck_sensor: null,
  meter_replacement: null,
  gap: null,
};

/** What SIZE means per kind, for `simulate --help`; typed over every kind so a new one must say. */
const SIZE_MEANING: Record<ScenarioKind, string | null> = {
  leak: "gal/min",
  growing_leak: "gal/min reached 48 h after START",
  flapper: "gallons per refill, about every 20 minutes",
  burst: "gal/min, at least 5",
  dry_run: "the current fraction",
  waterlogged_tank: "the air charge left",
  stuck_sensor: null,
  meter_replacement: null,
  gap: null,
};

/** SIZE per kind with its default, one indented line each, as `simulate --help` lists them. */
export function scenarioSizeHelp(): string {
  const sized = SCENARIO_KINDS.filter((k) => SIZE_MEANING[k] !== null);
  const width = Math.max(...sized.map((k) => k.length));
  return sized.map((k) => `  ${k.padEnd(width)}  ${SIZE_MEANING[k]} (default ${DEFAULT_SIZE[k]})`).join("\n");
}

/** Validates a scenario and fills its default size; throws E_USAGE naming the bad field. */
export function resolveScenario(input: unknown): ScenarioTruth {
  const parsed = v.safeParse(ScenarioSpecSchema, input);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = issue.path?.map((p) => String(p.key)).join(".") ?? "scenario";
    throw new NightowlError("E_USAGE", `scenario ${path}: ${issue.message}; kinds are ${SCENARIO_KINDS.join(", ")}`);
  }
  const s = parsed.output;
  if (s.endMs !== undefined && s.endMs <= s.startMs) {
    throw new NightowlError("E_USAGE", `scenario ${s.kind} on ${s.deviceId}: end ${s.endMs} must be after start ${s.startMs}`);
  }
  let size = s.size ?? DEFAULT_SIZE[s.kind];
  if (s.kind === "burst" && size !== null && size < 5) {
    throw new NightowlError("E_USAGE", `scenario burst on ${s.deviceId}: size ${size} gal/min is a leak; a burst is at least 5`);
  }
  if ((s.kind === "dry_run" || s.kind === "waterlogged_tank") && size !== null && (size <= 0 || size > 1)) {
    throw new NightowlError("E_USAGE", `scenario ${s.kind} on ${s.deviceId}: size ${size} must be a fraction in (0, 1]`);
  }
  if (DEFAULT_SIZE[s.kind] === null) size = null;
  return { deviceId: s.deviceId, kind: s.kind, startMs: s.startMs, endMs: s.endMs ?? null, size };
}

/** A scenario as typed on the command line, before the device and times are resolved. */
export interface ScenarioArg {
  kind: ScenarioKind;
  /** Device index (0-based over all accounts), name or id. */
  device: string;
  start: string;
  end: string;
  size?: number;
}

/**
 * Parses `KIND:DEVICE[:START[:END[:SIZE]]]`, e.g. `leak:0:-2d::0.8` or
 * `burst:3701155:2026-01-05T03:00Z:+2h:12` (colons inside ISO times are allowed).
 */
export function parseScenarioArg(text: string): ScenarioArg {
  const bad = (why: string) =>
    new NightowlError("E_USAGE", `--scenario "${text}": ${why}; expected KIND:DEVICE[:START[:END[:SIZE]]] with KIND one of ${SCENARIO_KINDS.join(", ")}`);
  const [kind, device, ...rest] = text.split(":");
  if (!(SCENARIO_KINDS as readonly string[]).includes(kind)) throw bad(`unknown kind "${kind}"`);
  if (!device) throw bad("missing device");
  // Re-join pieces of ISO times ("2026-01-05T03:00Z" contains colons).
  const fields: string[] = [];
  for (const piece of rest) {
    const last = fields[fields.length - 1];
    if (last !== undefined && /T\d{2}$|T\d{2}:\d{2}$/.test(last) && /^\d{2}/.test(piece)) fields[fields.length - 1] = `${last}:${piece}`;
    else fields.push(piece);
  }
  const [start = "now", end = "", sizeText = ""] = fields;
  let size: number | undefined;
  if (sizeText !== "") {
    size = Number(sizeText);
    if (!Number.isFinite(size)) throw bad(`size "${sizeText}" is not a number`);
  }
  return { kind: kind as ScenarioKind, device, start: start || "now", end, size };
}

/**
 * A time on the command line: `now`, an offset from `nowMs` (`-2d`, `+90m`, `-30s`, `+1h`),
 * epoch milliseconds, or an ISO date. `relativeTo` is the base for offsets in END (its START).
 */
export function parseSimTime(text: string, nowMs: number, what: string, relativeTo = nowMs): number {
  if (text === "now") return nowMs;
  const offset = /^([+-])(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text);
  if (offset) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[offset[3] as "ms"];
    const delta = Number(offset[2]) * unit * (offset[1] === "-" ? -1 : 1);
    return Math.round((offset[1] === "+" ? relativeTo : nowMs) + delta);
  }
  if (/^\d{10,}$/.test(text)) return Number(text);
  const parsed = Date.parse(text);
  if (Number.isNaN(parsed)) {
    throw new NightowlError("E_USAGE", `--scenario ${what} "${text}": expected now, an offset like -2d or +90m, epoch ms, or an ISO date`);
  }
  return parsed;
}

/** The ground-truth CSV (`device_id,kind,start_ms,end_ms,size`); open ends and sizes are empty. */
export function truthCsv(rows: readonly ScenarioTruth[]): string {
  const lines = ["device_id,kind,start_ms,end_ms,size"];
  for (const r of rows) lines.push(`${r.deviceId},${r.kind},${r.startMs},${r.endMs ?? ""},${r.size ?? ""}`);
  return lines.join("\n") + "\n";
}

/**
 * Turns a command-line scenario into a spec against the running fleet: DEVICE is a 0-based
 * index over all accounts, a device name or an id; times are parsed by `parseSimTime`.
 */
export function resolveScenarioArg(arg: ScenarioArg, devices: readonly { id: string; name: string }[], nowMs: number): ScenarioSpec {
  const byIndex = /^\d+$/.test(arg.device) && Number(arg.device) < devices.length ? devices[Number(arg.device)] : undefined;
  const device = byIndex ?? devices.find((d) => d.name === arg.device || d.id === arg.device);
  if (!device) {
    throw new NightowlError("E_USAGE", `--scenario ${arg.kind}: no device "${arg.device}"; expected an index from 0 to ${devices.length - 1}, a device name or an id`);
  }
  const startMs = parseSimTime(arg.start, nowMs, "start");
  const endMs = arg.end === "" ? undefined : parseSimTime(arg.end, nowMs, "end", startMs);
  return { deviceId: device.id, kind: arg.kind, startMs, endMs, size: arg.size };
}
