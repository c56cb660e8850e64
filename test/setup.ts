/**
 * Preloaded before every test file (bunfig.toml): tests that start the simulator, a real
 * Prometheus or the CLI as a process need more than bun's 5 s default per test, and bunfig
 * has no setting for it; this makes a plain `bun test` behave like `make test`.
 *
 * Every temporary folder a test (or a process it starts) makes goes under one folder of this
 * run, removed when the run ends: a suite makes hundreds, and a test that fails before its
 * own clean-up would leave them in the machine's /tmp for good.
 */
import { afterAll, setDefaultTimeout } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

setDefaultTimeout(60_000);

const runDir = mkdtempSync(join(tmpdir(), "nightowl-test-run-"));
process.env.TMPDIR = runDir;
// In a preloaded file afterAll runs once, after the last test file of the run.
afterAll(() => rmSync(runDir, { recursive: true, force: true }));
