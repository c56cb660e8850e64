import { expect, test } from "bun:test";
import { Registry } from "prom-client";
import { recordingLogger } from "../nightowl/test-support.ts";
import { stageSuccess } from "./stage-success.ts";

test("a device whose stage throws sets the stage's gauge to 0 without stopping the others; the error is logged once", async () => {
  const registry = new Registry();
  const log = recordingLogger();
  const stages = stageSuccess(registry, log);
  const done: string[] = [];
  for (let poll = 0; poll < 2; poll++) {
    const run = stages.begin("analytics");
    await run.device("a", () => { throw new Error("boom"); });
    await run.device("b", () => void done.push("b"));
    run.end();
  }
  expect(done).toEqual(["b", "b"]);
  expect(await registry.metrics()).toContain('nightowl_stage_success{stage="analytics"} 0');
  expect(log.lines.filter((l) => l.includes("analytics failed for device a: boom"))).toHaveLength(1);
  const ok = stages.begin("analytics");
  await ok.device("a", () => {});
  ok.end();
  // The same registry's family, shared by every stage.
  stageSuccess(registry).begin("ml").end();
  const text = await registry.metrics();
  expect(text).toContain('nightowl_stage_success{stage="analytics"} 1');
  expect(text).toContain('nightowl_stage_success{stage="ml"} 1');
});
