/**
 * A column of readings stored exactly in as few bytes as they allow. A sensor reports a few
 * decimals (240.3 V, 8.47 A, 52.1 psi, a 572,500-gallon meter total), so a reading is held as
 * the integer `n` of `n / 10^k`, in an Int16Array while every `n` of the column fits, else an
 * Int32Array, else (a reading with more decimals than `MAX_DECIMALS`, a huge or a negative-zero
 * one) as the Float64 it came as.
 *
 * It is lossless, not rounded: a reading is encoded only when dividing its integer by `10^k`
 * gives back the very same double (IEEE division is correctly rounded, and the parsed reading
 * is the double nearest its decimal, so this holds for every reading of up to `k` decimals),
 * and it is checked at every write. `get` and `read` then return exactly what was written —
 * the analytics and the model see the same numbers as with Float64 columns, at a quarter of
 * the bytes for most keys. The scale and the width only ever grow (a reading with one more
 * decimal rescales the column once).
 */

/** Decimals tried before a column falls back to Float64. */
export const MAX_DECIMALS = 6;
const POW10 = Array.from({ length: MAX_DECIMALS + 1 }, (_, k) => 10 ** k);
const NA16 = -32768;
const NA32 = -2147483648;

type Store = Int16Array | Int32Array | Float64Array;

export class ExactColumn {
  private data: Store;
  /** Decimals of the integer modes: a stored n means n / 10^k. */
  private k = 0;

  constructor(capacity: number) {
    this.data = new Int16Array(capacity).fill(NA16);
  }

  /** Rows the column has room for. */
  get capacity(): number {
    return this.data.length;
  }

  /** Bytes per row now (2, 4 or 8). */
  get bytesPerRow(): number {
    return this.data.BYTES_PER_ELEMENT;
  }

  /** Bytes held (capacity × width). */
  bytes(): number {
    return this.data.byteLength;
  }

  /** Writes row `i`; NaN is no reading. */
  set(i: number, v: number): void {
    const data = this.data;
    if (data instanceof Float64Array) {
      data[i] = v;
      return;
    }
    if (v !== v) {
      data[i] = data instanceof Int16Array ? NA16 : NA32;
      return;
    }
    const n = encode(v, this.k);
    if (n !== undefined && (data instanceof Int32Array || fits16(n))) {
      data[i] = n;
      return;
    }
    this.widen(v);
    this.set(i, v);
  }

  /** Row `i`, exactly as written; NaN where there was no reading. */
  get(i: number): number {
    const data = this.data;
    const n = data[i]!;
    if (data instanceof Float64Array) return n;
    if (n === (data instanceof Int16Array ? NA16 : NA32)) return Number.NaN;
    return n / POW10[this.k]!;
  }

  /** Rows [from, to) as Float64, into `out` (default a new array). */
  read(from: number, to: number, out = new Float64Array(to - from)): Float64Array {
    const data = this.data;
    if (data instanceof Float64Array) out.set(data.subarray(from, to));
    // One loop per store type: a loop over either would be polymorphic, and this runs for
    // every analysed row of every key at every analysis.
    else if (data instanceof Int16Array) decode16(data, from, to, POW10[this.k]!, out);
    else decode32(data, from, to, POW10[this.k]!, out);
    return out;
  }

  /**
   * Moves rows [from, to) to the start of a store of `capacity` rows (the same store when the
   * capacity is unchanged); the rows after them read as no reading.
   */
  move(from: number, to: number, capacity: number): void {
    const data = this.data;
    const na = data instanceof Float64Array ? Number.NaN : data instanceof Int16Array ? NA16 : NA32;
    if (capacity === data.length) {
      data.copyWithin(0, from, to);
      data.fill(na, to - from);
      return;
    }
    const out = new (data.constructor as new (n: number) => Store)(capacity).fill(na);
    out.set(data.subarray(from, to));
    this.data = out;
  }

  /**
   * Makes room for `v`: the fewest decimals (from the current ones) that hold it and every
   * row exactly, in the narrowest store their integers fit; Float64 when none do.
   */
  private widen(v: number): void {
    const values = this.read(0, this.data.length);
    for (let k = this.k; k <= MAX_DECIMALS; k++) {
      if (encode(v, k) === undefined) continue;
      let wide = !fits16(encode(v, k)!);
      let ok = true;
      for (const x of values) {
        if (x !== x) continue;
        const n = encode(x, k);
        if (n === undefined) { ok = false; break; }
        if (!fits16(n)) wide = true;
      }
      if (!ok) continue;
      this.k = k;
      this.data = wide ? new Int32Array(values.length) : new Int16Array(values.length);
      for (let i = 0; i < values.length; i++) this.set(i, values[i]!);
      return;
    }
    this.data = values;
  }
}

/** The integer n with n / 10^k === v exactly (and within Int32, not its no-reading mark), if any. */
function encode(v: number, k: number): number | undefined {
  const p = POW10[k]!;
  const n = Math.round(v * p);
  if (n / p !== v || n > 2147483647 || n < -2147483647) return undefined;
  // -0 would come back as +0.
  if (v === 0 && 1 / v < 0) return undefined;
  return n;
}

function fits16(n: number): boolean {
  return n <= 32767 && n >= -32767;
}

function decode16(data: Int16Array, from: number, to: number, p: number, out: Float64Array): void {
  for (let i = from; i < to; i++) {
    const n = data[i]!;
    out[i - from] = n === NA16 ? Number.NaN : n / p;
  }
}

function decode32(data: Int32Array, from: number, to: number, p: number, out: Float64Array): void {
  for (let i = from; i < to; i++) {
    const n = data[i]!;
    out[i - from] = n === NA32 ? Number.NaN : n / p;
  }
}
