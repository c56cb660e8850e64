import { expect, test } from "bun:test";
import { EMBEDDED_MODEL_PATH } from "../ml/embedded-model.ts";
import { loadModelFile } from "../ml/model-file.ts";
import { simulateHistory } from "../sim/history.ts";
import { DevicePipeline } from "./device-pipeline.ts";
import { ModelStage, scaled } from "./model-stage.ts";
import { newDeviceBuffer } from "./replay.ts";

const HOUR = 3_600_000;

test("a rebuild replays the buffer's rows exactly as pushing them one by one does", () => {
  const model = loadModelFile(EMBEDDED_MODEL_PATH);
  const start = Date.UTC(2026, 4, 12);
  for (const device of [0, 3]) {
    const frame = simulateHistory({ seed: 11, device, startMs: start, endMs: start + 30 * HOUR });
    // Readings missing now and then: a row without some keys must score as it did.
    for (const [k, col] of Object.entries(frame.columns)) for (let i = device + k.length; i < col.length; i += 7) col[i] = Number.NaN;
    const warm = frame.ts.findIndex((t) => t >= start + 28 * HOUR);
    const pipeline = new DevicePipeline(frame.deviceId);
    for (let i = 0; i < warm; i++) pipeline.buffer.pushFrameRow(frame, i);
    const keys = pipeline.buffer.keys();
    const rules = ["night_flow"];

    const rebuilt = new ModelStage(model, "UTC", "d");
    rebuilt.rebuild(keys, pipeline.buffer, rules);
    // What a rebuild did before: the rows as objects, pushed one by one.
    const pushed = new ModelStage(model, "UTC", "d");
    pushed.rebuild(keys, newDeviceBuffer("empty"));
    const rows = pipeline.rowsAfter(-Infinity, 26 * HOUR);
    rows.forEach((row, i) => pushed.push(row, i === rows.length - 1 ? rules : []));
    expect(rows.length).toBeGreaterThan(1000);

    const same = () => {
      expect(rebuilt.latestTs).toBe(pushed.latestTs);
      expect(Array.from(rebuilt.features!)).toEqual(Array.from(pushed.features!));
      expect(Object.is(rebuilt.decision, pushed.decision)).toBe(true);
      expect(Object.is(rebuilt.coverage, pushed.coverage)).toBe(true);
      expect(rebuilt.verdict).toEqual(pushed.verdict!);
    };
    same();
    expect(rebuilt.verdict!.rules).toContain("night_flow");
    // And the polls after it.
    for (let i = warm; i < frame.ts.length; i++) {
      const after = pipeline.buffer.lastTs;
      pipeline.buffer.pushFrameRow(frame, i);
      for (const row of pipeline.rowsAfter(after)) {
        rebuilt.push(row, []);
        pushed.push(row, []);
      }
      same();
    }
  }
});

test("the scaled row's array is one per feature count, kept across devices of different models", () => {
  const a = scaled(47);
  const b = scaled(30);
  expect(scaled(47)).toBe(a);
  expect(scaled(30)).toBe(b);
  expect([a.length, b.length]).toEqual([47, 30]);
});
