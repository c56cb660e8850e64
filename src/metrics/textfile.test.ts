import { expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Gauge } from "prom-client";
import { createRegistry } from "./registry.ts";
import { writeTextfile } from "./textfile.ts";

test("writes the exposition and leaves no temporary file behind", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nightowl-textfile-"));
  try {
    const registry = createRegistry();
    new Gauge({ name: "nightowl_test_value", help: "test", registers: [registry] }).set(7);
    const path = join(dir, "nightowl.prom");
    await writeTextfile(registry, path);
    await writeTextfile(registry, path);
    expect(readFileSync(path, "utf8")).toBe("# HELP nightowl_test_value test\n# TYPE nightowl_test_value gauge\nnightowl_test_value 7\n");
    expect(readdirSync(dir)).toEqual(["nightowl.prom"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a missing directory is an E_IO error naming the path", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nightowl-textfile-"));
  rmSync(dir, { recursive: true });
  const path = join(dir, "nightowl.prom");
  const error = await writeTextfile(createRegistry(), path).catch((e) => e);
  expect(error.code).toBe("E_IO");
  expect(error.message).toBe(`--textfile ${JSON.stringify(path)} cannot be written (ENOENT): expected a writable file in an existing directory`);
});
