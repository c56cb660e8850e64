/**
 * The history file format, as the original monitor wrote it: a wide CSV with seven fixed
 * columns, then one column per telemetry key.
 *
 *     timestamp,datetime,user_label,device_id,device_name,customer,site,S1,S2,...
 *     1717200000000,2024-06-01T00:00:00.000Z,dgorman,3701155,Well House,Dan Gorman,Ranch,52.4,,...
 *
 * `timestamp` is epoch milliseconds (the truth; `datetime` is its ISO 8601 UTC rendering for
 * people and is ignored on reading), an empty cell is "no value", and several devices may share
 * one file, their rows grouped or interleaved. Quoting follows RFC 4180.
 */
import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { NightowlError } from "../errors.ts";
import type { HistoryFrame } from "./history-frame.ts";
import { csvField } from "./csv-record.ts";
import { HISTORY_FIXED_COLUMNS } from "./history-csv-line.ts";

export { readHistoryCsv, readHistoryCsvRows, type HistoryCsvRow, type ReadHistoryOptions } from "./history-csv-reader.ts";

export { HISTORY_FIXED_COLUMNS } from "./history-csv-line.ts";

/** The per-device columns of a row. */
export type HistoryMeta = Pick<HistoryFrame, "userLabel" | "deviceId" | "deviceName" | "customer" | "site">;

/** The header line (no line break) for these telemetry keys. */
export function historyCsvHeader(keys: readonly string[]): string {
  return [...HISTORY_FIXED_COLUMNS, ...keys].map(csvField).join(",");
}

/**
 * One data line (no line break). `ts` in epoch milliseconds; `values` aligned with the header's
 * keys, NaN written as an empty cell. Infinite values are refused (E_DATA): no reader could
 * tell them from a typo.
 */
export function historyCsvRow(meta: HistoryMeta, ts: number, values: ArrayLike<number>): string {
  return metaPrefix(meta, ts) + valueCells(values, meta.deviceId, ts);
}

/** `meta` with the timestamp and datetime in front: the part of a row before the values. */
function metaPrefix(meta: HistoryMeta, ts: number): string {
  if (!Number.isFinite(ts)) {
    throw new NightowlError("E_DATA", `device ${meta.deviceId}: timestamp ${ts} is not epoch milliseconds`);
  }
  return `${ts},${new Date(ts).toISOString()},${deviceCells(meta)}`;
}

function deviceCells(meta: HistoryMeta): string {
  return [meta.userLabel, meta.deviceId, meta.deviceName, meta.customer ?? "", meta.site ?? ""].map(csvField).join(",");
}

function valueCells(values: ArrayLike<number>, deviceId: string, ts: number): string {
  let out = "";
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) out += ",";
    else if (v === Infinity || v === -Infinity) {
      throw new NightowlError("E_DATA", `device ${deviceId} at ${ts}: value ${v} of column ${i + 1} is not finite`);
    } else out += "," + v;
  }
  return out;
}

/**
 * Writes rows to a temporary file beside `path` and renames it into place on `commit`, so a
 * reader never sees half a file. Lines are buffered and written in blocks.
 */
export interface HistoryCsvWriter {
  /** One row; `values` aligned with the writer's keys. */
  writeRow(meta: HistoryMeta, ts: number, values: ArrayLike<number>): Promise<void>;
  /** Every row of a frame, keys matched by name (a key the frame lacks is empty). */
  writeFrame(frame: HistoryFrame): Promise<void>;
  /** Flushes, syncs and renames the file into place. */
  commit(): Promise<void>;
  /** Removes the temporary file; the destination is left as it was. */
  abort(): Promise<void>;
}

const FLUSH_CHARS = 1 << 20;

/** Opens a history CSV for writing with these telemetry keys as columns. */
export async function createHistoryCsvWriter(path: string, keys: readonly string[]): Promise<HistoryCsvWriter> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const file = await open(temp, "w").catch((error: unknown) => {
    throw new NightowlError("E_IO", `cannot write ${path}: ${(error as Error).message}`, { cause: error });
  });
  let pending = historyCsvHeader(keys) + "\n";
  let closed = false;
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const text = pending;
    pending = "";
    await file.write(text).catch((error: unknown) => {
      throw new NightowlError("E_IO", `cannot write ${path}: ${(error as Error).message}`, { cause: error });
    });
  };
  const abort = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await file.close().catch(() => {});
    await unlink(temp).catch(() => {});
  };
  const writer: HistoryCsvWriter = {
    async writeRow(meta, ts, values) {
      pending += historyCsvRow(meta, ts, values) + "\n";
      if (pending.length >= FLUSH_CHARS) await flush();
    },
    async writeFrame(frame) {
      const columns = keys.map((k) => frame.columns[k]);
      const device = "," + deviceCells(frame);
      const row = new Float64Array(keys.length);
      for (let r = 0; r < frame.ts.length; r++) {
        for (let k = 0; k < columns.length; k++) row[k] = columns[k] ? columns[k]![r]! : NaN;
        const ts = frame.ts[r]!;
        if (!Number.isFinite(ts)) metaPrefix(frame, ts);
        pending += `${ts},${new Date(ts).toISOString()}${device}${valueCells(row, frame.deviceId, ts)}\n`;
        if (pending.length >= FLUSH_CHARS) await flush();
      }
    },
    async commit() {
      try {
        await flush();
        await file.sync();
        await file.close();
        closed = true;
        await rename(temp, path);
      } catch (error) {
        await abort();
        if (error instanceof NightowlError) throw error;
        throw new NightowlError("E_IO", `cannot write ${path}: ${(error as Error).message}`, { cause: error });
      }
    },
    abort,
  };
  return writer;
}

/**
 * Writes frames to one history CSV atomically, device after device, each in time order.
 * `keys` defaults to the union of the frames' keys in order of first appearance.
 */
export async function writeHistoryCsv(path: string, frames: readonly HistoryFrame[], keys?: readonly string[]): Promise<void> {
  const columns = keys ?? unionKeys(frames);
  const writer = await createHistoryCsvWriter(path, columns);
  try {
    for (const frame of frames) await writer.writeFrame(frame);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  await writer.commit();
}

/** The frames' keys in order of first appearance. */
export function unionKeys(frames: readonly HistoryFrame[]): string[] {
  const seen = new Set<string>();
  for (const frame of frames) for (const key of Object.keys(frame.columns)) seen.add(key);
  return [...seen];
}
