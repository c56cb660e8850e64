/**
 * Decoding the lines of one history CSV (format: see history-csv.ts) into rows: the header
 * check, then each record parsed in place — numbers straight from character codes, metadata
 * strings reused while they repeat — with a slow path that names what is wrong and where.
 */
import { NightowlError } from "../errors.ts";
import { CsvSyntaxError, splitRecord } from "./csv-record.ts";
import { isPlausibleTimestamp, isRadixLiteral, PLAUSIBLE_RANGE } from "./values.ts";

/** The columns every history CSV starts with, in this order. */
export const HISTORY_FIXED_COLUMNS = ["timestamp", "datetime", "user_label", "device_id", "device_name", "customer", "site"] as const;
const FIXED = HISTORY_FIXED_COLUMNS;

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

/** Decodes the lines of one file; `row` is rewritten for every line. */
export class LineDecoder {
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
    this.checkTimestamp(line);
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
    this.checkTimestamp(line);
    return row;
  }

  /**
   * A microsecond stamp, `1e21` or a negative one would make every later step (windows,
   * report days, the time axis) span centuries: refuse it here, where file and line are known.
   */
  private checkTimestamp(line: number): void {
    const ts = this.row.ts;
    if (!isPlausibleTimestamp(ts)) throw this.error(line, `timestamp ${this.row.ts} is not ${PLAUSIBLE_RANGE}`);
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
