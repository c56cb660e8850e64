/**
 * `fetch-history`, the core: every device of the account, every key, every window of the
 * range, fetched completely (window-planner.ts), written as it arrives, resumable.
 *
 * The unit of work is one (device, window): all keys of a device over one window, fetched
 * (with adaptive splits), then appended to the device's partial files and recorded in the
 * checkpoint. A device's windows are written in time order, so its wide CSV comes out sorted
 * without holding more than a few windows; several devices (and, for few devices, several
 * windows ahead) are fetched at once, with at most `concurrency` calls in flight. When a
 * device's last window is written its CSV and NDJSON files are renamed into place; when all
 * devices are, the OpenMetrics file is assembled (one series after another) and the
 * checkpoint removed. Anything interrupted is continued by the same command.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { NightowlError } from "../errors.ts";
import { silentLogger, type Logger } from "../log.ts";
import { argumentDifferences, loadCheckpoint, saveCheckpoint, WORK_DIR, type Checkpoint, type FetchArgs, type OutputFormat } from "./checkpoint.ts";
import { csvHeaderText, writeCsvWindow } from "./csv-output.ts";
import { historyMetaOf, type DeviceMeta } from "./device-meta.ts";
import { fileSafe } from "../safe-path.ts";
import { Limiter } from "./limiter.ts";
import { ndjsonChunkLine } from "./ndjson-output.ts";
import { OPENMETRICS_EOF, OPENMETRICS_HEADER, seriesName, writeSamples } from "./openmetrics-writer.ts";
import { PartFile } from "./part-file.ts";
import { compactDate, resolveRange, type TimeRange } from "./time-range.ts";
import { VmImporter, importTarget } from "./vm-import.ts";
import { fetchComplete, planWindows, pointsIn, type CompleteFetchStats, type FetchedPoint, type SeriesChunk, type WindowPage } from "./window-planner.ts";

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
 * call; a checkpoint in `outputDir` made with other arguments is an E_USAGE error naming
 * the differences (use `restart` to discard it).
 */
export async function fetchHistory(options: FetchHistoryOptions): Promise<FetchHistoryResult> {
  const log = options.log ?? silentLogger;
  const limit = options.limit ?? 50_000;
  const concurrency = options.concurrency ?? 4;
  const windowMs = options.windowMs ?? 7 * DAY_MS;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new NightowlError("E_USAGE", `--limit ${limit} is not allowed: expected a whole number ≥ 1`);
  if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new NightowlError("E_USAGE", `--concurrency ${concurrency} is not allowed: expected a whole number from 1 to 64`);
  if (!(windowMs >= 60_000) || !Number.isFinite(windowMs)) throw new NightowlError("E_USAGE", `--window ${windowMs} ms is not allowed: expected at least one minute`);
  if (options.keys.length === 0) throw new NightowlError("E_USAGE", "--keys is empty: expected at least one telemetry key");
  if (options.formats.length === 0 && !options.importUrl) throw new NightowlError("E_USAGE", "nothing to write: expected --format csv|openmetrics|ndjson or --import-url");
  const target = options.importUrl ? importTarget(options.importUrl) : undefined;
  const range = resolveRange({ days: options.days, since: options.since, until: options.until }, options.now ?? Date.now());

  const args: FetchArgs = {
    baseUrl: options.baseUrl,
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
  const out = options.outputDir;
  const work = join(out, WORK_DIR);
  try {
    mkdirSync(work, { recursive: true });
  } catch (error) {
    throw new NightowlError("E_IO", `cannot create ${work}: ${(error as Error).message}`, { cause: error });
  }

  let checkpoint = loadCheckpoint(out);
  if (checkpoint && options.restart) {
    log.info(`Discarding the unfinished fetch in ${out}`);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    checkpoint = undefined;
  }
  const resumed = checkpoint !== undefined;
  if (checkpoint) {
    const diffs = argumentDifferences(checkpoint.args, args);
    if (diffs.length > 0) {
      throw new NightowlError(
        "E_USAGE",
        `${out} holds an unfinished fetch made with other arguments (${diffs.join("; ")}): run it again with the same arguments to continue it, add --restart to discard it, or choose another --output`,
      );
    }
    log.info(`Continuing the unfinished fetch in ${out}`, { range: `${iso(checkpoint.range.startMs)}..${iso(checkpoint.range.endMs)}` });
  } else {
    const devices = await options.source.devices();
    checkpoint = { version: 1, args, range, devices, progress: {} };
    for (const d of devices) checkpoint.progress[d.id] = { windows: 0, points: 0, bytes: {}, done: false };
    saveCheckpoint(out, checkpoint);
  }
  const cp: Checkpoint = checkpoint;
  const windows = planWindows(cp.range.startMs, cp.range.endMs, windowMs);
  const names = fileNames(cp);
  const formats = new Set(args.formats);
  const keys = args.keys;

  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const limiter = new Limiter(concurrency);
  const stats: CompleteFetchStats = { requests: 0, splits: 0 };
  let pointsThisRun = 0;

  const progress = (kind: FetchProgress["kind"], device?: DeviceMeta): void => {
    if (!options.onProgress) return;
    let devicesDone = 0;
    let windowsDone = 0;
    let points = 0;
    for (const d of cp.devices) {
      const p = cp.progress[d.id]!;
      if (p.done) devicesDone++;
      windowsDone += p.windows;
      points += p.points;
    }
    options.onProgress({
      kind, device, devicePoints: device ? cp.progress[device.id]!.points : undefined,
      devicesDone, devicesTotal: cp.devices.length, windowsDone, windowsTotal: cp.devices.length * windows.length,
      points, pointsThisRun, requests: stats.requests, resumed,
    });
  };

  const runDevice = async (index: number, device: DeviceMeta, lookahead: number): Promise<void> => {
    const p = cp.progress[device.id]!;
    const stem = join(work, `${index}`);
    const parts = new Map<string, PartFile>();
    if (formats.has("csv")) parts.set("csv", new PartFile(`${stem}.csv.part`));
    if (formats.has("ndjson")) parts.set("ndjson", new PartFile(`${stem}.ndjson.part`));
    if (formats.has("openmetrics")) keys.forEach((_, k) => parts.set(`om.${k}`, new PartFile(`${stem}.om.${k}.part`)));

    const finals: [string, string][] = [];
    if (formats.has("csv")) finals.push(["csv", names.csv[index]!]);
    if (formats.has("ndjson")) finals.push(["ndjson", names.ndjson[index]!]);
    if (p.windows === windows.length && finals.every(([part, name]) => !existsSync(parts.get(part)!.path) && existsSync(join(out, name)))) {
      // Interrupted between renaming the files into place and recording it.
      p.done = true;
      saveCheckpoint(out, cp);
      return;
    }
    let intact = true;
    for (const [name, part] of parts) if (!part.open(p.bytes[name] ?? 0)) intact = false;
    if (!intact) {
      if (p.windows > 0) log.warn(`Partial files of device ${device.name} are shorter than recorded; fetching it again from the start`);
      p.windows = 0;
      p.points = 0;
      p.bytes = {};
      for (const part of parts.values()) if (!part.open(0)) throw new NightowlError("E_IO", `cannot create ${part.path}`);
    }
    const csv = parts.get("csv");
    if (csv && csv.size === 0) csv.append(csvHeaderText(keys));
    const importer = target ? new VmImporter({ url: options.importUrl!, batchChars: options.importBatchChars, signal: stop.signal }) : undefined;
    const meta = historyMetaOf(device);
    const series = keys.map((key) => seriesName(device, key));
    const fetchWindow = (ks: readonly string[], s: number, e: number, l: number) =>
      limiter.run(() => {
        if (stop.signal.aborted) throw stop.signal.reason ?? new Error("aborted");
        return options.source.timeseries(device.id, ks, s, e, l, stop.signal);
      });

    const pending: Promise<Map<string, SeriesChunk>>[] = [];
    let next = p.windows;
    try {
      while (p.windows < windows.length) {
        while (pending.length < lookahead && next < windows.length) {
          const promise = fetchComplete(fetchWindow, keys, windows[next++]!, limit, stats);
          promise.catch(() => {});
          pending.push(promise);
        }
        const chunks = await pending.shift()!;
        if (stop.signal.aborted) return;
        if (csv) writeCsvWindow(meta, keys, chunks, (text) => csv.append(text));
        const ndjson = parts.get("ndjson");
        const om = formats.has("openmetrics");
        for (let k = 0; k < keys.length; k++) {
          const chunk = chunks.get(keys[k]!);
          if (!chunk) continue;
          if (ndjson) ndjson.append(ndjsonChunkLine(device, keys[k]!, chunk));
          if (om) {
            const part = parts.get(`om.${k}`)!;
            writeSamples(series[k]!, chunk, "seconds", (text) => part.append(text));
          }
          if (importer) {
            const texts: string[] = [];
            writeSamples(series[k]!, chunk, "milliseconds", (text) => texts.push(text));
            for (const text of texts) await importer.add(text);
          }
        }
        if (importer) await importer.flush();
        if (stop.signal.aborted) return;
        const n = pointsIn(chunks);
        pointsThisRun += n;
        p.windows++;
        p.points += n;
        p.bytes = Object.fromEntries([...parts].map(([name, part]) => [name, part.size]));
        saveCheckpoint(out, cp);
        progress("window", device);
      }
      for (const [part, name] of finals) parts.get(part)!.commit(join(out, name));
    } finally {
      for (const part of parts.values()) part.close();
    }
    p.done = true;
    saveCheckpoint(out, cp);
    progress("device", device);
  };

  progress("start");
  const queue = cp.devices.map((device, index) => ({ device, index })).filter(({ device }) => !cp.progress[device.id]!.done);
  const workers = Math.max(1, Math.min(concurrency, queue.length));
  const lookahead = Math.max(1, Math.floor(concurrency / workers));
  let firstError: unknown;
  const worker = async (): Promise<void> => {
    for (;;) {
      const item = queue.shift();
      if (!item || stop.signal.aborted) return;
      try {
        await runDevice(item.index, item.device, lookahead);
      } catch (error) {
        if (!stop.signal.aborted) {
          firstError = error;
          stop.abort(error);
        }
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  options.signal?.removeEventListener("abort", onAbort);

  const totals = () => ({
    range: cp.range,
    devices: cp.devices.length,
    windows: windows.length * cp.devices.length,
    points: cp.devices.reduce((n, d) => n + cp.progress[d.id]!.points, 0),
    requests: stats.requests,
    splits: stats.splits,
  });
  if (firstError !== undefined) throw firstError;
  if (stop.signal.aborted) return { complete: false, resumed, ...totals(), files: [] };

  const files: string[] = [];
  for (let i = 0; i < cp.devices.length; i++) {
    if (formats.has("csv")) files.push(names.csv[i]!);
    if (formats.has("ndjson")) files.push(names.ndjson[i]!);
  }
  if (formats.has("openmetrics")) {
    assembleOpenMetrics(out, names.openmetrics, cp.devices.map((_, i) => keys.map((__, k) => join(work, `${i}.om.${k}.part`))));
    files.push(names.openmetrics);
  }
  writeAtomically(join(out, "devices.json"), devicesJson(cp, names, formats));
  files.push("devices.json");
  rmSync(work, { recursive: true, force: true });
  progress("finish");
  return { complete: true, resumed, ...totals(), files };
}

interface FileNames {
  csv: string[];
  ndjson: string[];
  openmetrics: string;
}

/** `{user_label}_{device}_{start}_{end}` per device; a name shared by two devices gets the id's start. */
function fileNames(cp: Checkpoint): FileNames {
  const span = `${compactDate(cp.range.startMs)}_${compactDate(cp.range.endMs)}`;
  const stems = cp.devices.map((d) => `${fileSafe(d.userLabel)}_${fileSafe(d.name)}_${span}`);
  const count = new Map<string, number>();
  for (const s of stems) count.set(s, (count.get(s) ?? 0) + 1);
  const unique = stems.map((s, i) => (count.get(s)! > 1 ? `${fileSafe(cp.devices[i]!.userLabel)}_${fileSafe(cp.devices[i]!.name)}-${fileSafe(cp.devices[i]!.id)}_${span}` : s));
  return { csv: unique.map((s) => `${s}.csv`), ndjson: unique.map((s) => `${s}.ndjson`), openmetrics: `nightowl_telemetry_${span}.om` };
}

function devicesJson(cp: Checkpoint, names: FileNames, formats: ReadonlySet<OutputFormat>): string {
  const body = {
    range: { start: iso(cp.range.startMs), end: iso(cp.range.endMs), start_ms: cp.range.startMs, end_ms: cp.range.endMs },
    keys: cp.args.keys,
    openmetrics: formats.has("openmetrics") ? names.openmetrics : undefined,
    devices: cp.devices.map((d, i) => ({
      device_id: d.id,
      device_name: d.name,
      type: d.type,
      user_label: d.userLabel,
      customer: d.customer ?? null,
      site: d.site ?? null,
      attributes: d.attributes,
      points: cp.progress[d.id]!.points,
      csv: formats.has("csv") ? names.csv[i] : undefined,
      ndjson: formats.has("ndjson") ? names.ndjson[i] : undefined,
    })),
  };
  return JSON.stringify(body, null, 2) + "\n";
}

/** The OpenMetrics file: the header, every series' part in device and key order, `# EOF`. */
function assembleOpenMetrics(out: string, name: string, parts: string[][]): void {
  const path = join(out, name);
  const temp = join(out, `.${name}.tmp`);
  const buffer = Buffer.allocUnsafe(1 << 20);
  let fd: number | undefined;
  try {
    fd = openSync(temp, "w");
    writeSync(fd, OPENMETRICS_HEADER);
    for (const device of parts) {
      for (const part of device) {
        if (!existsSync(part)) continue;
        const src = openSync(part, "r");
        try {
          for (let n; (n = readSync(src, buffer, 0, buffer.length, null)) > 0; ) writeSync(fd, buffer, 0, n);
        } finally {
          closeSync(src);
        }
      }
    }
    writeSync(fd, OPENMETRICS_EOF);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    throw new NightowlError("E_IO", `cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function writeAtomically(path: string, text: string): void {
  const temp = `${path}.tmp`;
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (error) {
    throw new NightowlError("E_IO", `cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
