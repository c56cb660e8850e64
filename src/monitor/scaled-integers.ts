/**
 * The scaled integers of exact-column.ts: a reading `v` held as the integer `n` with
 * `n / 10^k === v` exactly, and the loops that decode whole-integer stores.
 */

/** Decimals tried before a column falls back to Float64. */
export const MAX_DECIMALS = 6;
export const POW10 = Array.from({ length: MAX_DECIMALS + 1 }, (_, k) => 10 ** k);
export const NA16 = -32768;
export const NA32 = -2147483648;

/** The integer n with n / 10^k === v exactly (and within Int32, not its no-reading mark), if any. */
export function encode(v: number, k: number): number | undefined {
  const p = POW10[k]!;
  const n = Math.round(v * p);
  if (n / p !== v || n > 2147483647 || n < -2147483647) return undefined;
  // -0 would come back as +0.
  if (v === 0 && 1 / v < 0) return undefined;
  return n;
}

export function fits16(n: number): boolean {
  return n <= 32767 && n >= -32767;
}

export function decode16(data: Int16Array, from: number, to: number, p: number, out: Float64Array): void {
  for (let i = from; i < to; i++) {
    const n = data[i]!;
    out[i - from] = n === NA16 ? Number.NaN : n / p;
  }
}

export function decode32(data: Int32Array, from: number, to: number, p: number, out: Float64Array): void {
  for (let i = from; i < to; i++) {
    const n = data[i]!;
    out[i - from] = n === NA32 ? Number.NaN : n / p;
  }
}
