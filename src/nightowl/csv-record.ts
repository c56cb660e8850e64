/**
 * RFC 4180 records: quoting one field for writing, and splitting a stream of text into records
 * of cells for reading. Lines without a quote take a fast path (indexOf on commas); a record
 * with quotes is scanned character by character, so quoted commas, doubled quotes and line
 * breaks inside a field all work.
 */

/** A field as RFC 4180 writes it: quoted only when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  if (!needsQuotes(value)) return value;
  return `"${value.replaceAll('"', '""')}"`;
}

function needsQuotes(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === COMMA || c === QUOTE || c === LF || c === CR) return true;
  }
  return false;
}

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Why a record could not be split; the caller adds the file name. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Splits text fed in chunks into records. `feed` calls `onRecord(cells, line)` for every
 * complete record (line = 1-based line number where the record starts; blank lines are
 * skipped); `end` flushes a last record without a trailing newline. The `cells` array is
 * reused between calls: copy what you keep.
 */
export class CsvRecordReader {
  private buffer = "";
  private line = 1;
  private readonly cells: string[] = [];
  private started = false;

  /**
   * `onLine`, when given, receives every record as (text, start, end, line) instead of split
   * cells — the record's text is `text.slice(start, end)`, quotes and all, possibly spanning
   * lines — so a caller can parse it in place without a string per cell.
   */
  constructor(
    private readonly onRecord: (cells: string[], line: number) => void,
    private readonly onLine?: (text: string, start: number, end: number, line: number) => void,
  ) {}

  feed(chunk: string): void {
    if (!this.started) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    this.buffer = this.buffer.length ? this.buffer + chunk : chunk;
    this.drain(false);
  }

  end(): void {
    this.drain(true);
    this.buffer = "";
  }

  private drain(final: boolean): void {
    const text = this.buffer;
    const n = text.length;
    let pos = 0;
    // Position of the next quote at or after `pos`, searched again only once passed, so a
    // chunk without quotes is scanned for them once, not once per line.
    let nextQuote = text.indexOf('"');
    if (nextQuote < 0) nextQuote = n;
    while (pos < n) {
      let nl = text.indexOf("\n", pos);
      if (nl < 0) {
        if (!final) break;
        nl = n;
      }
      if (nextQuote < pos) {
        nextQuote = text.indexOf('"', pos);
        if (nextQuote < 0) nextQuote = n;
      }
      if (nextQuote >= nl) {
        const endOfLine = nl > pos && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
        if (endOfLine > pos) {
          if (this.onLine) this.onLine(text, pos, endOfLine, this.line);
          else this.onRecord(splitPlain(text, pos, endOfLine, this.cells), this.line);
        }
        this.line++;
        pos = nl + 1;
        continue;
      }
      if (this.onLine) {
        const end = this.quotedRecordEnd(text, pos, final);
        if (end < 0) break;
        const endOfRecord = end > pos && text.charCodeAt(end - 1) === CR ? end - 1 : end;
        const line = this.line;
        for (let i = text.indexOf("\n", pos); i >= 0 && i < end; i = text.indexOf("\n", i + 1)) this.line++;
        this.line++;
        this.onLine(text, pos, endOfRecord, line);
        pos = end + 1;
        continue;
      }
      const end = this.splitQuoted(text, pos, final);
      if (end < 0) break;
      pos = end;
    }
    this.buffer = pos >= n ? "" : text.slice(pos);
  }

  /**
   * Index of the line break ending the record that starts at `start` (the text's length at the
   * end of a file without one), or -1 when the buffer ends inside the record.
   */
  private quotedRecordEnd(text: string, start: number, final: boolean): number {
    const n = text.length;
    let i = start;
    for (;;) {
      const q = text.indexOf('"', i);
      const nl = text.indexOf("\n", i);
      if (nl >= 0 && (q < 0 || nl < q)) return nl;
      if (q < 0) return final ? n : -1;
      // Inside quotes: to the closing quote, stepping over doubled ones.
      let j = q + 1;
      for (;;) {
        j = text.indexOf('"', j);
        if (j < 0) {
          if (!final) return -1;
          let line = this.line;
          for (let k = text.indexOf("\n", start); k >= 0 && k < q; k = text.indexOf("\n", k + 1)) line++;
          throw new CsvSyntaxError(line, "a quoted field is not closed before the end of the file");
        }
        if (j + 1 >= n && !final) return -1;
        if (text.charCodeAt(j + 1) === QUOTE) {
          j += 2;
          continue;
        }
        break;
      }
      i = j + 1;
    }
  }

  /** Returns the index after the record's line break, or -1 when the record is incomplete. */
  private splitQuoted(text: string, start: number, final: boolean): number {
    const cells = this.cells;
    cells.length = 0;
    const n = text.length;
    const firstLine = this.line;
    let lines = 0;
    let i = start;
    for (;;) {
      // At the start of a field.
      if (i < n && text.charCodeAt(i) === QUOTE) {
        let value = "";
        let from = i + 1;
        let j = from;
        for (;;) {
          if (j >= n) {
            if (!final) return -1;
            throw new CsvSyntaxError(firstLine, "a quoted field is not closed before the end of the file");
          }
          const c = text.charCodeAt(j);
          if (c === QUOTE) {
            if (j + 1 < n && text.charCodeAt(j + 1) === QUOTE) {
              value += text.slice(from, j + 1);
              j += 2;
              from = j;
              continue;
            }
            if (j + 1 >= n && !final) return -1;
            break;
          }
          if (c === LF) lines++;
          j++;
        }
        value += text.slice(from, j);
        cells.push(value);
        i = j + 1;
        const c = i < n ? text.charCodeAt(i) : LF;
        if (c === COMMA) {
          i++;
          continue;
        }
        if (c === CR && (i + 1 >= n || text.charCodeAt(i + 1) === LF)) i++;
        if (i < n && text.charCodeAt(i) !== LF) {
          throw new CsvSyntaxError(firstLine + lines, `unexpected "${text[i]}" after a closing quote`);
        }
        if (i >= n && !final) return -1;
        this.onRecord(cells, firstLine);
        this.line = firstLine + lines + 1;
        return i + 1;
      }
      // An unquoted field: up to the next comma or line break; a quote inside is literal.
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === COMMA || c === LF) break;
        j++;
      }
      if (j >= n && !final) return -1;
      let fieldEnd = j;
      if ((j >= n || text.charCodeAt(j) === LF) && fieldEnd > i && text.charCodeAt(fieldEnd - 1) === CR) fieldEnd--;
      cells.push(text.slice(i, fieldEnd));
      if (j < n && text.charCodeAt(j) === COMMA) {
        i = j + 1;
        continue;
      }
      this.onRecord(cells, firstLine);
      this.line = firstLine + lines + 1;
      return j + 1;
    }
  }
}

/** The cells of a line without quotes, between `start` and `end`, into `cells`. */
export function splitPlain(text: string, start: number, end: number, cells: string[] = []): string[] {
  cells.length = 0;
  let from = start;
  for (;;) {
    const comma = text.indexOf(",", from);
    if (comma < 0 || comma >= end) {
      cells.push(text.slice(from, end));
      return cells;
    }
    cells.push(text.slice(from, comma));
    from = comma + 1;
  }
}

/** The cells of one record's text (quotes allowed); syntax errors count lines from 1. */
export function splitRecord(text: string): string[] {
  let cells: string[] = [];
  const reader = new CsvRecordReader((c) => {
    if (cells.length === 0) cells = [...c];
  });
  reader.feed(text);
  reader.end();
  return cells;
}
