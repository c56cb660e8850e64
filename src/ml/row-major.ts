/**
 * The forest's input: a dense matrix stored row after row in one Float64Array, so a tree walk
 * reads one row's features from adjacent memory. ml-matrix `Matrix` values and plain arrays of
 * rows are copied into this layout once.
 */
import { AbstractMatrix } from "ml-matrix";
import { NightowlError } from "../errors.ts";

/** A rows × cols matrix; element (i, j) is `data[i * cols + j]`. */
export interface RowMajor {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** Anything the forest accepts as a data matrix. */
export type MatrixInput = AbstractMatrix | RowMajor | ArrayLike<ArrayLike<number>>;

/**
 * `input` as a checked RowMajor (shared, not copied, when it already is one). Throws `E_DATA`
 * naming the row and column of the first NaN or infinite value, or the shape problem.
 * @param what how the matrix is named in error messages
 */
export function toRowMajor(input: MatrixInput, what: string): RowMajor {
  let m: RowMajor;
  if (AbstractMatrix.isMatrix(input)) {
    const rows = input.rows;
    const cols = input.columns;
    const data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) data[i * cols + j] = input.get(i, j);
    }
    m = { data, rows, cols };
  } else if (isRowMajor(input)) {
    if (!Number.isInteger(input.rows) || !Number.isInteger(input.cols) || input.rows < 0 || input.cols < 0 || input.data.length !== input.rows * input.cols) {
      throw new NightowlError("E_DATA", `${what}: data has ${input.data.length} values, expected rows × cols = ${input.rows} × ${input.cols}`);
    }
    m = input;
  } else {
    const rows = input.length;
    const cols = rows > 0 ? input[0].length : 0;
    const data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const row = input[i];
      if (row.length !== cols) throw new NightowlError("E_DATA", `${what}: row ${i} has ${row.length} values, row 0 has ${cols}`);
      for (let j = 0; j < cols; j++) data[i * cols + j] = row[j];
    }
    m = { data, rows, cols };
  }
  if (m.rows === 0 || m.cols === 0) {
    throw new NightowlError("E_DATA", `${what}: ${m.rows} rows × ${m.cols} columns; at least one of each is needed`);
  }
  const { data, cols } = m;
  for (let k = 0; k < data.length; k++) {
    const x = data[k];
    if (x - x !== 0) {
      // x - x is NaN exactly when x is NaN or ±Infinity: one test in the common path.
      throw new NightowlError("E_DATA", `${what}: row ${Math.floor(k / cols)}, column ${k % cols} is ${x}; only finite numbers are allowed`);
    }
  }
  return m;
}

function isRowMajor(input: MatrixInput): input is RowMajor {
  return (input as RowMajor).data instanceof Float64Array && typeof (input as RowMajor).rows === "number";
}
