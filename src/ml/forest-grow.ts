/**
 * Growing isolation trees (Liu, Ting & Zhou 2008, Algorithms 1 and 2) the way scikit-learn's
 * IsolationForest does with its ExtraTreeRegressor(max_features=1, splitter="random"):
 * each tree sees ψ rows drawn without replacement; a node splits on a feature drawn uniformly
 * among those not constant in the node, at a threshold drawn uniformly in [min, max); a node
 * becomes a leaf at the depth limit, with one sample, or when every feature is constant in it.
 */
import type { FlatForest } from "./flat-forest.ts";
import { averagePathLength } from "./path-length.ts";
import type { Random } from "./random.ts";
import type { Matrix } from "ml-matrix";
import { contiguousData, matrixRows } from "./matrix-rows.ts";

/** Grow `trees` trees of at most 2ψ − 1 nodes each over X. */
export function growForest(X: Matrix, trees: number, maxSamples: number, maxDepth: number, random: Random): FlatForest {
  // Rows are read in place: from the buffer they share when they do (one memory access per
  // value; a row object per pick costs a cache miss more on large inputs), else row by row.
  const data = matrixRows(X);
  const flat = contiguousData(X);
  const rows = X.rows;
  const cols = X.columns;
  const psi = maxSamples;
  // Each tree is grown in scratch arrays of its largest possible size, 2ψ − 1 nodes, then
  // appended to the forest. Cut at depth ceil(log2 ψ), trees usually hold far fewer nodes, so
  // the forest starts with room for 511 per tree (the most at ψ = 256) and doubles if needed.
  const forest = new ForestBuffer(trees, Math.min(2 * psi - 1, 511) * trees);
  const treeCapacity = 2 * psi - 1;
  const feature = new Int32Array(treeCapacity);
  const threshold = new Float64Array(treeCapacity);
  const left = new Int32Array(treeCapacity);
  const right = new Int32Array(treeCapacity);
  const nodeSize = new Int32Array(treeCapacity);
  const leafValue = new Float64Array(treeCapacity);

  // Scratch reused by every tree: a permutation of all rows (its first ψ entries, after a
  // partial Fisher–Yates shuffle, are the subsample; the rest need no reset), the subsample
  // copied contiguously, the per-node sample order, candidate features, and the node stack.
  const permutation = new Int32Array(rows);
  for (let i = 0; i < rows; i++) permutation[i] = i;
  const sample = new Float64Array(psi * cols);
  const order = new Int32Array(psi);
  const candidates = new Int32Array(cols);
  const stackNode = new Int32Array(maxDepth + 2);
  const stackStart = new Int32Array(maxDepth + 2);
  const stackEnd = new Int32Array(maxDepth + 2);
  const stackDepth = new Int32Array(maxDepth + 2);

  for (let t = 0; t < trees; t++) {
    let next = 0;
    for (let i = 0; i < psi; i++) {
      const j = i + random.below(rows - i);
      const chosen = permutation[j];
      permutation[j] = permutation[i];
      permutation[i] = chosen;
      // Plain loops: TypedArray.set's call costs more than copying a few features.
      if (flat) for (let c = 0, from = chosen * cols, to = i * cols; c < cols; c++) sample[to + c] = flat[from + c];
      else for (let c = 0, row = data[chosen], to = i * cols; c < cols; c++) sample[to + c] = row[c];
      order[i] = i;
    }

    let top = 0;
    stackNode[0] = next++;
    stackStart[0] = 0;
    stackEnd[0] = psi;
    stackDepth[0] = 0;
    while (top >= 0) {
      const node = stackNode[top];
      const start = stackStart[top];
      const end = stackEnd[top];
      const depth = stackDepth[top];
      top--;
      const n = end - start;
      nodeSize[node] = n;

      let split = -1;
      let lo = 0;
      let hi = 0;
      if (depth < maxDepth && n > 1) {
        for (let c = 0; c < cols; c++) candidates[c] = c;
        let remaining = cols;
        while (remaining > 0) {
          const pick = random.below(remaining);
          const f = candidates[pick];
          lo = Infinity;
          hi = -Infinity;
          for (let i = start; i < end; i++) {
            const x = sample[order[i] * cols + f];
            if (x < lo) lo = x;
            if (x > hi) hi = x;
          }
          if (hi > lo) {
            split = f;
            break;
          }
          candidates[pick] = candidates[remaining - 1];
          remaining--;
        }
      }

      if (split < 0) {
        feature[node] = -1;
        threshold[node] = 0;
        left[node] = -1;
        right[node] = -1;
        leafValue[node] = depth + averagePathLength(n);
        continue;
      }

      let cut = lo + random.uniform() * (hi - lo);
      if (cut >= hi) cut = lo; // rounding reached max; scikit-learn's `_splitter.pyx` does the same
      // Partition order[start, end) so rows with x <= cut come first; both sides are non-empty
      // because lo <= cut < hi.
      let i = start;
      let j = end - 1;
      while (i <= j) {
        if (sample[order[i] * cols + split] <= cut) {
          i++;
        } else {
          const tmp = order[i];
          order[i] = order[j];
          order[j] = tmp;
          j--;
        }
      }
      const leftNode = next++;
      const rightNode = next++;
      feature[node] = split;
      threshold[node] = cut;
      leafValue[node] = 0;
      left[node] = leftNode;
      right[node] = rightNode;
      // Right is pushed first so the left subtree is grown (and numbered) first.
      top++;
      stackNode[top] = rightNode;
      stackStart[top] = i;
      stackEnd[top] = end;
      stackDepth[top] = depth + 1;
      top++;
      stackNode[top] = leftNode;
      stackStart[top] = start;
      stackEnd[top] = i;
      stackDepth[top] = depth + 1;
    }
    forest.append({ feature, threshold, left, right, nodeSize, leafValue }, next);
  }
  return forest.finish();
}

type TreeArrays = Omit<FlatForest, "treeStart">;

/** The forest's arrays, growing by doubling as trees are appended. */
class ForestBuffer {
  private arrays: TreeArrays;
  private readonly treeStart: Int32Array;
  private trees = 0;
  private nodes = 0;

  constructor(trees: number, capacity: number) {
    this.treeStart = new Int32Array(trees + 1);
    this.arrays = ForestBuffer.allocate(capacity);
  }

  private static allocate(capacity: number): TreeArrays {
    return {
      feature: new Int32Array(capacity),
      threshold: new Float64Array(capacity),
      left: new Int32Array(capacity),
      right: new Int32Array(capacity),
      nodeSize: new Int32Array(capacity),
      leafValue: new Float64Array(capacity),
    };
  }

  /** Add the first `count` nodes of `tree`, whose child indices are local to it. */
  append(tree: TreeArrays, count: number): void {
    const a = this.nodes;
    if (a + count > this.arrays.feature.length) {
      const bigger = ForestBuffer.allocate(Math.max(a + count, 2 * this.arrays.feature.length));
      for (const key of Object.keys(bigger) as (keyof TreeArrays)[]) bigger[key].set(this.arrays[key].subarray(0, a) as never);
      this.arrays = bigger;
    }
    const { feature, threshold, left, right, nodeSize, leafValue } = this.arrays;
    feature.set(tree.feature.subarray(0, count), a);
    threshold.set(tree.threshold.subarray(0, count), a);
    nodeSize.set(tree.nodeSize.subarray(0, count), a);
    leafValue.set(tree.leafValue.subarray(0, count), a);
    for (let i = 0; i < count; i++) {
      left[a + i] = tree.left[i] < 0 ? -1 : a + tree.left[i];
      right[a + i] = tree.right[i] < 0 ? -1 : a + tree.right[i];
    }
    this.treeStart[this.trees++] = a;
    this.nodes += count;
  }

  finish(): FlatForest {
    this.treeStart[this.trees] = this.nodes;
    const n = this.nodes;
    const { feature, threshold, left, right, nodeSize, leafValue } = this.arrays;
    return {
      feature: feature.slice(0, n),
      threshold: threshold.slice(0, n),
      left: left.slice(0, n),
      right: right.slice(0, n),
      nodeSize: nodeSize.slice(0, n),
      leafValue: leafValue.slice(0, n),
      treeStart: this.treeStart,
    };
  }
}
