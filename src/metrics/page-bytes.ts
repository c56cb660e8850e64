/**
 * The page written straight into bytes. The rendering wrote each sample line as a string of
 * four pieces, joined a slice's lines and encoded the slice to UTF-8 for zlib: at 2,000 devices
 * 150,000 lines a poll, and the join and the encoding alone were about a sixth of a poll's
 * JavaScript time. Here the pieces a line is made of (the family's `name{`, the device's label
 * text, the extra label and its brace) are encoded once and copied, and the value's digits are
 * written in place: no string a line.
 *
 * The bytes are exactly the UTF-8 of the text prom-client writes: a piece is always a whole
 * label set or value, so no surrogate pair is ever split between two pieces.
 */

/** UTF-8 of `text`; a lone surrogate becomes U+FFFD, as the encoding of the whole page did. */
export function utf8(text: string): Uint8Array {
  return Buffer.from(text, "utf8");
}

const ASCII_0 = 48;
/** The exposition's line end. */
export const NEWLINE = 10;

/** Bytes of the three values `valueString` writes as words. */
const NAN = utf8("Nan");
const PLUS_INF = utf8("+Inf");
const MINUS_INF = utf8("-Inf");

/** A growing byte buffer a slice of the page is written into, handed on and reused. */
export class PageBytes {
  private buffer: Uint8Array;
  private at = 0;

  constructor(capacity = 512 * 1024) {
    this.buffer = new Uint8Array(capacity);
  }

  /** Bytes written since the last `clear`. */
  get length(): number {
    return this.at;
  }

  /** The bytes written, as a view of the buffer: valid until the next write after `clear`. */
  view(): Uint8Array {
    return this.buffer.subarray(0, this.at);
  }

  clear(): void {
    this.at = 0;
  }

  /** Appends `bytes`. */
  bytes(bytes: Uint8Array): void {
    const n = bytes.length;
    if (this.at + n > this.buffer.length) this.grow(n);
    const buffer = this.buffer;
    let at = this.at;
    // The pieces are short (a label set, a brace): a loop costs less than `set`'s call.
    if (n < 64) for (let i = 0; i < n; i++) buffer[at++] = bytes[i]!;
    else {
      buffer.set(bytes, at);
      at += n;
    }
    this.at = at;
  }

  /** Appends `text` as UTF-8. */
  text(text: string): void {
    // At most three bytes a UTF-16 unit.
    if (this.at + text.length * 3 > this.buffer.length) this.grow(text.length * 3);
    this.at += Buffer.prototype.write.call(this.buffer, text, this.at, "utf8");
  }

  /** Appends one byte (an ASCII character's code). */
  byte(code: number): void {
    if (this.at + 1 > this.buffer.length) this.grow(1);
    this.buffer[this.at++] = code;
  }

  /** Appends a sample's value as prom-client's `getValueAsString` writes it (text-format.ts's `valueString`). */
  value(value: number): void {
    if (this.at + 32 > this.buffer.length) this.grow(32);
    // Integers that fit 32 bits (counts, 0 and 1, flags): their digits, without a string.
    // -0 is written "0", as `${-0}` is.
    if ((value | 0) === value) return this.integer(value | 0);
    if (value !== value) return this.bytes(NAN);
    if (value === Infinity) return this.bytes(PLUS_INF);
    if (value === -Infinity) return this.bytes(MINUS_INF);
    // Any other number's shortest text is JavaScript's own (ASCII). Writing a decimal's digits
    // here was tried: faster for a reading's 52.1, twice as slow for a time's
    // 1764000000.123 or a feature's 0.1428…, and a fleet's page holds more of those.
    const text = `${value}`;
    const buffer = this.buffer;
    let at = this.at;
    for (let i = 0; i < text.length; i++) buffer[at++] = text.charCodeAt(i);
    this.at = at;
  }

  /** A 32-bit integer's digits. */
  private integer(n: number): void {
    const buffer = this.buffer;
    let at = this.at;
    // The magnitude as a double: -2^31 has no positive 32-bit counterpart.
    let m = n;
    if (m < 0) {
      buffer[at++] = 45; // "-"
      m = -m;
    }
    const start = at;
    do {
      const q = Math.floor(m / 10);
      buffer[at++] = ASCII_0 + (m - q * 10);
      m = q;
    } while (m > 0);
    // Written least significant first: reverse.
    for (let i = start, j = at - 1; i < j; i++, j--) {
      const t = buffer[i]!;
      buffer[i] = buffer[j]!;
      buffer[j] = t;
    }
    this.at = at;
  }

  private grow(more: number): void {
    const next = new Uint8Array(Math.max(this.buffer.length * 2, this.at + more));
    next.set(this.buffer.subarray(0, this.at));
    this.buffer = next;
  }
}
