/**
 * The forest as plain JSON (arrays of numbers, child indices local to each tree), and the
 * checks that make loading a corrupt or hostile file an `E_MODEL` error naming the tree and
 * node, never an endless walk or an out-of-bounds read while scoring.
 */
import * as v from "valibot";
import { NightowlError } from "../errors.ts";
import type { FlatForest } from "./flat-forest.ts";
import { depthLimit } from "./forest-params.ts";
import { averagePathLength } from "./path-length.ts";

const count = v.pipe(v.number(), v.integer(), v.minValue(1));

/**
 * Bounds no forest we grow comes near (train takes at most 10,000 trees; subsamples are 256
 * rows by default), so a file that passes them cannot make one scoring pass take hours.
 */
export const FOREST_LIMITS = { trees: 10_000, maxSamples: 1 << 20, nFeatures: 10_000 } as const;

/** One tree: parallel arrays indexed by node, the root at 0, children as indices in the same tree (−1 at leaves). */
export const TreeJsonSchema = v.object({
  feature: v.array(v.number()),
  threshold: v.array(v.number()),
  left: v.array(v.number()),
  right: v.array(v.number()),
  nodeSize: v.array(v.number()),
});

/**
 * The forest part of a model file. Integer-ness and bounds of the per-node arrays are checked
 * by {@link validateForestStructure} in one pass (a schema per element would be slow on 50,000 nodes).
 */
export const ForestJsonSchema = v.object({
  format: v.literal("isolation-forest"),
  version: v.literal(1),
  nFeatures: v.pipe(count, v.maxValue(FOREST_LIMITS.nFeatures)),
  maxSamples: v.pipe(count, v.maxValue(FOREST_LIMITS.maxSamples)),
  /** At most ceil(log2(maxSamples)), checked in {@link validateForestStructure}: every walk takes maxDepth steps. */
  maxDepth: v.pipe(v.number(), v.integer(), v.minValue(0)),
  contamination: v.union([v.literal("auto"), v.pipe(v.number(), v.gtValue(0), v.maxValue(0.5))]),
  seed: v.pipe(v.number(), v.safeInteger()),
  offset: v.pipe(v.number(), v.finite()),
  trees: v.pipe(v.array(TreeJsonSchema), v.minLength(1), v.maxLength(FOREST_LIMITS.trees)),
});

export type ForestJson = v.InferOutput<typeof ForestJsonSchema>;
export type TreeJson = v.InferOutput<typeof TreeJsonSchema>;

/** `json` checked against {@link ForestJsonSchema} (shape only; see {@link validateForestStructure}); the first problem becomes an `E_MODEL` error with its path. */
export function parseForestJson(json: unknown): ForestJson {
  const result = v.safeParse(ForestJsonSchema, json);
  if (!result.success) {
    const issue = result.issues[0];
    const path = v.getDotPath(issue) ?? "(root)";
    throw new NightowlError("E_MODEL", `isolation forest JSON: ${path}: ${issue.message}`);
  }
  return result.output;
}

/**
 * Check that every tree is a proper binary tree within itself: equal array lengths, integer
 * fields, feature indices below `nFeatures`, children inside the tree, every node reached from
 * the root exactly once, node sizes adding up, depth within `maxDepth`. Throws `E_MODEL`
 * naming the tree and node.
 * @returns each node's depth, per tree, for the leaf values
 */
export function validateForestStructure(json: ForestJson): Int32Array[] {
  // Scoring walks every tree exactly maxDepth steps: a depth of 1e9 would freeze `run`.
  const deepest = depthLimit(json.maxSamples);
  if (json.maxDepth > deepest) {
    throw new NightowlError("E_MODEL", `isolation forest JSON: maxDepth ${json.maxDepth} exceeds ${deepest}, the depth a tree grown on maxSamples (${json.maxSamples}) rows can reach`);
  }
  const depths: Int32Array[] = [];
  json.trees.forEach((tree, t) => {
    const fail = (node: number, what: string): never => {
      throw new NightowlError("E_MODEL", `isolation forest JSON: tree ${t} node ${node}: ${what}`);
    };
    const n = tree.feature.length;
    if (n === 0) throw new NightowlError("E_MODEL", `isolation forest JSON: tree ${t} has no nodes`);
    if (n > 2 * json.maxSamples - 1) {
      throw new NightowlError("E_MODEL", `isolation forest JSON: tree ${t} has ${n} nodes, more than the ${2 * json.maxSamples - 1} a tree of maxSamples (${json.maxSamples}) rows can have`);
    }
    for (const key of ["threshold", "left", "right", "nodeSize"] as const) {
      if (tree[key].length !== n) {
        throw new NightowlError("E_MODEL", `isolation forest JSON: tree ${t}: ${key} has ${tree[key].length} entries, feature has ${n}`);
      }
    }
    for (let i = 0; i < n; i++) {
      const f = tree.feature[i];
      const size = tree.nodeSize[i];
      if (!Number.isInteger(size) || size < 1) fail(i, `nodeSize ${size} is not an integer ≥ 1`);
      if (f === -1) {
        if (tree.left[i] !== -1 || tree.right[i] !== -1) fail(i, `a leaf (feature −1) must have children −1, has ${tree.left[i]} and ${tree.right[i]}`);
        continue;
      }
      if (!Number.isInteger(f) || f < 0 || f >= json.nFeatures) fail(i, `feature ${f} is not −1 or an index below nFeatures (${json.nFeatures})`);
      if (!Number.isFinite(tree.threshold[i])) fail(i, `threshold ${tree.threshold[i]} is not a finite number`);
      for (const side of ["left", "right"] as const) {
        const child = tree[side][i];
        if (!Number.isInteger(child) || child < 1 || child >= n) fail(i, `${side} child ${child} points outside the tree (nodes 1..${n - 1})`);
      }
    }
    // Walk from the root: a node seen twice is a cycle or a shared child, a node never seen is junk.
    const depth = new Int32Array(n).fill(-1);
    const stack = [0];
    depth[0] = 0;
    if (tree.nodeSize[0] > json.maxSamples) fail(0, `nodeSize ${tree.nodeSize[0]} exceeds maxSamples (${json.maxSamples})`);
    let seen = 1;
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (tree.feature[i] === -1) continue;
      if (depth[i] >= json.maxDepth) fail(i, `splits at depth ${depth[i]}, beyond maxDepth (${json.maxDepth})`);
      const l = tree.left[i];
      const r = tree.right[i];
      for (const child of [l, r]) {
        if (depth[child] !== -1 || l === r) fail(i, `child ${child} is reached twice (a cycle or a shared node)`);
        depth[child] = depth[i] + 1;
        seen++;
        stack.push(child);
      }
      if (tree.nodeSize[l] + tree.nodeSize[r] !== tree.nodeSize[i]) {
        fail(i, `nodeSize ${tree.nodeSize[i]} is not the sum of its children's (${tree.nodeSize[l]} + ${tree.nodeSize[r]})`);
      }
    }
    if (seen !== n) fail(depth.indexOf(-1), "is not reachable from the root");
    depths.push(depth);
  });
  return depths;
}

/** The forest as JSON trees with tree-local child indices. */
export function flatToTrees(forest: FlatForest): TreeJson[] {
  const trees: TreeJson[] = [];
  for (let t = 0; t + 1 < forest.treeStart.length; t++) {
    const a = forest.treeStart[t];
    const b = forest.treeStart[t + 1];
    const local = (i: number): number => (i < 0 ? -1 : i - a);
    trees.push({
      feature: Array.from(forest.feature.subarray(a, b)),
      threshold: Array.from(forest.threshold.subarray(a, b)),
      left: Array.from(forest.left.subarray(a, b), local),
      right: Array.from(forest.right.subarray(a, b), local),
      nodeSize: Array.from(forest.nodeSize.subarray(a, b)),
    });
  }
  return trees;
}

/**
 * Flat typed arrays from validated JSON trees; `depths` comes from {@link validateForestStructure}.
 * Nodes are renumbered depth-first, left subtree first, each pair of children stored side by
 * side (as {@link growForest} numbers them, so our own files keep their numbering).
 */
export function treesToFlat(trees: TreeJson[], depths: Int32Array[]): FlatForest {
  const total = trees.reduce((sum, tree) => sum + tree.feature.length, 0);
  const forest: FlatForest = {
    feature: new Int32Array(total),
    threshold: new Float64Array(total),
    left: new Int32Array(total),
    right: new Int32Array(total),
    nodeSize: new Int32Array(total),
    leafValue: new Float64Array(total),
    treeStart: new Int32Array(trees.length + 1),
  };
  let next = 0;
  trees.forEach((tree, t) => {
    forest.treeStart[t] = next;
    const renumbered = new Int32Array(tree.feature.length);
    renumbered[0] = next++;
    const stack = [0];
    while (stack.length > 0) {
      const i = stack.pop()!;
      const k = renumbered[i];
      forest.nodeSize[k] = tree.nodeSize[i];
      if (tree.feature[i] === -1) {
        forest.feature[k] = -1;
        forest.left[k] = -1;
        forest.right[k] = -1;
        forest.leafValue[k] = depths[t][i] + averagePathLength(tree.nodeSize[i]);
        continue;
      }
      const l = tree.left[i];
      const r = tree.right[i];
      renumbered[l] = next++;
      renumbered[r] = next++;
      forest.feature[k] = tree.feature[i];
      forest.threshold[k] = tree.threshold[i];
      forest.left[k] = renumbered[l];
      forest.right[k] = renumbered[r];
      stack.push(r, l);
    }
  });
  forest.treeStart[trees.length] = next;
  return forest;
}
