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
import { dropRepeatedRows, type DuplicateCount, type RowBlock } from "./history-csv-duplicates.ts";

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

/** Rows a part's chunks grow to: the first chunks are small (a file may hold many small devices). */
const CHUNK_ROWS = 16_384;
const FIRST_CHUNK_ROWS = 256;

/** A run of one part's rows, column by column. */
interface Chunk {
  ts: Float64Array;
  lines: Float64Array;
  /** One array per key; null once the chunk is full when the key had no value in it. */
  values: (Float64Array | null)[];
}

/**
 * One device's rows from one file, as read: column by column in chunks that grow to 16,384
 * rows and are never copied while reading (a doubling buffer would hold up to twice the rows
 * and copy them at every growth). A key with no value in a full chunk keeps nothing for it,
 * and a key with no value in the whole part becomes one shared array of NaN, so the empty
 * columns of a wide file cost nothing (frames are read, never written). When the rows are in
 * strictly increasing time, the usual case, the frame's columns are built one key at a time
 * and each key's chunks let go as soon as it is copied, so reading needs about the history's
 * values once, plus one column.
 */
class DevicePart {
  rows = 0;
  private chunks: Chunk[] = [];
  private filled = 0;
  /** Column arrays a sealed chunk let go (no value in them), reused by the next chunk of their size. */
  private spare: Float64Array[] = [];
  /** What `dropRepeatedRows` removed, once the file is read. */
  duplicates: DuplicateCount = { exact: 0, conflicting: 0 };

  constructor(
    readonly file: string,
    readonly fileIndex: number,
    readonly keys: readonly string[],
    readonly meta: Pick<HistoryCsvRow, "userLabel" | "deviceId" | "deviceName" | "customer" | "site">,
  ) {}

  push(row: HistoryCsvRow): void {
    let chunk = this.chunks[this.chunks.length - 1];
    if (chunk === undefined || this.filled === chunk.ts.length) {
      if (chunk) this.spare = sealChunk(chunk, chunk.ts.length);
      const size = Math.min(CHUNK_ROWS, Math.max(FIRST_CHUNK_ROWS, this.rows));
      const spare = this.spare.filter((a) => a.length === size);
      chunk = { ts: new Float64Array(size), lines: new Float64Array(size), values: this.keys.map(() => spare.pop() ?? new Float64Array(size)) };
      this.spare = [];
      this.chunks.push(chunk);
      this.filled = 0;
    }
    const at = this.filled++;
    chunk.ts[at] = row.ts;
    chunk.lines[at] = row.line;
    const values = row.values;
    for (let k = 0; k < values.length; k++) chunk.values[k]![at] = values[k]!;
    this.rows++;
  }

  /** Strictly increasing times (no repeat, nothing out of order). */
  increasing(): boolean {
    let last = -Infinity;
    let left = this.rows;
    for (const chunk of this.chunks) {
      for (let i = 0; i < chunk.ts.length && left > 0; i++, left--) {
        if (!(chunk.ts[i]! > last)) return false;
        last = chunk.ts[i]!;
      }
    }
    return true;
  }

  /** The rows as one frame's columns, when `increasing()`: each column's chunks let go once copied. */
  takeColumns(): { ts: Float64Array; columns: Float64Array[] } {
    this.sealLast();
    const ts = this.gather((c) => c.ts);
    let empty: Float64Array | undefined;
    const columns = this.keys.map((_, k) => {
      if (this.chunks.every((c) => c.values[k] === null)) return (empty ??= new Float64Array(this.rows).fill(NaN));
      const column = this.gather((c) => c.values[k] ?? null);
      for (const c of this.chunks) c.values[k] = null;
      return column;
    });
    this.chunks = [];
    return { ts, columns };
  }

  /** The rows row-major in one block, for sorting and duplicate removal; the chunks are let go. */
  takeBlock(): RowBlock {
    this.sealLast();
    const width = this.keys.length;
    const ts = this.gather((c) => c.ts);
    const lines = this.gather((c) => c.lines);
    const values = new Float64Array(this.rows * width);
    let r = 0;
    for (const chunk of this.chunks) {
      const n = Math.min(chunk.ts.length, this.rows - r);
      for (let k = 0; k < width; k++) {
        const column = chunk.values[k];
        for (let i = 0; i < n; i++) values[(r + i) * width + k] = column ? column[i]! : NaN;
      }
      r += n;
    }
    this.chunks = [];
    return { rows: this.rows, ts, lines, values, keys: this.keys };
  }

  private sealLast(): void {
    const last = this.chunks[this.chunks.length - 1];
    if (last) sealChunk(last, this.filled);
  }

  /** One array of every chunk's `pick` (null: NaN) in row order. */
  private gather(pick: (chunk: Chunk) => Float64Array | null): Float64Array {
    const out = new Float64Array(this.rows);
    let at = 0;
    for (const chunk of this.chunks) {
      const n = Math.min(chunk.ts.length, this.rows - at);
      const part = pick(chunk);
      if (part === null) out.fill(NaN, at, at + n);
      else out.set(n === part.length ? part : part.subarray(0, n), at);
      at += n;
    }
    return out;
  }
}

/** Lets go of the chunk's columns with no value in their first `rows` rows; returns them. */
function sealChunk(chunk: Chunk, rows: number): Float64Array[] {
  const freed: Float64Array[] = [];
  chunk.values = chunk.values.map((column) => {
    if (column === null) return null;
    for (let i = 0; i < rows; i++) if (column[i] === column[i]) return column;
    freed.push(column);
    return null;
  });
  return freed;
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
