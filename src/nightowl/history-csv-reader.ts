/**
 * Reading history CSVs (format: see history-csv.ts): streamed in 1 MiB chunks, one frame per
 * device. Every malformed line is an E_DATA error starting `file:line:`.
 *
 * Order and duplicates: rows of a device out of time order are sorted (with one warning per
 * file and device). A timestamp repeated for one device inside one file is an error, since no
 * writer produces it. The same device and timestamp in two files (overlapping fetches) is
 * merged cell by cell: a non-empty cell of the file named later wins.
 */
import { createReadStream } from "node:fs";
import { NightowlError } from "../errors.ts";
import { silentLogger, type Logger } from "../log.ts";
import { CsvRecordReader, CsvSyntaxError, splitRecord } from "./csv-record.ts";
import type { HistoryFrame } from "./history-frame.ts";

const FIXED = ["timestamp", "datetime", "user_label", "device_id", "device_name", "customer", "site"] as const;

/** One parsed data line. */
export interface HistoryCsvRow {
  file: string;
  /** 1-based line number where the row starts. */
  line: number;
  userLabel: string;
  deviceId: string;
  deviceName: string;
  customer: string;
  site: string;
  /** Epoch milliseconds. */
  ts: number;
  /** The file's telemetry keys, in header order (the same array for every row of a file). */
  keys: readonly string[];
  /** Aligned with `keys`; NaN where the cell was empty. */
  values: Float64Array;
}

export interface ReadHistoryOptions {
  /** Receives the "sorted out-of-order rows" warnings. */
  log?: Logger;
}

/** Decodes the lines of one file; `row` is rewritten for every line. */
class LineDecoder {
  keys: string[] = [];
  private kinds: Int32Array = new Int32Array(0);
  private fixedAt = new Int32Array(FIXED.length);
  row: HistoryCsvRow;

  constructor(readonly file: string) {
    this.row = { file, line: 0, userLabel: "", deviceId: "", deviceName: "", customer: "", site: "", ts: NaN, keys: this.keys, values: new Float64Array(0) };
  }

  get hasHeader(): boolean {
    return this.kinds.length > 0;
  }

  header(cells: string[], line: number): void {
    const seen = new Set<string>();
    this.kinds = new Int32Array(cells.length);
    this.fixedAt.fill(-1);
    cells.forEach((raw, i) => {
      const name = raw.trim();
      if (name === "") throw this.error(line, `column ${i + 1} of the header has no name`);
      if (seen.has(name)) throw this.error(line, `column "${name}" appears twice in the header`);
      seen.add(name);
      const fixed = (FIXED as readonly string[]).indexOf(name);
      if (fixed >= 0) {
        this.fixedAt[fixed] = i;
        this.kinds[i] = -1 - fixed;
      } else {
        this.kinds[i] = this.keys.length;
        this.keys.push(name);
      }
    });
    const missing = FIXED.filter((_, f) => this.fixedAt[f]! < 0);
    if (missing.length) {
      throw this.error(line, `the header lacks ${missing.join(", ")}; a history CSV starts with ${FIXED.join(",")}`);
    }
    this.row.values = new Float64Array(this.keys.length);
  }

  decode(cells: string[], line: number): HistoryCsvRow {
    const kinds = this.kinds;
    if (cells.length !== kinds.length) throw this.error(line, `${cells.length} cells where the header has ${kinds.length}`);
    const row = this.row;
    const values = row.values;
    row.line = line;
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[i]!;
      if (kind >= 0) {
        const cell = cells[i]!;
        if (cell.length === 0) {
          values[kind] = NaN;
          continue;
        }
        const v = +cell;
        if (v !== v || v === Infinity || v === -Infinity || (v === 0 && !zeroLike(cell)) || isRadixLiteral(cell)) {
          if (cell.trim() === "") values[kind] = NaN;
          else throw this.error(line, `column "${this.keys[kind]}" has "${cell}", which is not a number`);
        } else values[kind] = v;
      }
    }
    const f = this.fixedAt;
    const tsCell = cells[f[0]!]!;
    const ts = tsCell.length ? +tsCell : NaN;
    if (!Number.isFinite(ts) || isRadixLiteral(tsCell)) throw this.error(line, `timestamp "${tsCell}" is not epoch milliseconds`);
    row.ts = ts;
    row.deviceId = cells[f[3]!]!;
    if (row.deviceId === "") throw this.error(line, "device_id is empty");
    row.userLabel = cells[f[2]!]!;
    row.deviceName = cells[f[4]!]!;
    row.customer = cells[f[5]!]!;
    row.site = cells[f[6]!]!;
    return row;
  }

  /**
   * `decode` for a record in place (`text.slice(start, end)`): numbers straight from the
   * character codes (see `decimalAt`), quoted cells unescaped, metadata strings reused while
   * they repeat the previous row's. Anything irregular (wrong cell count, text after a closing
   * quote) goes through `decode`, which reports it.
   */
  decodeRecord(text: string, start: number, end: number, line: number): HistoryCsvRow {
    const kinds = this.kinds;
    const n = kinds.length;
    const row = this.row;
    const values = row.values;
    row.line = line;
    let pos = start;
    for (let i = 0; i < n; i++) {
      let from = pos;
      let to: number;
      let escaped = false;
      if (pos < end && text.charCodeAt(pos) === 34) {
        let j = pos + 1;
        for (;;) {
          j = text.indexOf('"', j);
          if (j < 0 || j >= end) return this.slowRecord(text, start, end, line);
          if (j + 1 < end && text.charCodeAt(j + 1) === 34) {
            escaped = true;
            j += 2;
            continue;
          }
          break;
        }
        from = pos + 1;
        to = j;
        pos = j + 1;
        if (i < n - 1 ? pos >= end || text.charCodeAt(pos) !== 44 : pos !== end) return this.slowRecord(text, start, end, line);
      } else if (i < n - 1) {
        to = text.indexOf(",", pos);
        if (to < 0 || to > end) return this.slowRecord(text, start, end, line);
        pos = to;
      } else {
        const extra = text.indexOf(",", pos);
        if (extra >= 0 && extra < end) return this.slowRecord(text, start, end, line);
        to = pos = end;
      }
      pos++;
      const kind = kinds[i]!;
      if (kind === -2) continue;
      if (escaped) {
        this.set(kind, text.slice(from, to).replaceAll('""', '"'), line);
        continue;
      }
      if (kind >= 0) {
        const v = decimalAt(text, from, to);
        values[kind] = v === v || to === from ? v : this.slowNumber(text.slice(from, to), kind, line);
      } else if (kind === -1) {
        const ts = decimalAt(text, from, to);
        row.ts = ts === ts ? ts : this.slowTimestamp(text.slice(from, to), line);
      } else {
        const field = FIELDS[-1 - kind]!;
        const old = row[field];
        if (!(old.length === to - from && text.startsWith(old, from))) row[field] = text.slice(from, to);
      }
    }
    if (row.deviceId === "") throw this.error(line, "device_id is empty");
    return row;
  }

  /** One cell's text into the row, the slow way. */
  private set(kind: number, cell: string, line: number): void {
    if (kind >= 0) this.row.values[kind] = cell === "" ? NaN : this.slowNumber(cell, kind, line);
    else if (kind === -1) this.row.ts = this.slowTimestamp(cell, line);
    else if (kind !== -2) this.row[FIELDS[-1 - kind]!] = cell;
  }

  private slowRecord(text: string, start: number, end: number, line: number): HistoryCsvRow {
    let cells: string[];
    try {
      cells = splitRecord(text.slice(start, end));
    } catch (error) {
      if (error instanceof CsvSyntaxError) throw this.error(line + error.line - 1, error.message);
      throw error;
    }
    return this.decode(cells, line);
  }

  private slowNumber(cell: string, kind: number, line: number): number {
    const v = +cell;
    if (v !== v || v === Infinity || v === -Infinity || (v === 0 && !zeroLike(cell)) || isRadixLiteral(cell)) {
      if (cell.trim() === "") return NaN;
      throw this.error(line, `column "${this.keys[kind]}" has "${cell}", which is not a number`);
    }
    return v;
  }

  private slowTimestamp(cell: string, line: number): number {
    const ts = cell.length ? +cell : NaN;
    if (!Number.isFinite(ts) || isRadixLiteral(cell)) throw this.error(line, `timestamp "${cell}" is not epoch milliseconds`);
    return ts;
  }

  error(line: number, message: string): NightowlError {
    return new NightowlError("E_DATA", `${this.file}:${line}: ${message}`);
  }
}

/** Row fields by fixed column (−1 − kind); timestamp and datetime are handled apart. */
const FIELDS = [undefined, undefined, "userLabel", "deviceId", "deviceName", "customer", "site"] as const;

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * A plain decimal ([-]digits[.digits], at most 15 digits) straight from character codes; NaN
 * for an empty cell and for anything else (exponents, spaces, text), which the caller then
 * parses the slow way. Exact: an integer below 2^53 divided by an exact power of ten is one
 * correctly rounded operation (Clinger 1990, "How to read floating point numbers accurately").
 */
function decimalAt(text: string, start: number, end: number): number {
  if (start >= end) return NaN;
  let i = start;
  let negative = false;
  if (text.charCodeAt(i) === 45) {
    negative = true;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let scale = -1;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (scale >= 0) scale++;
    } else if (c === 46 && scale < 0) scale = 0;
    else return NaN;
  }
  if (digits === 0 || digits > 15) return NaN;
  const v = scale > 0 ? mantissa / POW10[scale]! : mantissa;
  return negative ? -v : v;
}

/** `+cell` gives 0 for blanks too; a real zero has a digit 0 in it. */
function zeroLike(cell: string): boolean {
  return cell.includes("0");
}

/** 0x1f, 0b1, 0o7: numbers to `+`, not to a CSV of decimals. */
function isRadixLiteral(cell: string): boolean {
  if (cell.length < 3 || cell.charCodeAt(0) !== 48) return false;
  const c = cell.charCodeAt(1) | 32;
  return c === 120 || c === 98 || c === 111;
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
  return [...parts.values()].map((p) => mergeParts(p, log));
}

function mergeParts(parts: DevicePart[], log: Logger): HistoryFrame {
  const keys: string[] = [];
  const keyIndex = new Map<string, number>();
  for (const part of parts) for (const k of part.keys) if (!keyIndex.has(k)) keyIndex.set(k, keys.push(k) - 1);
  let total = 0;
  for (const part of parts) total += part.rows;
  const ts = new Float64Array(total);
  const partOf = new Uint32Array(total);
  const rowOf = new Uint32Array(total);
  let n = 0;
  parts.forEach((part, p) => {
    if (!part.sorted()) log.warn(`${part.file}: rows of device ${part.meta.deviceId} are not in time order; sorted them`);
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
  let prev = -1;
  for (let i = 0; i < total; i++) {
    const at = order ? order[i]! : i;
    const part = parts[partOf[at]!]!;
    const r = rowOf[at]!;
    const t = ts[at]!;
    if (out >= 0 && t === outTs[out]) {
      if (partOf[prev] === partOf[at]) {
        const a = part.lines[rowOf[prev]!]!;
        const b = part.lines[r]!;
        throw new NightowlError(
          "E_DATA",
          `${part.file}:${Math.max(a, b)}: device ${part.meta.deviceId} repeats timestamp ${t} (${new Date(t).toISOString()}) of line ${Math.min(a, b)}`,
        );
      }
    } else outTs[++out] = t;
    prev = at;
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
