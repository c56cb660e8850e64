/**
 * `fetch-history`, the core: every device of the account, every key, every window of the
 * range, fetched completely (window-planner.ts), written as it arrives, resumable.
 *
 * The unit of work is one (device, window): all keys of a device over one window, fetched
 * (with adaptive splits), then appended to the device's partial files and recorded in the
 * checkpoint (fetch-device.ts). Several devices (and, for few devices, several windows ahead)
 * are fetched at once, with at most `concurrency` calls in flight. When all devices are done,
 * the OpenMetrics file and devices.json are written (fetch-files.ts) and the checkpoint
 * removed. Anything interrupted is continued by the same call.
 *
 * Mistakes in the options are `OptionError`s naming the option (`limit`, `since`, `restart`):
 * the command renders them with its flags.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { NightowlError } from "../errors.ts";
import { silentLogger, type Logger } from "../log.ts";
import { displayUrl } from "../redact.ts";
import { argumentDifferences, loadCheckpoint, saveCheckpoint, WORK_DIR, type Checkpoint, type FetchArgs, type OutputFormat } from "./checkpoint.ts";
import type { DeviceMeta } from "./device-meta.ts";
import { fetchDevice, type FetchRun } from "./fetch-device.ts";
import { assembleOpenMetrics, devicesJson, fileNames, iso, writeAtomically } from "./fetch-files.ts";
import { Limiter } from "./limiter.ts";
import { OptionError } from "../option-error.ts";
import { resolveRange, type TimeRange } from "./time-range.ts";
import { importTarget } from "./vm-import.ts";
import { planWindows, type CompleteFetchStats, type WindowPage } from "./window-planner.ts";

/** Where history comes from: the portal client in production. */
export interface HistorySource {
  /** Every device of the account, all pages. */
  devices(): Promise<DeviceMeta[]>;
  /** One history call (see `FetchWindow`), cancelled by `signal`. */
  timeseries(deviceId: string, keys: readonly string[], startMs: number, endMs: number, limit: number, signal: AbortSignal): Promise<WindowPage>;
}

export interface FetchHistoryOptions {
  source: HistorySource;
  /** Identify the account in the checkpoint, so another account's fetch is not continued. */
  baseUrl: string;
  username: string;
  tenant?: string;
  keys: readonly string[];
  days?: string;
  since?: string;
  until?: string;
  /** Window length, milliseconds (default 7 days). */
  windowMs?: number;
  /** Points per key per call (default 50 000). */
  limit?: number;
  /** History calls in flight at most (default 4). */
  concurrency?: number;
  outputDir: string;
  formats: readonly OutputFormat[];
  /** VictoriaMetrics server or import URL. */
  importUrl?: string;
  /** Characters per import POST (default 4 MiB). */
  importBatchChars?: number;
  /** Largest answer read from the import URL, bytes (default 64 MiB). */
  importMaxBodyBytes?: number;
  /** Discard an unfinished fetch in `outputDir` instead of continuing it. */
  restart?: boolean;
  /** Epoch ms; default Date.now(). */
  now?: number;
  signal?: AbortSignal;
  log?: Logger;
  onProgress?: (event: FetchProgress) => void;
}

export interface FetchProgress {
  /** "start" once, "window" per written window, "device" per finished device, "finish" at the end. */
  kind: "start" | "window" | "device" | "finish";
  device?: DeviceMeta;
  /** Points written for `device` (on "device"). */
  devicePoints?: number;
  devicesDone: number;
  devicesTotal: number;
  windowsDone: number;
  windowsTotal: number;
  /** Points written so far, including those of an interrupted run that this one continues. */
  points: number;
  /** Points fetched by this run. */
  pointsThisRun: number;
  requests: number;
  resumed: boolean;
}

export interface FetchHistoryResult {
  /** False when interrupted by `signal`; run again with the same options to continue. */
  complete: boolean;
  resumed: boolean;
  range: TimeRange;
  devices: number;
  windows: number;
  points: number;
  requests: number;
  splits: number;
  /** Final files written, relative to the output directory. */
  files: string[];
}

const DAY_MS = 86_400_000;

/**
 * Fetches, writes and (optionally) imports the history. Validates its options before any
 * call; a checkpoint in `outputDir` made with other options is an E_USAGE error naming the
 * differences (set `restart` to discard it).
 */
export async function fetchHistory(options: FetchHistoryOptions): Promise<FetchHistoryResult> {
  const log = options.log ?? silentLogger;
  const { args, limit, concurrency, range } = checkOptions(options);
  const out = options.outputDir;
  const work = join(out, WORK_DIR);
  try {
    mkdirSync(work, { recursive: true });
  } catch (error) {
    throw new NightowlError("E_IO", `cannot create ${work}: ${(error as Error).message}`, { cause: error });
  }
  const { cp, resumed } = await openCheckpoint(options, args, range, log);
  const windows = planWindows(cp.range.startMs, cp.range.endMs, args.windowMs);
  const formats = new Set(args.formats);
  const names = fileNames(cp);

  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const stats: CompleteFetchStats = { requests: 0, splits: 0 };
  let pointsThisRun = 0;
  const progress = (kind: FetchProgress["kind"], device?: DeviceMeta): void => {
    if (options.onProgress) options.onProgress(progressEvent(cp, windows.length, kind, device, { pointsThisRun, requests: stats.requests, resumed }));
  };
  const run: FetchRun = {
    cp, out, work, windows, keys: args.keys, formats, names, limit,
    importUrl: options.importUrl, importBatchChars: options.importBatchChars, importMaxBodyBytes: options.importMaxBodyBytes,
    timeseries: (...call) => options.source.timeseries(...call),
    limiter: new Limiter(concurrency), stats, stop, log,
    onWindow: (device, points) => {
      pointsThisRun += points;
      progress("window", device);
    },
    onDevice: (device) => progress("device", device),
  };

  progress("start");
  const firstError = await runDevices(run, concurrency);
  options.signal?.removeEventListener("abort", onAbort);
  const totals = {
    range: cp.range,
    devices: cp.devices.length,
    windows: windows.length * cp.devices.length,
    points: cp.devices.reduce((n, d) => n + cp.progress[d.id]!.points, 0),
    requests: stats.requests,
    splits: stats.splits,
  };
  if (firstError !== undefined) throw firstError;
  if (stop.signal.aborted) return { complete: false, resumed, ...totals, files: [] };
  const files = finishFiles(run);
  progress("finish");
  return { complete: true, resumed, ...totals, files };
}

/** The options checked and normalized, and the arguments a resumed run must repeat. */
function checkOptions(options: FetchHistoryOptions): { args: FetchArgs; limit: number; concurrency: number; range: TimeRange } {
  const limit = options.limit ?? 50_000;
  const concurrency = options.concurrency ?? 4;
  const windowMs = options.windowMs ?? 7 * DAY_MS;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new OptionError("E_USAGE", (n) => `${n("limit")} ${limit} is not allowed: expected a whole number ≥ 1`);
  if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new OptionError("E_USAGE", (n) => `${n("concurrency")} ${concurrency} is not allowed: expected a whole number from 1 to 64`);
  }
  if (!(windowMs >= 60_000) || !Number.isFinite(windowMs)) throw new OptionError("E_USAGE", (n) => `${n("windowMs")} of ${windowMs} ms is not allowed: expected at least one minute`);
  if (options.keys.length === 0) throw new OptionError("E_USAGE", (n) => `${n("keys")} is empty: expected at least one telemetry key`);
  if (options.formats.length === 0 && !options.importUrl) {
    throw new OptionError("E_USAGE", (n) => `nothing to write: expected ${n("formats")} (csv, openmetrics, ndjson) or ${n("importUrl")}`);
  }
  const target = options.importUrl ? importTarget(options.importUrl) : undefined;
  const range = resolveRange({ days: options.days, since: options.since, until: options.until }, options.now ?? Date.now());
  const args: FetchArgs = {
    // The checkpoint is a file on disk and its differences are printed: no URL credentials.
    baseUrl: displayUrl(options.baseUrl),
    username: options.username,
    tenant: options.tenant || undefined,
    keys: [...options.keys],
    days: options.days,
    since: options.since,
    until: options.until,
    windowMs,
    formats: [...new Set(options.formats)],
    importUrl: target?.shown,
  };
  return { args, limit, concurrency, range };
}

/**
 * The checkpoint to continue (made with the same arguments), or a new one listing the
 * account's devices. `restart` discards an unfinished fetch first.
 */
async function openCheckpoint(options: FetchHistoryOptions, args: FetchArgs, range: TimeRange, log: Logger): Promise<{ cp: Checkpoint; resumed: boolean }> {
  const out = options.outputDir;
  let checkpoint = loadCheckpoint(out);
  if (checkpoint && options.restart) {
    log.info(`Discarding the unfinished fetch in ${out}`);
    const work = join(out, WORK_DIR);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    checkpoint = undefined;
  }
  if (checkpoint) {
    const diffs = argumentDifferences(checkpoint.args, args);
    if (diffs.length > 0) {
      throw new OptionError(
        "E_USAGE",
        (n) => `${out} holds an unfinished fetch made with other arguments (${diffs.join("; ")}): run it again with the same arguments to continue it, add ${n("restart")} to discard it, or choose another ${n("outputDir")}`,
      );
    }
    log.info(`Continuing the unfinished fetch in ${out}`, { range: `${iso(checkpoint.range.startMs)}..${iso(checkpoint.range.endMs)}` });
    return { cp: checkpoint, resumed: true };
  }
  const devices = await options.source.devices();
  const cp: Checkpoint = { version: 1, args, range, devices, progress: {} };
  for (const d of devices) cp.progress[d.id] = { windows: 0, points: 0, bytes: {}, done: false };
  saveCheckpoint(out, cp);
  return { cp, resumed: false };
}

/**
 * Runs the unfinished devices, `concurrency` at a time (few devices: several windows ahead
 * each). The first failure stops the others; it is returned, undefined when none failed.
 */
async function runDevices(run: FetchRun, concurrency: number): Promise<unknown> {
  const queue = run.cp.devices.map((device, index) => ({ device, index })).filter(({ device }) => !run.cp.progress[device.id]!.done);
  const workers = Math.max(1, Math.min(concurrency, queue.length));
  const lookahead = Math.max(1, Math.floor(concurrency / workers));
  let firstError: unknown;
  const worker = async (): Promise<void> => {
    for (;;) {
      const item = queue.shift();
      if (!item || run.stop.signal.aborted) return;
      try {
        await fetchDevice(run, item.index, item.device, lookahead);
      } catch (error) {
        if (!run.stop.signal.aborted) {
          firstError = error;
          run.stop.abort(error);
        }
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return firstError;
}

/** Assembles the OpenMetrics file and devices.json, removes the work folder; the final files' names. */
function finishFiles(run: FetchRun): string[] {
  const { cp, names, formats, out, work } = run;
  const files: string[] = [];
  for (let i = 0; i < cp.devices.length; i++) {
    if (formats.has("csv")) files.push(names.csv[i]!);
    if (formats.has("ndjson")) files.push(names.ndjson[i]!);
  }
  if (formats.has("openmetrics")) {
    assembleOpenMetrics(out, names.openmetrics, cp.devices.map((_, i) => run.keys.map((__, k) => join(work, `${i}.om.${k}.part`))));
    files.push(names.openmetrics);
  }
  writeAtomically(join(out, "devices.json"), devicesJson(cp, names, formats));
  files.push("devices.json");
  rmSync(work, { recursive: true, force: true });
  return files;
}

/** A progress event from the checkpoint's counts. */
function progressEvent(
  cp: Checkpoint,
  windowsPerDevice: number,
  kind: FetchProgress["kind"],
  device: DeviceMeta | undefined,
  run: Pick<FetchProgress, "pointsThisRun" | "requests" | "resumed">,
): FetchProgress {
  let devicesDone = 0;
  let windowsDone = 0;
  let points = 0;
  for (const d of cp.devices) {
    const p = cp.progress[d.id]!;
    if (p.done) devicesDone++;
    windowsDone += p.windows;
    points += p.points;
  }
  return {
    kind, device, devicePoints: device ? cp.progress[device.id]!.points : undefined,
    devicesDone, devicesTotal: cp.devices.length, windowsDone, windowsTotal: cp.devices.length * windowsPerDevice,
    points, ...run,
  };
}
