/**
 * One device of a fetch: its windows fetched completely (window-planner.ts), a few ahead,
 * appended in time order to the device's partial files, each window recorded in the
 * checkpoint; when the last is written the device's CSV and NDJSON files are renamed into
 * place. A resumed device continues after its last recorded window.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { NightowlError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { saveCheckpoint, type Checkpoint, type DeviceProgress, type OutputFormat } from "./checkpoint.ts";
import { csvHeaderText, writeCsvWindow } from "./csv-output.ts";
import { historyMetaOf, type DeviceMeta } from "./device-meta.ts";
import type { FileNames } from "./fetch-files.ts";
import type { Limiter } from "./limiter.ts";
import { ndjsonChunkLine } from "./ndjson-output.ts";
import { seriesName, writeSamples } from "./openmetrics-writer.ts";
import { PartFile } from "./part-file.ts";
import { VmImporter } from "./vm-import.ts";
import { fetchComplete, pointsIn, type CompleteFetchStats, type SeriesChunk, type WindowPage } from "./window-planner.ts";

/** What a device unit shares with the whole fetch. */
export interface FetchRun {
  cp: Checkpoint;
  /** The output directory and its work folder (checkpoint and partial files). */
  out: string;
  work: string;
  windows: readonly { startMs: number; endMs: number }[];
  keys: readonly string[];
  formats: ReadonlySet<OutputFormat>;
  names: FileNames;
  limit: number;
  /** VictoriaMetrics import, when asked for. */
  importUrl?: string;
  importBatchChars?: number;
  /** Largest answer read from the import URL, bytes. */
  importMaxBodyBytes?: number;
  timeseries(deviceId: string, keys: readonly string[], startMs: number, endMs: number, limit: number, signal: AbortSignal): Promise<WindowPage>;
  limiter: Limiter;
  stats: CompleteFetchStats;
  /** Aborted by the caller's signal or by the first failing device. */
  stop: AbortController;
  log: Logger;
  /** Counts points fetched by this run and reports progress. */
  onWindow(device: DeviceMeta, points: number): void;
  onDevice(device: DeviceMeta): void;
}

/** Fetches and writes device `index` from its next unwritten window to its last. */
export async function fetchDevice(run: FetchRun, index: number, device: DeviceMeta, lookahead: number): Promise<void> {
  const p = run.cp.progress[device.id]!;
  const parts = partFiles(run, index);
  const finals = finalFiles(run, index);
  if (p.windows === run.windows.length && finals.every(([part, name]) => !existsSync(parts.get(part)!.path) && existsSync(join(run.out, name)))) {
    // Interrupted between renaming the files into place and recording it.
    markDone(run, p);
    return;
  }
  openParts(parts, p, device, run.log);
  const csv = parts.get("csv");
  if (csv && csv.size === 0) csv.append(csvHeaderText(run.keys));
  const importer = run.importUrl ? new VmImporter({ url: run.importUrl, batchChars: run.importBatchChars, maxBodyBytes: run.importMaxBodyBytes, signal: run.stop.signal }) : undefined;
  const fetchWindow = (keys: readonly string[], startMs: number, endMs: number, limit: number) =>
    run.limiter.run(() => {
      if (run.stop.signal.aborted) throw run.stop.signal.reason ?? new Error("aborted");
      return run.timeseries(device.id, keys, startMs, endMs, limit, run.stop.signal);
    });

  const pending: Promise<Map<string, SeriesChunk>>[] = [];
  let next = p.windows;
  try {
    while (p.windows < run.windows.length) {
      while (pending.length < lookahead && next < run.windows.length) {
        const promise = fetchComplete(fetchWindow, run.keys, run.windows[next++]!, run.limit, run.stats);
        promise.catch(() => {});
        pending.push(promise);
      }
      const chunks = await pending.shift()!;
      if (run.stop.signal.aborted) return;
      await writeWindow(run, device, parts, importer, chunks);
      if (run.stop.signal.aborted) return;
      const n = pointsIn(chunks);
      p.windows++;
      p.points += n;
      p.bytes = Object.fromEntries([...parts].map(([name, part]) => [name, part.size]));
      saveCheckpoint(run.out, run.cp);
      run.onWindow(device, n);
    }
    for (const [part, name] of finals) parts.get(part)!.commit(join(run.out, name));
  } finally {
    for (const part of parts.values()) part.close();
  }
  markDone(run, p);
  run.onDevice(device);
}

/** The device's partial files by part name: csv, ndjson, and om.{k} per key. */
function partFiles(run: FetchRun, index: number): Map<string, PartFile> {
  const stem = join(run.work, `${index}`);
  const parts = new Map<string, PartFile>();
  if (run.formats.has("csv")) parts.set("csv", new PartFile(`${stem}.csv.part`));
  if (run.formats.has("ndjson")) parts.set("ndjson", new PartFile(`${stem}.ndjson.part`));
  if (run.formats.has("openmetrics")) run.keys.forEach((_, k) => parts.set(`om.${k}`, new PartFile(`${stem}.om.${k}.part`)));
  return parts;
}

/** [part, final file name] of the parts renamed into place when the device is done. */
function finalFiles(run: FetchRun, index: number): [string, string][] {
  const finals: [string, string][] = [];
  if (run.formats.has("csv")) finals.push(["csv", run.names.csv[index]!]);
  if (run.formats.has("ndjson")) finals.push(["ndjson", run.names.ndjson[index]!]);
  return finals;
}

/** Opens the parts cut back to the recorded sizes; a part shorter than recorded restarts the device. */
function openParts(parts: ReadonlyMap<string, PartFile>, p: DeviceProgress, device: DeviceMeta, log: Logger): void {
  let intact = true;
  for (const [name, part] of parts) if (!part.open(p.bytes[name] ?? 0)) intact = false;
  if (intact) return;
  if (p.windows > 0) log.warn(`Partial files of device ${device.name} are shorter than recorded; fetching it again from the start`);
  p.windows = 0;
  p.points = 0;
  p.bytes = {};
  for (const part of parts.values()) if (!part.open(0)) throw new NightowlError("E_IO", `cannot create ${part.path}`);
}

/** Appends one window's chunks to every part (and the import), in key order. */
async function writeWindow(run: FetchRun, device: DeviceMeta, parts: ReadonlyMap<string, PartFile>, importer: VmImporter | undefined, chunks: ReadonlyMap<string, SeriesChunk>): Promise<void> {
  const csv = parts.get("csv");
  if (csv) writeCsvWindow(historyMetaOf(device), run.keys, chunks, (text) => csv.append(text));
  const ndjson = parts.get("ndjson");
  for (let k = 0; k < run.keys.length; k++) {
    const chunk = chunks.get(run.keys[k]!);
    if (!chunk) continue;
    if (ndjson) ndjson.append(ndjsonChunkLine(device, run.keys[k]!, chunk));
    const om = parts.get(`om.${k}`);
    if (om) writeSamples(seriesName(device, run.keys[k]!), chunk, "seconds", (text) => om.append(text));
    if (importer) {
      const texts: string[] = [];
      writeSamples(seriesName(device, run.keys[k]!), chunk, "milliseconds", (text) => texts.push(text));
      for (const text of texts) await importer.add(text);
    }
  }
  if (importer) await importer.flush();
}

function markDone(run: FetchRun, p: DeviceProgress): void {
  p.done = true;
  saveCheckpoint(run.out, run.cp);
}
