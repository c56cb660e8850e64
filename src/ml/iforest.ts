/**
 * Isolation forest (Liu, Ting & Zhou, "Isolation Forest", ICDM 2008; "Isolation-based anomaly
 * detection", ACM TKDD 2012) with scikit-learn's conventions (`sklearn/ensemble/_iforest.py`):
 *
 * - anomaly score s(x) = 2^(−E[h(x)] / c(ψ)) in (0, 1]; near 1 is anomalous, ≤ 0.5 normal;
 * - `scoreSamples` = −s(x) (higher is more normal), `decisionFunction` = scoreSamples − offset
 *   (negative is anomalous), `offset` = −0.5 for contamination "auto", otherwise the
 *   100·contamination percentile of the training rows' scoreSamples.
 */
import { NightowlError } from "../errors.ts";
import { pathIsolationBits, pathLengthSums, walkTables, type FlatForest, type WalkTables } from "./flat-forest.ts";
import { flatToTrees, parseForestJson, treesToFlat, validateForestStructure, type ForestJson } from "./forest-json.ts";
import { growForest } from "./forest-grow.ts";
import { depthLimit, resolveForestParams, resolveMaxSamples, type IsolationForestOptions } from "./forest-params.ts";
import { averagePathLength } from "./path-length.ts";
import { Random } from "./random.ts";
import type { Matrix } from "ml-matrix";
import { matrixRows, toFiniteMatrix, type MatrixInput } from "./matrix-rows.ts";

export { averagePathLength } from "./path-length.ts";
export { ForestJsonSchema, validateForestStructure, type ForestJson } from "./forest-json.ts";
export type { IsolationForestOptions } from "./forest-params.ts";
export type { MatrixInput, RowMajor } from "./matrix-rows.ts";

interface Fitted {
  forest: FlatForest;
  nFeatures: number;
  maxSamples: number;
  maxDepth: number;
  contamination: "auto" | number;
  seed: number;
  offset: number;
  warnings: string[];
}

/**
 * A fitted forest: grow one with {@link IsolationForest.fit} or load one with
 * {@link IsolationForest.fromJSON}. Immutable; every scoring method takes a matrix whose rows
 * are samples and whose columns are the training features in the same order, and returns one
 * value per row.
 */
export class IsolationForest {
  /** ψ, the rows each tree was grown on (scikit-learn's `max_samples_`). */
  readonly maxSamples: number;
  /** Columns of the training matrix; scoring input must have the same. */
  readonly nFeatures: number;
  /** Number of trees. */
  readonly nEstimators: number;
  /** Depth limit ceil(log2 ψ) the trees were grown with. */
  readonly maxDepth: number;
  readonly contamination: "auto" | number;
  readonly seed: number;
  /** Things a caller may want to log, e.g. maxSamples clipped to the training rows. */
  readonly warnings: readonly string[];
  private fittedOffset: number;
  private readonly forest: FlatForest;
  private readonly walk: WalkTables;
  /** c(ψ): the normaliser of E[h(x)]. */
  private readonly normaliser: number;

  private constructor(fitted: Fitted) {
    this.forest = fitted.forest;
    this.walk = walkTables(fitted.forest, fitted.maxDepth);
    this.nFeatures = fitted.nFeatures;
    this.maxSamples = fitted.maxSamples;
    this.maxDepth = fitted.maxDepth;
    this.contamination = fitted.contamination;
    this.seed = fitted.seed;
    this.fittedOffset = fitted.offset;
    this.warnings = fitted.warnings;
    this.nEstimators = fitted.forest.treeStart.length - 1;
    this.normaliser = averagePathLength(fitted.maxSamples);
  }

  /**
   * Grow a forest on X (rows are samples, columns features; every value finite).
   * Throws `E_CONFIG` for a bad option and `E_DATA` for an empty matrix or a NaN/infinite value.
   */
  static fit(X: MatrixInput, options: IsolationForestOptions = {}): IsolationForest {
    const params = resolveForestParams(options);
    const data = toFiniteMatrix(X, "training data");
    const { maxSamples, warning } = resolveMaxSamples(params.maxSamples, data.rows);
    const maxDepth = depthLimit(maxSamples);
    const forest = growForest(data, params.nEstimators, maxSamples, maxDepth, new Random(params.seed));
    const model = new IsolationForest({
      forest,
      nFeatures: data.columns,
      maxSamples,
      maxDepth,
      contamination: params.contamination,
      seed: params.seed,
      offset: -0.5,
      warnings: warning ? [warning] : [],
    });
    if (params.contamination !== "auto") model.fittedOffset = percentile(model.scoreSamples(data), 100 * params.contamination);
    return model;
  }

  /** Threshold on `scoreSamples` below which a row is an anomaly (scikit-learn's `offset_`). */
  get offset(): number {
    return this.fittedOffset;
  }

  /** scikit-learn's `score_samples`: −s(x), in [−1, 0); the lower, the more anomalous. */
  scoreSamples(X: MatrixInput): Float64Array {
    const scores = this.anomalyScores(X);
    for (let i = 0; i < scores.length; i++) scores[i] = -scores[i];
    return scores;
  }

  /** scoreSamples − offset: negative for anomalies (the original monitor's `anomaly_score`). */
  decisionFunction(X: MatrixInput): Float64Array {
    const scores = this.scoreSamples(X);
    for (let i = 0; i < scores.length; i++) scores[i] -= this.offset;
    return scores;
  }

  /**
   * s(x) = 2^(−E[h(x)] / c(ψ)) in (0, 1] (Liu et al. 2008, eq. 2): near 1 anomalous, about 0.5
   * or less normal. With ψ = 1, c(ψ) = 0 and, as in scikit-learn, every score is 0.5.
   */
  anomalyScores(X: MatrixInput): Float64Array {
    const sums = pathLengthSums(this.walk, this.checked(X));
    const denominator = this.nEstimators * this.normaliser;
    for (let i = 0; i < sums.length; i++) sums[i] = denominator > 0 ? Math.pow(2, -sums[i] / denominator) : 0.5;
    return sums;
  }

  /** 1 where decisionFunction < 0 (an anomaly), 0 elsewhere. */
  predict(X: MatrixInput): Uint8Array {
    const decision = this.decisionFunction(X);
    const flags = new Uint8Array(decision.length);
    for (let i = 0; i < decision.length; i++) flags[i] = decision[i] < 0 ? 1 : 0;
    return flags;
  }

  /**
   * Per-feature contributions for one row, summing to 1 (all 0 when no tree splits at all).
   * Along the row's path in every tree, a split on feature f that takes the row from a node of
   * n training samples to a child of m credits f with log2(n / m), the bits of isolation that
   * split achieved; the credits are summed over the trees and divided by their total.
   * Deterministic for a given model and row.
   */
  contributions(row: ArrayLike<number>): Float64Array {
    if (row.length !== this.nFeatures) {
      throw new NightowlError("E_DATA", `contributions: the row has ${row.length} values; the forest was trained on ${this.nFeatures} features`);
    }
    const checked = this.checked({ data: Float64Array.from(row), rows: 1, cols: row.length });
    const weights = pathIsolationBits(this.forest, matrixRows(checked)[0]!, this.nFeatures);
    let total = 0;
    for (let f = 0; f < weights.length; f++) total += weights[f];
    if (total > 0) for (let f = 0; f < weights.length; f++) weights[f] /= total;
    return weights;
  }

  /** A plain object (numbers and arrays only); same seed and data give byte-identical `JSON.stringify` output. */
  toJSON(): ForestJson {
    return {
      format: "isolation-forest",
      version: 1,
      nFeatures: this.nFeatures,
      maxSamples: this.maxSamples,
      maxDepth: this.maxDepth,
      contamination: this.contamination,
      seed: this.seed,
      offset: this.offset,
      trees: flatToTrees(this.forest),
    };
  }

  /** A forest from {@link toJSON} output, after schema and structure checks (`E_MODEL` on failure). */
  static fromJSON(json: unknown): IsolationForest {
    const parsed = parseForestJson(json);
    const depths = validateForestStructure(parsed);
    return new IsolationForest({
      forest: treesToFlat(parsed.trees, depths),
      nFeatures: parsed.nFeatures,
      maxSamples: parsed.maxSamples,
      maxDepth: parsed.maxDepth,
      contamination: parsed.contamination,
      seed: parsed.seed,
      offset: parsed.offset,
      warnings: [],
    });
  }

  private checked(X: MatrixInput): Matrix {
    const data = toFiniteMatrix(X, "scoring data");
    if (data.columns !== this.nFeatures) {
      throw new NightowlError("E_DATA", `scoring data has ${data.columns} columns; the forest was trained on ${this.nFeatures} features`);
    }
    return data;
  }
}

/** numpy's default (linear) percentile of `values` at q in [0, 100]. */
export function percentile(values: Float64Array, q: number): number {
  return sortedPercentile(Float64Array.from(values).sort(), q);
}

/** {@link percentile} of values already sorted ascending: many percentiles of one set sort it once. */
export function sortedPercentile(sorted: Float64Array, q: number): number {
  const position = (q / 100) * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}
