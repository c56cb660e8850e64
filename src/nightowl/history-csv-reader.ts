/**
 * Reading history CSVs (format: see history-csv.ts): streamed in 1 MiB chunks, one frame per
 * device. Every malformed line is an E_DATA error starting `file:line:`.
 *
 * Order and duplicates: rows of a device out of time order are sorted (with one warning per
 * file and device). A timestamp repeated for one device inside one file keeps its last row
 * (history-csv-duplicates.ts), with one warning for exact copies and one, with the count, for
 * repeats with other values. The same device and timestamp in two files (overlapping fetches)
 * is merged cell by cell: a non-empty cell of the file named later wins.
 */
import { createReadStream } from "node:fs";
import { NightowlError } from "../errors.ts";
import { silentLogger, type Logger } from "../log.ts";
import { CsvRecordReader, CsvSyntaxError, splitRecord } from "./csv-record.ts";
import { HISTORY_FIXED_COLUMNS as FIXED, LineDecoder, type HistoryCsvRow } from "./history-csv-line.ts";
import type { HistoryFrame } from "./history-frame.ts";
import { dropRepeatedRows, type DuplicateCount } from "./history-csv-duplicates.ts";

export type { HistoryCsvRow } from "./history-csv-line.ts";

export interface ReadHistoryOptions {
  /** Receives the "sorted out-of-order rows" warnings. */
  log?: Logger;
}

/**
 * Streams one file through the decoder, calling `onRow` for each data line and yielding after
 * each chunk so a consumer can drain what it collected; returns the decoder (header keys).
 */
async function* scanFile(file: string, onRow: (row: HistoryCsvRow) => void): AsyncGenerator<void, LineDecoder> {
  const decoder = new LineDecoder(file);
  const reader = new CsvRecordReader(
    (cells, line) => {
      if (!decoder.hasHeader) decoder.header(cells, line);
      else onRow(decoder.decode(cells, line));
    },
    (text, start, end, line) => {
      if (!decoder.hasHeader) decoder.header(splitRecord(text.slice(start, end)), line);
      else onRow(decoder.decodeRecord(text, start, end, line));
    },
  );
  const stream = createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) {
      reader.feed(chunk as string);
      yield;
    }
    reader.end();
  } catch (error) {
    if (error instanceof NightowlError) throw error;
    if (error instanceof CsvSyntaxError) throw decoder.error(error.line, error.message);
    throw new NightowlError("E_IO", `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  } finally {
    stream.destroy();
  }
  if (!decoder.hasHeader) throw new NightowlError("E_DATA", `${file}: empty file, expected a header line starting ${FIXED.join(",")}`);
  return decoder;
}

/**
 * The data lines of one file as they come, without sorting or grouping. Each yielded row is a
 * fresh object; memory stays bounded by about one chunk of the file.
 */
export async function* readHistoryCsvRows(file: string): AsyncGenerator<HistoryCsvRow> {
  let queue: HistoryCsvRow[] = [];
  const scan = scanFile(file, (row) => queue.push({ ...row, values: row.values.slice() }));
  for (;;) {
    const step = await scan.next();
    const rows = queue;
    queue = [];
    yield* rows;
    if (step.done) return;
  }
}

/** One device's rows from one file, as read (row-major values, growing by doubling). */
class DevicePart {
  rows = 0;
  ts = new Float64Array(256);
  lines = new Float64Array(256);
  values: Float64Array;
  /** What `dropRepeatedRows` removed, once the file is read. */
  duplicates: DuplicateCount = { exact: 0, conflicting: 0 };

  constructor(
    readonly file: string,
    readonly fileIndex: number,
    readonly keys: readonly string[],
    readonly meta: Pick<HistoryCsvRow, "userLabel" | "deviceId" | "deviceName" | "customer" | "site">,
  ) {
    this.values = new Float64Array(256 * keys.length);
  }

  push(row: HistoryCsvRow): void {
    if (this.rows === this.ts.length) {
      this.ts = grow(this.ts, this.rows * 2);
      this.lines = grow(this.lines, this.rows * 2);
      this.values = grow(this.values, this.rows * 2 * this.keys.length);
    }
    this.ts[this.rows] = row.ts;
    this.lines[this.rows] = row.line;
    this.values.set(row.values, this.rows * this.keys.length);
    this.rows++;
  }

  sorted(): boolean {
    for (let i = 1; i < this.rows; i++) if (this.ts[i]! < this.ts[i - 1]!) return false;
    return true;
  }
}

function grow(a: Float64Array, size: number) {
  const b = new Float64Array(size);
  b.set(a);
  return b;
}

/**
 * Reads one or more history CSVs into one frame per device (in order of first appearance),
 * each sorted by time with strictly increasing timestamps. Columns are the union of the files'
 * keys; a key a file lacks is NaN for that file's rows. Order and duplicates: see the top of
 * this file.
 */
export async function readHistoryCsv(files: string | readonly string[], options: ReadHistoryOptions = {}): Promise<HistoryFrame[]> {
  const log = options.log ?? silentLogger;
  const list = typeof files === "string" ? [files] : files;
  const parts = new Map<string, DevicePart[]>();
  for (let fileIndex = 0; fileIndex < list.length; fileIndex++) {
    const file = list[fileIndex]!;
    let last: DevicePart | undefined;
    const fileParts = new Map<string, DevicePart>();
    let keys: readonly string[] = [];
    const scan = scanFile(file, (row) => {
      if (last === undefined || last.meta.deviceId !== row.deviceId) {
        last = fileParts.get(row.deviceId);
        if (last === undefined) {
          keys = row.keys;
          const { userLabel, deviceId, deviceName, customer, site } = row;
          last = new DevicePart(file, fileIndex, keys, { userLabel, deviceId, deviceName, customer, site });
          fileParts.set(row.deviceId, last);
          const list = parts.get(row.deviceId);
          if (list) list.push(last);
          else parts.set(row.deviceId, [last]);
        }
      }
      last.push(row);
    });
    while (!(await scan.next()).done);
  }
  const frames = [...parts.values()].map((p) => mergeParts(p, log));
  warnDuplicates([...parts.values()].flat(), log);
  return frames;
}

/** One warning for the exact copies dropped and one, with the count, for the conflicting repeats. */
function warnDuplicates(parts: readonly DevicePart[], log: Logger): void {
  let exact = 0;
  let conflicting = 0;
  let first: DevicePart | undefined;
  for (const part of parts) {
    exact += part.duplicates.exact;
    conflicting += part.duplicates.conflicting;
    if (!first && part.duplicates.conflicting > 0) first = part;
  }
  if (exact > 0) log.warn(`dropped ${exact} exact duplicate row(s): the same device, timestamp and values twice in a file`);
  if (first) {
    log.warn(
      `${conflicting} row(s) repeat a device's timestamp with other values (first at ${first.file}:${first.duplicates.firstConflictLine}, device ${first.meta.deviceId}); kept the last row of each timestamp`,
    );
  }
}

function mergeParts(parts: DevicePart[], log: Logger): HistoryFrame {
  const keys: string[] = [];
  const keyIndex = new Map<string, number>();
  for (const part of parts) for (const k of part.keys) if (!keyIndex.has(k)) keyIndex.set(k, keys.push(k) - 1);
  let total = 0;
  for (const part of parts) {
    if (!part.sorted()) log.warn(`${part.file}: rows of device ${part.meta.deviceId} are not in time order; sorted them`);
    part.duplicates = dropRepeatedRows(part);
    total += part.rows;
  }
  const ts = new Float64Array(total);
  const partOf = new Uint32Array(total);
  const rowOf = new Uint32Array(total);
  let n = 0;
  parts.forEach((part, p) => {
    for (let r = 0; r < part.rows; r++, n++) {
      ts[n] = part.ts[r]!;
      partOf[n] = p;
      rowOf[n] = r;
    }
  });
  let order: Uint32Array | undefined;
  for (let i = 1; i < total; i++) {
    if (ts[i]! < ts[i - 1]!) {
      order = new Uint32Array(total);
      for (let j = 0; j < total; j++) order[j] = j;
      order.sort((a, b) => ts[a]! - ts[b]! || a - b);
      break;
    }
  }
  const outTs = new Float64Array(total);
  const columns = keys.map(() => new Float64Array(total).fill(NaN));
  const maps = parts.map((part) => part.keys.map((k) => keyIndex.get(k)!));
  let out = -1;
  for (let i = 0; i < total; i++) {
    const at = order ? order[i]! : i;
    const part = parts[partOf[at]!]!;
    const r = rowOf[at]!;
    const t = ts[at]!;
    if (out < 0 || t !== outTs[out]) outTs[++out] = t;
    const map = maps[partOf[at]!]!;
    const base = r * map.length;
    for (let k = 0; k < map.length; k++) {
      const v = part.values[base + k]!;
      if (v === v) columns[map[k]!]![out] = v;
    }
  }
  const rows = out + 1;
  const meta = { ...parts[0]!.meta };
  for (const part of parts.slice(1)) {
    for (const field of ["userLabel", "deviceName", "customer", "site"] as const) if (!meta[field]) meta[field] = part.meta[field];
  }
  return {
    deviceId: meta.deviceId,
    deviceName: meta.deviceName,
    userLabel: meta.userLabel,
    ...(meta.customer ? { customer: meta.customer } : {}),
    ...(meta.site ? { site: meta.site } : {}),
    ts: rows === total ? outTs : outTs.slice(0, rows),
    columns: Object.fromEntries(keys.map((k, i) => [k, rows === total ? columns[i]! : columns[i]!.slice(0, rows)])),
  };
}
