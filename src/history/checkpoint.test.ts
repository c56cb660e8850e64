import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { argumentDifferences, checkpointPath, loadCheckpoint, saveCheckpoint, WORK_DIR, type Checkpoint, type FetchArgs } from "./checkpoint.ts";
import { PartFile } from "./part-file.ts";

const args: FetchArgs = { baseUrl: "https://portal", username: "u", keys: ["S1"], days: "90", windowMs: 604_800_000, formats: ["csv"] };

test("a checkpoint round-trips through its file, written atomically", () => {
  const dir = mkdtempSync(join(tmpdir(), "nightowl-cp-"));
  mkdirSync(join(dir, WORK_DIR));
  expect(loadCheckpoint(dir)).toBeUndefined();
  const cp: Checkpoint = {
    version: 1, args, range: { startMs: 0, endMs: 10 },
    devices: [{ id: "d", name: "n", type: "t", userLabel: "x", attributes: { active: "true" } }],
    progress: { d: { windows: 2, points: 5, bytes: { csv: 120 }, done: false } },
  };
  saveCheckpoint(dir, cp);
  expect(loadCheckpoint(dir)).toEqual(cp);
  expect(() => readFileSync(`${checkpointPath(dir)}.tmp`)).toThrow();
});

test("a corrupt or foreign checkpoint is an E_DATA error naming the restart option", () => {
  const dir = mkdtempSync(join(tmpdir(), "nightowl-cp-"));
  mkdirSync(join(dir, WORK_DIR));
  writeFileSync(checkpointPath(dir), "{not json");
  expect(() => loadCheckpoint(dir)).toThrow(/is not JSON .*: run with restart to discard it$/);
  writeFileSync(checkpointPath(dir), JSON.stringify({ version: 2 }));
  expect(() => loadCheckpoint(dir)).toThrow(/is not a fetch-history checkpoint \(version: .*: run with restart to discard it$/);
});

test("argumentDifferences names what changed", () => {
  expect(argumentDifferences(args, { ...args })).toEqual([]);
  expect(argumentDifferences(args, { ...args, days: "30", formats: ["csv", "ndjson"] })).toEqual(['days: "90" → "30"', 'formats: ["csv"] → ["csv","ndjson"]']);
});

test("a part file is cut back to the recorded size, and a shorter one is reported", () => {
  const path = join(mkdtempSync(join(tmpdir(), "nightowl-part-")), "a.part");
  const part = new PartFile(path);
  expect(part.open(0)).toBe(true);
  part.append("héllo ");
  part.append("world");
  expect(part.size).toBe(Buffer.byteLength("héllo world"));
  part.close();
  const again = new PartFile(path);
  expect(again.open(Buffer.byteLength("héllo "))).toBe(true);
  again.append("there");
  again.close();
  expect(readFileSync(path, "utf8")).toBe("héllo there");
  expect(new PartFile(path).open(1000)).toBe(false);
  expect(new PartFile(path + ".missing").open(5)).toBe(false);
});
