import { expect, test } from "bun:test";
import { join } from "node:path";
import { resolveModelPath } from "./model-resolver.ts";

const user = join("models", "users", "dgorman", "leak_detector.json");
const global = join("models", "global", "leak_detector.json");

test.each([
  ["explicit path wins even over existing user and global models", "x/m.json", [user, global], { path: "x/m.json", source: "explicit" }],
  ["user model before global", undefined, [user, global], { path: user, source: "user" }],
  ["global when the user has none", undefined, [global], { path: global, source: "global" }],
  ["none at all", undefined, [], null],
] as const)("%s", (_name, modelPath, present, expected) => {
  const files = new Set<string>(present);
  expect(resolveModelPath({ modelPath, modelsDir: "models", userLabel: "dgorman", exists: (p) => files.has(p) })).toEqual(expected as never);
});

test("a user label that is not a plain path segment never escapes the models folder", () => {
  const seen: string[] = [];
  const found = resolveModelPath({ modelsDir: "models", userLabel: "../../etc", exists: (p) => (seen.push(p), p === global) });
  expect(found).toEqual({ path: global, source: "global" });
  expect(seen).toEqual([global]);
});
