/**
 * The forest's and the scaler's input: an ml-matrix `Matrix`. ml-matrix keeps a `Matrix` as
 * one Float64Array per row (its `data` field), so a tree walk reads a row's features from
 * adjacent memory, in place. The feature engine writes its rows into one buffer and hands
 * them over as row views of it (`matrixFromRows`), so nothing is copied between the engine,
 * the scaler and the forest. Plain row-major blocks and arrays of rows are accepted too.
 */
import { AbstractMatrix, Matrix } from "ml-matrix";
import { NightowlError } from "../errors.ts";

/** A rows × cols block stored row after row; element (i, j) is `data[i * cols + j]`. */
export interface RowMajor {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** Anything the forest and the scaler accept as a data matrix. */
export type MatrixInput = AbstractMatrix | RowMajor | ArrayLike<ArrayLike<number>>;

/** ml-matrix's storage of a `Matrix` (public in its source, absent from its type declarations). */
interface MatrixStorage {
  data: Float64Array[];
  rows: number;
  columns: number;
}

/** The row arrays of `m`, in place: writing to them writes to the matrix. */
export function matrixRows(m: Matrix): Float64Array[] {
  const data = (m as unknown as MatrixStorage).data;
  if (!Array.isArray(data) || data.length !== m.rows || (m.rows > 0 && !(data[0] instanceof Float64Array))) {
    // A future ml-matrix storing its values otherwise: fail loudly rather than read garbage.
    throw new Error("ml-matrix Matrix does not hold one Float64Array per row in `data`");
  }
  return data;
}

/**
 * Matrices built here whose rows are consecutive views of one buffer (features, scaler output,
 * row-major input), with that buffer and the row array they were built with: if ml-matrix
 * later replaces rows or changes the shape, the entry no longer matches and is ignored.
 */
const CONTIGUOUS = new WeakMap<Matrix, { rows: Float64Array[]; count: number; data: Float64Array }>();

/**
 * The values of `m` row after row in one Float64Array: the matrix's own memory when its rows
 * are consecutive views of one buffer (every matrix built here), else a copy. A tree walk
 * indexes it with one array and one multiply.
 */
export function rowMajorData(m: Matrix): Float64Array {
  const known = contiguousData(m);
  if (known) return known;
  const rows = matrixRows(m);
  const data = new Float64Array(rows.length * m.columns);
  for (let i = 0; i < rows.length; i++) data.set(rows[i]!, i * m.columns);
  return data;
}

/** The one buffer `m`'s rows are views of, when it was built so and is unchanged since. */
export function contiguousData(m: Matrix): Float64Array | undefined {
  const known = CONTIGUOUS.get(m);
  const rows = matrixRows(m);
  if (!known || known.rows !== rows || known.count !== rows.length || known.data.length !== rows.length * m.columns) return undefined;
  return known.data;
}

/** Row views of one row-major buffer (`data.length` = rows × cols) as a `Matrix` sharing it. */
export function matrixOverBuffer(data: Float64Array, rows: number, cols: number): Matrix {
  const views = new Array<Float64Array>(rows);
  for (let i = 0; i < rows; i++) views[i] = data.subarray(i * cols, (i + 1) * cols);
  const m = matrixFromRows(views, cols);
  CONTIGUOUS.set(m, { rows: views, count: rows, data: data.subarray(0, rows * cols) });
  return m;
}

/** A `Matrix` whose rows are `rows` themselves (not copies); each must have `cols` values. */
export function matrixFromRows(rows: Float64Array[], cols: number): Matrix {
  const m = new Matrix(0, cols);
  const storage = m as unknown as MatrixStorage;
  storage.data = rows;
  storage.rows = rows.length;
  return m;
}

/** Row views of a row-major block, as a `Matrix` sharing its memory. */
export function matrixOfRowMajor(block: RowMajor): Matrix {
  return matrixOverBuffer(block.data, block.rows, block.cols);
}

/**
 * `input` as a `Matrix`: shared when it is a `Matrix` or a row-major block, copied from any
 * other ml-matrix matrix or array of rows. Throws `E_DATA` naming the shape problem.
 * @param what how the matrix is named in error messages
 */
export function asMatrix(input: MatrixInput, what: string): Matrix {
  if (input instanceof Matrix) return input;
  if (AbstractMatrix.isMatrix(input)) return new Matrix(input);
  if (isRowMajor(input)) {
    if (!Number.isInteger(input.rows) || !Number.isInteger(input.cols) || input.rows < 0 || input.cols < 0 || input.data.length !== input.rows * input.cols) {
      throw new NightowlError("E_DATA", `${what}: data has ${input.data.length} values, expected rows × cols = ${input.rows} × ${input.cols}`);
    }
    return matrixOfRowMajor(input);
  }
  const rows = input.length;
  const cols = rows > 0 ? input[0]!.length : 0;
  const out = new Array<Float64Array>(rows);
  for (let i = 0; i < rows; i++) {
    const row = input[i]!;
    if (row.length !== cols) throw new NightowlError("E_DATA", `${what}: row ${i} has ${row.length} values, row 0 has ${cols}`);
    out[i] = Float64Array.from(row);
  }
  return matrixFromRows(out, cols);
}

/**
 * `asMatrix`, then checked for the forest: at least one row and column, every value finite.
 * Throws `E_DATA` naming the row and column of the first NaN or infinite value.
 */
export function toFiniteMatrix(input: MatrixInput, what: string): Matrix {
  const m = asMatrix(input, what);
  if (m.rows === 0 || m.columns === 0) {
    throw new NightowlError("E_DATA", `${what}: ${m.rows} rows × ${m.columns} columns; at least one of each is needed`);
  }
  // In place: one pass over the shared buffer, else row by row (never a copy of a large matrix).
  const cols = m.columns;
  const flat = contiguousData(m);
  const blocks = flat ? [flat] : matrixRows(m);
  for (let b = 0, k = 0; b < blocks.length; b++) {
    const block = blocks[b]!;
    for (let j = 0; j < block.length; j++, k++) {
      const x = block[j]!;
      // x - x is NaN exactly when x is NaN or ±Infinity: one test in the common path.
      if (x - x !== 0) throw new NightowlError("E_DATA", `${what}: row ${Math.floor(k / cols)}, column ${k % cols} is ${x}; only finite numbers are allowed`);
    }
  }
  return m;
}

function isRowMajor(input: MatrixInput): input is RowMajor {
  return (input as RowMajor).data instanceof Float64Array && typeof (input as RowMajor).rows === "number";
}
