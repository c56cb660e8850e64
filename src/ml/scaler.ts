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
import { Matrix } from "ml-matrix";
import * as v from "valibot";
import { NightowlError } from "../errors.ts";

/** A row-major block of numbers, the shape features produce. */
export interface RowMajor {
  data: Float64Array;
  rows: number;
  cols: number;
}

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

  /** Fits on every row (one pass, Welford's update per column, NaN skipped). */
  static fit(X: RowMajor | Matrix): StandardScaler {
    const { data, rows, cols } = asRowMajor(X);
    const mean = new Float64Array(cols);
    const m2 = new Float64Array(cols);
    const n = new Float64Array(cols);
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      for (let c = 0; c < cols; c++) {
        const x = data[base + c];
        if (x !== x) continue;
        const k = ++n[c];
        const d = x - mean[c];
        mean[c] += d / k;
        m2[c] += d * (x - mean[c]);
      }
    }
    const std = new Float64Array(cols);
    for (let c = 0; c < cols; c++) {
      const s = n[c] > 0 ? Math.sqrt(m2[c] / n[c]) : 0;
      std[c] = s > 1e-12 && Number.isFinite(s) ? s : 1;
      if (!Number.isFinite(mean[c])) mean[c] = 0;
    }
    return new StandardScaler(mean, std);
  }

  /** The block standardised (into `into` when given, which may be X's own data); NaN cells become 0. */
  transform(X: RowMajor | Matrix, into?: Float64Array): RowMajor {
    const { data, rows, cols } = asRowMajor(X);
    this.checkCols(cols);
    const out = into ?? new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      for (let c = 0; c < cols; c++) {
        const x = data[base + c];
        out[base + c] = x !== x ? 0 : (x - this.mean[c]) / this.std[c];
      }
    }
    return { data: out, rows, cols };
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

  /** Back to the original unit for one standardised value. */
  inverse(col: number, z: number): number {
    return z * this.std[col] + this.mean[col];
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

function asRowMajor(X: RowMajor | Matrix): RowMajor {
  if (Matrix.isMatrix(X)) {
    const m = X as Matrix;
    const data = new Float64Array(m.rows * m.columns);
    for (let r = 0; r < m.rows; r++) data.set(m.getRow(r), r * m.columns);
    return { data, rows: m.rows, cols: m.columns };
  }
  return X as RowMajor;
}
