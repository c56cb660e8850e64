/**
 * A step column's row codes in half a byte each (exact-column.ts): most of a sensor's steps
 * from one reading to the next are a few units of its last decimal (a voltage's ±0.3 V, a
 * pressure's tenths, a pump current's 0 while it is off), so a row takes 4 bits where a byte
 * took 8. Code 0 is no reading, 1 a reading kept aside (its step does not fit), 2–15 a step of
 * −7 … +6. A fresh array reads as no reading on every row.
 */

/** The `n` of the rows kept aside, in row order (Int16 while every one fits). */
export type AsideList = Int16Array | Int32Array;

export const NIBBLE_NA = 0;
export const NIBBLE_ASIDE = 1;
/** The code of a step of 0: a step is `code − NIBBLE_ZERO`. */
export const NIBBLE_ZERO = 9;
export const MIN_NIBBLE_STEP = 2 - NIBBLE_ZERO;
export const MAX_NIBBLE_STEP = 15 - NIBBLE_ZERO;

/** Bytes holding `rows` codes. */
export function nibbleBytes(rows: number): number {
  return (rows + 1) >> 1;
}

/** Row `i`'s code. */
export function nibbleAt(data: Uint8Array, i: number): number {
  return (data[i >> 1]! >> ((i & 1) << 2)) & 15;
}

/** Sets row `i`'s code. */
export function putNibble(data: Uint8Array, i: number, code: number): void {
  const j = i >> 1;
  data[j] = i & 1 ? (data[j]! & 0x0f) | (code << 4) : (data[j]! & 0xf0) | code;
}

/**
 * Rows [from, to) moved to the start of `rows` rows (the same array when its size allows), the
 * rows after them no reading. In place is safe: each row is read before any write reaches it.
 */
export function moveNibbles(data: Uint8Array, from: number, to: number, rows: number): Uint8Array {
  const out = nibbleBytes(rows) === data.length ? data : new Uint8Array(nibbleBytes(rows));
  if (from === 0 && out === data) {
    clearFrom(out, to);
    return out;
  }
  for (let i = from; i < to; i++) putNibble(out, i - from, nibbleAt(data, i));
  if (out === data) clearFrom(out, to - from);
  return out;
}

/** How many rows kept aside the last `walkNibbles` passed. */
export let walkedAsides = 0;

/**
 * The `n` of the last reading before row `to`, walking on from row `from` with `n` (the last
 * reading before it; `base` from row 0) and `a` asides passed; sets `walkedAsides`.
 */
export function walkNibbles(data: Uint8Array, from: number, to: number, n: number, a: number, aside: AsideList | null): number {
  for (let i = from; i < to; i++) {
    const c = nibbleAt(data, i);
    if (c === NIBBLE_NA) continue;
    n = c === NIBBLE_ASIDE ? aside![a++]! : n + c - NIBBLE_ZERO;
  }
  walkedAsides = a;
  return n;
}

/** Rows [from, to) as `n / p` into `out` (NaN where no reading), from `n`, the last reading before `from`, and `a` asides passed. */
export function decodeNibbles(data: Uint8Array, from: number, to: number, p: number, out: Float64Array, n: number, a: number, aside: AsideList | null): void {
  for (let i = from; i < to; i++) {
    const c = nibbleAt(data, i);
    if (c === NIBBLE_NA) {
      out[i - from] = Number.NaN;
      continue;
    }
    n = c === NIBBLE_ASIDE ? aside![a++]! : n + c - NIBBLE_ZERO;
    out[i - from] = n / p;
  }
}

/** Rows from `row` on read as no reading. */
function clearFrom(data: Uint8Array, row: number): void {
  if (row & 1) putNibble(data, row, NIBBLE_NA);
  data.fill(0, nibbleBytes(row));
}
