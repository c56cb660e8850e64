/**
 * docs/deploy.md tells how to add the owner's events for the systemd service: run `events` with
 * the unit's own state directory, working directory and env file. This keeps that recipe and the
 * path it promises in step with deploy/systemd/nightowl.service and the state folder's default.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SETTINGS } from "../src/config.ts";

const ROOT = join(import.meta.dir, "..");
const unit = readFileSync(join(ROOT, "deploy", "systemd", "nightowl.service"), "utf8");
const doc = readFileSync(join(ROOT, "docs", "deploy.md"), "utf8");

/** The unit's `Key=value` lines. */
const unitLines = new Set(unit.split("\n").map((l) => l.trim()).filter((l) => /^[A-Z]\w*=/.test(l)));

test("the recipe runs events as the unit runs: its state directory, working directory, env file and (dynamic) user", () => {
  const recipe = /sudo systemd-run [^\n]*\\\n[^\n]*\\\n[^\n]*nightowl events add[^\n]*/.exec(doc)?.[0];
  expect(recipe).toBeDefined();
  const props = [...recipe!.matchAll(/-p (\w+=\S+)/g)].map((m) => m[1]!);
  expect(props).toContain("DynamicUser=yes");
  // The dynamic user is named after the unit unless User= is set: the recipe names the same.
  expect(unitLines.has("DynamicUser=yes")).toBe(true);
  expect(props).toContain("User=nightowl");
  for (const p of props.filter((x) => !x.startsWith("User="))) expect([p, unitLines.has(p)]).toEqual([p, true]);
  for (const key of ["StateDirectory", "WorkingDirectory", "EnvironmentFile"]) expect(props.some((p) => p.startsWith(`${key}=`))).toBe(true);
});

test("the file the doc names is the one the service reads: the working directory's state folder, NIGHTOWL_STATE_DIR unset", () => {
  expect(unit).not.toContain(SETTINGS.stateDir.env);
  const workdir = [...unitLines].find((l) => l.startsWith("WorkingDirectory="))!.slice("WorkingDirectory=".length);
  const file = join(workdir, SETTINGS.stateDir.default, "events.json");
  expect(file).toBe("/var/lib/nightowl/state/events.json");
  expect(doc).toContain(`# added expected-1 to ${file}: `);
});
