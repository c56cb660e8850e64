import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NightowlError } from "../errors.ts";
import { checkHistoryMemory, defaultMemoryBudgetMb, estimateHistoryMemory } from "./memory-budget.ts";

const dir = mkdtempSync(join(tmpdir(), "nightowl-memory-budget-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A history CSV of `rows` rows with `keys` telemetry columns. */
function history(name: string, rows: number, keys: number): string {
  const header = ["timestamp", "datetime", "user_label", "device_id", "device_name", "customer", "site", ...Array.from({ length: keys }, (_, k) => `K${k}`)].join(",");
  const lines = [header];
  for (let r = 0; r < rows; r++) lines.push([1_717_200_000_000 + r * 60_000, "", "u", "d", "n", "", "", ...Array.from({ length: keys }, (_, k) => (r * k) % 97)].join(","));
  const file = join(dir, name);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

test("the estimate follows the file's rows and keys, from its size and first lines", () => {
  const small = history("small.csv", 20_000, 10);
  const wide = history("wide.csv", 20_000, 40);
  const e = estimateHistoryMemory([small]);
  expect(e.bytes).toBe(statSync(small).size);
  expect(e.keys).toBe(10);
  expect(Math.abs(e.rows - 20_000)).toBeLessThan(200);
  expect(estimateHistoryMemory([wide]).mb).toBeGreaterThan(e.mb);
  expect(estimateHistoryMemory([small, small]).rows).toBe(2 * e.rows);
  // A missing file counts as nothing here: the reader names it.
  expect(estimateHistoryMemory([join(dir, "missing.csv")]).rows).toBe(0);
});

test("over the budget: one E_DATA line with the file, the estimate and the setting", () => {
  const file = history("big.csv", 50_000, 26);
  const { mb } = estimateHistoryMemory([file]);
  expect(checkHistoryMemory([file], mb).mb).toBe(mb);
  let error: unknown;
  try {
    checkHistoryMemory([file], mb - 1);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(NightowlError);
  expect((error as NightowlError).code).toBe("E_DATA");
  expect((error as Error).message).toStartWith(`${file}: reading it needs about ${mb.toLocaleString("en-US")} MiB`);
  expect((error as Error).message).toContain(`over NIGHTOWL_MAX_MEMORY_MB=${mb - 1}`);
  expect((error as Error).message).not.toContain("\n");
  expect(() => checkHistoryMemory([file, file, file], mb)).toThrow(/^3 files \(big\.csv, big\.csv, …\): reading it needs/);
});

test("the default budget is half the machine's memory", () => {
  expect(defaultMemoryBudgetMb(24 * 1024 ** 3)).toBe(12 * 1024);
  expect(defaultMemoryBudgetMb(256 * 1024 ** 2)).toBe(256);
});
