import { expect, test } from "bun:test";
import * as v from "valibot";
import { NightowlError } from "../errors.ts";
import { ForestJsonSchema, IsolationForest, validateForestStructure, type ForestJson } from "./iforest.ts";

const rows = Array.from({ length: 300 }, (_, i) => [Math.sin(i), Math.cos(i * 0.7), (i % 17) / 17]);
const model = IsolationForest.fit(rows, { seed: 1, nEstimators: 20, contamination: 0.05 });

/** A deep copy of the model's JSON, as read back from a file. */
const copy = (): ForestJson => JSON.parse(JSON.stringify(model));

function modelError(json: unknown): NightowlError {
  try {
    IsolationForest.fromJSON(json);
  } catch (error) {
    if (error instanceof NightowlError) return error;
    throw error;
  }
  throw new Error("fromJSON accepted a broken forest");
}

test("JSON round trip: identical scores, offset and JSON text", () => {
  const text = JSON.stringify(model);
  const loaded = IsolationForest.fromJSON(JSON.parse(text));
  expect(loaded.scoreSamples(rows)).toEqual(model.scoreSamples(rows));
  expect(loaded.decisionFunction(rows)).toEqual(model.decisionFunction(rows));
  expect(loaded.contributions(rows[5])).toEqual(model.contributions(rows[5]));
  expect(loaded.offset).toBe(model.offset);
  expect(JSON.stringify(loaded)).toBe(text);
  expect(v.is(ForestJsonSchema, JSON.parse(text))).toBe(true);
});

test.each([
  ["a left child outside the tree", (j: ForestJson) => void (j.trees[2].left[0] = 9999), /^isolation forest JSON: tree 2 node 0: left child 9999 points outside the tree \(nodes 1\.\.\d+\)$/],
  ["a negative right child", (j: ForestJson) => void (j.trees[0].right[0] = -5), /tree 0 node 0: right child -5 points outside the tree/],
  ["a child pointing back to the root", (j: ForestJson) => void (j.trees[1].left[0] = 0), /tree 1 node 0: left child 0 points outside the tree/],
  ["a fractional child index", (j: ForestJson) => void (j.trees[0].left[0] = 1.5), /tree 0 node 0: left child 1.5/],
  ["a feature index beyond nFeatures", (j: ForestJson) => void (j.trees[3].feature[0] = 3), /tree 3 node 0: feature 3 is not −1 or an index below nFeatures \(3\)/],
  ["arrays of different lengths", (j: ForestJson) => void j.trees[4].threshold.pop(), /tree 4: threshold has \d+ entries, feature has \d+/],
  ["a leaf with children", (j: ForestJson) => {
    const leaf = j.trees[0].feature.indexOf(-1);
    j.trees[0].left[leaf] = 1;
  }, /tree 0 node \d+: a leaf \(feature −1\) must have children −1/],
  ["a shared child (not a tree)", (j: ForestJson) => {
    const t = j.trees[0];
    t.right[0] = t.left[0];
  }, /tree 0 node 0: child \d+ is reached twice/],
  ["node sizes that do not add up", (j: ForestJson) => void (j.trees[0].nodeSize[j.trees[0].left[0]] += 1), /tree 0 node 0: nodeSize \d+ is not the sum of its children's/],
  ["a node size of zero", (j: ForestJson) => void (j.trees[0].nodeSize[1] = 0), /tree 0 node 1: nodeSize 0 is not an integer ≥ 1/],
  ["a tree deeper than maxDepth", (j: ForestJson) => void (j.maxDepth = 2), /splits at depth 2, beyond maxDepth \(2\)/],
  ["an infinite threshold", (j: ForestJson) => void (j.trees[0].threshold[0] = Infinity), /tree 0 node 0: threshold Infinity is not a finite number/],
  ["an empty tree", (j: ForestJson) => {
    j.trees[0] = { feature: [], threshold: [], left: [], right: [], nodeSize: [] };
  }, /tree 0 has no nodes/],
])("fromJSON rejects %s with an E_MODEL error naming tree and node", (_name, corrupt, message) => {
  const json = copy();
  corrupt(json);
  const error = modelError(json);
  expect(error.code).toBe("E_MODEL");
  expect(error.message).toMatch(message);
});

test("an unreachable node is reported", () => {
  const json = copy();
  const t = json.trees[0];
  // Turn the root's left child into a leaf: its former subtree becomes unreachable.
  const child = t.left[0];
  t.feature[child] = -1;
  t.left[child] = -1;
  t.right[child] = -1;
  expect(modelError(json).message).toMatch(/tree 0 node \d+: is not reachable from the root/);
});

test.each([
  ["not an object", 42, /^isolation forest JSON: \(root\): /],
  ["another format", { ...copy(), format: "random-forest" }, /format: Invalid type: Expected "isolation-forest"/],
  ["a newer version", { ...copy(), version: 2 }, /version: /],
  ["contamination out of range", { ...copy(), contamination: 0.9 }, /contamination: /],
  ["a missing offset", { ...copy(), offset: undefined }, /offset: /],
  ["no trees", { ...copy(), trees: [] }, /trees: /],
  ["a string in a tree", (() => { const j: any = copy(); j.trees[0].left[0] = "1"; return j; })(), /trees\.0\.left\.0: /],
])("fromJSON rejects %s by the schema", (_name, json, message) => {
  const error = modelError(json);
  expect(error.code).toBe("E_MODEL");
  expect(error.message).toMatch(message);
});

test("validateForestStructure returns node depths and accepts the model's own JSON", () => {
  const depths = validateForestStructure(copy());
  expect(depths).toHaveLength(20);
  expect(depths[0][0]).toBe(0);
  expect(Math.max(...depths.map((d) => Math.max(...d)))).toBeLessThanOrEqual(model.maxDepth);
});
