/**
 * Standardisation of feature columns: z = (x − mean) / std, fitted on the training rows and
 * stored in the model file so scoring applies exactly the same transform.
 *
 * The isolation forest itself is scale-invariant (each split draws a threshold between a
 * column's min and max), but contributions, feature values shown to users and the
 * Prometheus warm-up all compare columns, and a standardised column makes those readable as
 * "standard deviations from normal". A constant column gets std 1 (it carries no
 * information; dividing by 0 would turn it into NaN). NaN cells are ignored when fitting and
 * become 0 (the mean) when transforming, so a missing sensor reading never becomes an outlier.
 */
import type { Matrix } from "ml-matrix";
import * as v from "valibot";
import { NightowlError } from "../errors.ts";
import { asMatrix, matrixOverBuffer, matrixRows, type MatrixInput } from "./matrix-rows.ts";

export const ScalerJsonSchema = v.object({
  mean: v.array(v.number()),
  std: v.array(v.pipe(v.number(), v.minValue(Number.MIN_VALUE, "a positive standard deviation"))),
});

export type ScalerJson = v.InferOutput<typeof ScalerJsonSchema>;

export class StandardScaler {
  /** Per-column mean, in the column's own unit. */
  readonly mean: Float64Array;
  /** Per-column population standard deviation (1 for a constant or empty column). */
  readonly std: Float64Array;

  private constructor(mean: Float64Array, std: Float64Array) {
    this.mean = mean;
    this.std = std;
  }

  get cols(): number {
    return this.mean.length;
  }

  /** Fits on every row (one pass, Welford's update per column, NaN skipped), reading the rows in place. */
  static fit(X: MatrixInput): StandardScaler {
    const m = asMatrix(X, "scaler input");
    const fitting = new ScalerFit(m.columns);
    for (const row of matrixRows(m)) fitting.push(row);
    return fitting.finish();
  }

  /**
   * The matrix standardised, as a new `Matrix` whose rows are views of one buffer, or into
   * `into` (same shape; may be X itself); NaN cells become 0.
   */
  transform(X: MatrixInput, into?: Matrix): Matrix {
    const m = asMatrix(X, "scaler input");
    const cols = m.columns;
    this.checkCols(cols);
    if (into && (into.rows !== m.rows || into.columns !== cols)) throw new NightowlError("E_DATA", `scaler output is ${into.rows} × ${into.columns}, the input ${m.rows} × ${cols}`);
    const out = into ?? newMatrix(m.rows, cols);
    const source = matrixRows(m);
    const target = matrixRows(out);
    for (let r = 0; r < source.length; r++) this.transformRow(source[r]!, target[r]!);
    return out;
  }

  /** Standardises one row into `out` (allocation-free, for live scoring). */
  transformRow(row: ArrayLike<number>, out: Float64Array = new Float64Array(row.length)): Float64Array {
    this.checkCols(row.length);
    for (let c = 0; c < row.length; c++) {
      const x = row[c];
      out[c] = x !== x ? 0 : (x - this.mean[c]) / this.std[c];
    }
    return out;
  }

  /** {@link transformRow} between row-major buffers: the row at `from` in `data` into `out` at `to`. */
  transformAt(data: Float64Array, from: number, out: Float64Array, to: number): void {
    for (let c = 0; c < this.mean.length; c++) {
      const x = data[from + c]!;
      out[to + c] = x !== x ? 0 : (x - this.mean[c]!) / this.std[c]!;
    }
  }

  /** Back to the original unit for one standardised value. */
  inverse(col: number, z: number): number {
    return z * this.std[col] + this.mean[col];
  }

  /** @internal for {@link ScalerFit}: the arrays are taken as they are. */
  static fromArrays(mean: Float64Array, std: Float64Array): StandardScaler {
    return new StandardScaler(mean, std);
  }

  toJSON(): ScalerJson {
    return { mean: Array.from(this.mean), std: Array.from(this.std) };
  }

  /** From parsed JSON; throws `E_MODEL` when the lengths disagree. */
  static fromJSON(json: ScalerJson): StandardScaler {
    const parsed = v.safeParse(ScalerJsonSchema, json);
    if (!parsed.success) throw new NightowlError("E_MODEL", `scaler: ${parsed.issues[0].message}`);
    if (parsed.output.mean.length !== parsed.output.std.length) {
      throw new NightowlError("E_MODEL", `scaler: mean has ${parsed.output.mean.length} columns but std has ${parsed.output.std.length}`);
    }
    return new StandardScaler(Float64Array.from(parsed.output.mean), Float64Array.from(parsed.output.std));
  }

  private checkCols(cols: number): void {
    if (cols !== this.cols) throw new NightowlError("E_DATA", `scaler was fitted on ${this.cols} columns, got ${cols}`);
  }
}

/**
 * A scaler fitted row by row, for rows that are never all in memory at once (training streams
 * its feature rows device by device). Rows pushed in the order of a matrix's rows give exactly
 * the scaler `StandardScaler.fit` gives for that matrix.
 */
export class ScalerFit {
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;
  private readonly n: Float64Array;

  constructor(readonly cols: number) {
    this.mean = new Float64Array(cols);
    this.m2 = new Float64Array(cols);
    this.n = new Float64Array(cols);
  }

  /** One row, `cols` values of `row` from `at` (Welford's update per column, NaN skipped). */
  push(row: ArrayLike<number>, at = 0): void {
    const { mean, m2, n, cols } = this;
    for (let c = 0; c < cols; c++) {
      const x = row[at + c]!;
      if (x !== x) continue;
      const k = ++n[c]!;
      const d = x - mean[c]!;
      mean[c] += d / k;
      m2[c] += d * (x - mean[c]!);
    }
  }

  finish(): StandardScaler {
    const cols = this.cols;
    const mean = Float64Array.from(this.mean);
    const std = new Float64Array(cols);
    for (let c = 0; c < cols; c++) {
      const s = this.n[c]! > 0 ? Math.sqrt(this.m2[c]! / this.n[c]!) : 0;
      std[c] = s > 1e-12 && Number.isFinite(s) ? s : 1;
      if (!Number.isFinite(mean[c])) mean[c] = 0;
    }
    return StandardScaler.fromArrays(mean, std);
  }
}

/** A rows × cols `Matrix` over one contiguous buffer (row views), cheaper to allocate than a typed array per row. */
function newMatrix(rows: number, cols: number): Matrix {
  return matrixOverBuffer(new Float64Array(rows * cols), rows, cols);
}
