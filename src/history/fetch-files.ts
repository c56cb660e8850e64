/**
 * The final files of a fetch, beside the per-device CSV and NDJSON files its device units
 * rename into place: their names, the OpenMetrics file assembled from the per-series parts,
 * and `devices.json`.
 */
import { closeSync, existsSync, fsyncSync, openSync, readSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { NightowlError } from "../errors.ts";
import type { Checkpoint, OutputFormat } from "./checkpoint.ts";
import { fileSafe } from "../safe-path.ts";
import { OPENMETRICS_EOF, OPENMETRICS_HEADER } from "./openmetrics-writer.ts";
import { compactDate } from "./time-range.ts";

export interface FileNames {
  /** By device index. */
  csv: string[];
  ndjson: string[];
  openmetrics: string;
}

/** `{user_label}_{device}_{start}_{end}` per device; a name shared by two devices gets the id's start. */
export function fileNames(cp: Checkpoint): FileNames {
  const span = `${compactDate(cp.range.startMs)}_${compactDate(cp.range.endMs)}`;
  const stems = cp.devices.map((d) => `${fileSafe(d.userLabel)}_${fileSafe(d.name)}_${span}`);
  const count = new Map<string, number>();
  for (const s of stems) count.set(s, (count.get(s) ?? 0) + 1);
  const unique = stems.map((s, i) => (count.get(s)! > 1 ? `${fileSafe(cp.devices[i]!.userLabel)}_${fileSafe(cp.devices[i]!.name)}-${fileSafe(cp.devices[i]!.id)}_${span}` : s));
  return { csv: unique.map((s) => `${s}.csv`), ndjson: unique.map((s) => `${s}.ndjson`), openmetrics: `nightowl_telemetry_${span}.om` };
}

/** `devices.json`: the range, the keys and per device its labels, attributes, points and files. */
export function devicesJson(cp: Checkpoint, names: FileNames, formats: ReadonlySet<OutputFormat>): string {
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
export function assembleOpenMetrics(out: string, name: string, parts: string[][]): void {
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

/** Writes `text` to a temporary file beside `path`, then renames it into place. */
export function writeAtomically(path: string, text: string): void {
  const temp = `${path}.tmp`;
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (error) {
    throw new NightowlError("E_IO", `cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
