import { expect, test } from "bun:test";
import { join } from "node:path";
import { loadModelFile } from "./model-file.ts";
import { resolveModelPath } from "./model-resolver.ts";

const user = join("models", "users", "dgorman", "leak_detector.json");
const global = join("models", "global", "leak_detector.json");

test.each([
  ["explicit path wins even over existing user and global models", "x/m.json", [user, global], { path: "x/m.json", source: "explicit" }],
  ["user model before global", undefined, [user, global], { path: user, source: "user" }],
  ["global when the user has none", undefined, [global], { path: global, source: "global" }],
  ["the embedded model when no file is found", undefined, [], { path: "embedded.json", source: "embedded" }],
] as const)("%s", (_name, modelPath, present, expected) => {
  const files = new Set<string>(present);
  expect(resolveModelPath({ modelPath, modelsDir: "models", userLabel: "dgorman", fallback: "embedded.json", exists: (p) => files.has(p) })).toEqual(expected as never);
});

test("none at all when the embedded fallback is turned off", () => {
  expect(resolveModelPath({ modelsDir: "models", userLabel: "dgorman", fallback: null, exists: () => false })).toBeNull();
});

test("by default the fallback is the embedded global model, which loads", () => {
  const found = resolveModelPath({ modelsDir: "no-such-folder", userLabel: "dgorman", exists: () => false })!;
  expect(found.source).toBe("embedded");
  expect(loadModelFile(found.path).training.source).toBe("simulated");
});

test("a user label that is not a plain path segment never escapes the models folder", () => {
  const seen: string[] = [];
  const found = resolveModelPath({ modelsDir: "models", userLabel: "../../etc", exists: (p) => (seen.push(p), p === global) });
  expect(found).toEqual({ path: global, source: "global" });
  expect(seen).toEqual([global]);
});
