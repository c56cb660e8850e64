/**
 * docs/metrics.md is the one metrics reference; this test keeps it in step with the code.
 * A family is any "nightowl_…" name given to prom-client (`name: "…"`, or the first argument
 * of a family helper) in src/, outside tests and the simulator. On a failure, add the family's
 * row to the table of docs/metrics.md where it belongs (or remove a row for a family that is gone).
 */
import { expect, test } from "bun:test";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "sim" ? [] : sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** Metric family names in the code: every double-quoted "nightowl_…" literal. */
function familiesInCode(): Set<string> {
  const names = new Set<string>();
  for (const file of sourceFiles(join(ROOT, "src"))) {
    for (const match of readFileSync(file, "utf8").matchAll(/"(nightowl_[a-z0-9_]+)"/g)) names.add(match[1]!);
  }
  return names;
}

/** Families documented: the first cell of each table row of docs/metrics.md. */
function familiesInDocs(): Set<string> {
  const doc = readFileSync(join(ROOT, "docs", "metrics.md"), "utf8");
  return new Set([...doc.matchAll(/^\| `(nightowl_[a-z0-9_]+)` \|/gm)].map((m) => m[1]!));
}

test("the code registers the families this test knows to look for", () => {
  const code = familiesInCode();
  // A guard against the scan silently finding nothing (a moved folder, a changed quote style).
  for (const name of ["nightowl_telemetry_value", "nightowl_ml_leak_probability", "nightowl_pump_running"]) {
    expect(code.has(name)).toBe(true);
  }
});

test("every metric family in the code has its row in docs/metrics.md", () => {
  const documented = familiesInDocs();
  const missing = [...familiesInCode()].filter((name) => !documented.has(name)).sort();
  expect(missing).toEqual([]);
});

test("every family docs/metrics.md lists exists in the code", () => {
  const code = familiesInCode();
  const stale = [...familiesInDocs()].filter((name) => !code.has(name)).sort();
  expect(stale).toEqual([]);
});
