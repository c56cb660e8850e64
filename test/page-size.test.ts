/** The page-size bound the documentation states is the one the program enforces. */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MAX_PAGE_SIZE } from "../src/config.ts";
import { loadConfig } from "../src/load-config.ts";

test("docs/configuration.md states NIGHTOWL_PAGE_SIZE's bounds, and exactly those are accepted", () => {
  const doc = readFileSync(join(import.meta.dir, "..", "docs", "configuration.md"), "utf8");
  const row = doc.split("\n").find((l) => l.startsWith("| `NIGHTOWL_PAGE_SIZE`"))!;
  const [min, max] = /\((\d+)–(\d+)\)/.exec(row)!.slice(1).map(Number) as [number, number];
  expect([min, max]).toEqual([1, MAX_PAGE_SIZE]);
  for (const ok of [min, 5, max]) expect(loadConfig({ env: { NIGHTOWL_PAGE_SIZE: String(ok) } }).pageSize).toBe(ok);
  for (const bad of [min - 1, max + 1]) {
    expect(() => loadConfig({ env: { NIGHTOWL_PAGE_SIZE: String(bad) } })).toThrow(`NIGHTOWL_PAGE_SIZE="${bad}" is not allowed: expected a whole number from ${min} to ${max}`);
  }
});
