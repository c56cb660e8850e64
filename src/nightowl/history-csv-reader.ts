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
import { releaseMemory } from "../release-memory.ts";
import { dropRepeatedRows, type RowBlock } from "./history-csv-duplicates.ts";
import { DevicePart } from "./history-csv-part.ts";

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
    // The code alone: the runtime's message repeats the path ("ENOENT: no such file or directory, open '…'").
    throw new NightowlError("E_IO", `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
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
  // Device by device, each part's chunks let go as its frame is built (and collected, on a
  // big device, before the next is built: otherwise reading needs the history twice).
  const frames = [...parts.values()].map((p) => {
    const frame = mergeParts(p, log);
    releaseMemory(frame.ts.length);
    return frame;
  });
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
  const meta = { ...parts[0]!.meta };
  for (const part of parts.slice(1)) {
    for (const field of ["userLabel", "deviceName", "customer", "site"] as const) if (!meta[field]) meta[field] = part.meta[field];
  }
  const frameOf = (keys: readonly string[], ts: Float64Array, columns: Float64Array[]): HistoryFrame => ({
    deviceId: meta.deviceId,
    deviceName: meta.deviceName,
    userLabel: meta.userLabel,
    ...(meta.customer ? { customer: meta.customer } : {}),
    ...(meta.site ? { site: meta.site } : {}),
    ts,
    columns: Object.fromEntries(keys.map((k, i) => [k, columns[i]!])),
  });
  // The usual case, one file with the device's rows in time order: its columns as they are.
  if (parts.length === 1 && parts[0]!.increasing()) {
    const { ts, columns } = parts[0]!.takeColumns();
    return frameOf(parts[0]!.keys, ts, columns);
  }
  const keys: string[] = [];
  const keyIndex = new Map<string, number>();
  for (const part of parts) for (const k of part.keys) if (!keyIndex.has(k)) keyIndex.set(k, keys.push(k) - 1);
  let total = 0;
  const blocks = parts.map((part) => {
    const block = part.takeBlock();
    if (!sortedBlock(block)) log.warn(`${part.file}: rows of device ${part.meta.deviceId} are not in time order; sorted them`);
    part.duplicates = dropRepeatedRows(block);
    total += block.rows;
    return block;
  });
  const ts = new Float64Array(total);
  const partOf = new Uint32Array(total);
  const rowOf = new Uint32Array(total);
  let n = 0;
  blocks.forEach((block, p) => {
    for (let r = 0; r < block.rows; r++, n++) {
      ts[n] = block.ts[r]!;
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
    const block = blocks[partOf[at]!]!;
    const r = rowOf[at]!;
    const t = ts[at]!;
    if (out < 0 || t !== outTs[out]) outTs[++out] = t;
    const map = maps[partOf[at]!]!;
    const base = r * map.length;
    for (let k = 0; k < map.length; k++) {
      const v = block.values[base + k]!;
      if (v === v) columns[map[k]!]![out] = v;
    }
  }
  const rows = out + 1;
  return frameOf(keys, rows === total ? outTs : outTs.slice(0, rows), rows === total ? columns : columns.map((c) => c.slice(0, rows)));
}

function sortedBlock(block: RowBlock): boolean {
  for (let i = 1; i < block.rows; i++) if (block.ts[i]! < block.ts[i - 1]!) return false;
  return true;
}
