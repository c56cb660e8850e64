/**
 * The training rows the isolation forest grows its trees from. Each tree sees only ψ rows
 * (max_samples, 256 by default: 25,600 draws for 100 trees), so the forest does not need every
 * feature row in memory, only a uniform sample of them: up to `capacity` rows are kept as they
 * come, past that each new row replaces a kept one with the probability that keeps the pool a
 * uniform sample of everything offered (reservoir sampling, Vitter's algorithm R, seeded).
 * With no more rows than `capacity` the pool is every row in order, so the forest is exactly
 * the one grown on the whole matrix. The scaler, the offset and the alarm calibration still
 * see every row (docs/leak-detection.md, "Training at scale").
 */
import type { Matrix } from "ml-matrix";
import { matrixOverBuffer } from "./matrix-rows.ts";
import { Random } from "./random.ts";

/** Rows kept for the forest by default: 2.5 × the rows 100 trees of ψ = 256 draw. */
export const FOREST_POOL_ROWS = 65_536;

export class RowPool {
  /** Rows offered so far. */
  offered = 0;
  private kept = 0;
  private readonly data: Float64Array;
  private readonly random: Random;

  /**
   * @param most an upper bound on the rows that will be offered (sizes the buffer when below `capacity`)
   */
  constructor(
    readonly cols: number,
    readonly capacity: number,
    seed: number,
    most = capacity,
  ) {
    this.data = new Float64Array(Math.max(1, Math.min(capacity, most)) * cols);
    // Its own stream, apart from the forest's generator of the same seed.
    this.random = new Random((seed ^ 0x5bd1e995) >>> 0);
  }

  /** One row: `cols` values of `row` from `at`. */
  offer(row: ArrayLike<number>, at = 0): void {
    const n = this.offered++;
    let j = n;
    if (n < this.capacity) this.kept++;
    else {
      j = this.random.below(n + 1);
      if (j >= this.capacity) return;
    }
    for (let c = 0, to = j * this.cols; c < this.cols; c++) this.data[to + c] = row[at + c]!;
  }

  /** Whether every offered row is in the pool (in the order offered). */
  get complete(): boolean {
    return this.kept === this.offered;
  }

  /**
   * Gives the rows' memory up, for the next collection to return: the buffer is detached, so
   * every matrix over it reads as empty and the pool is done (use nothing of it after). Only
   * dropping the pool is not enough: the collector scans the stack conservatively, and a stale
   * slot still pointing at it kept its 57 MB (90 days of one device) alive through training's
   * second pass.
   */
  release(): void {
    // Detached, the storage belongs to the empty buffer transfer() returns, garbage at once.
    (this.data.buffer as ArrayBuffer).transfer(0);
  }

  /** The kept rows as a matrix over the pool's own buffer. */
  matrix(): Matrix {
    return matrixOverBuffer(this.data.subarray(0, this.kept * this.cols), this.kept, this.cols);
  }
}
