import { expect, test } from "bun:test";
import { join } from "node:path";
import { loadModelFile } from "../ml/model-file.ts";
import { scoresTable } from "./score.ts";

const shipped = loadModelFile(join(import.meta.dir, "..", "..", "models", "global", "leak_detector.json"));
const model = { ...shipped, training: { ...shipped.training, trained_at: "2026-05-06T00:00:00.000Z" } };

test("the table's header tells when the model was trained on the clock of the times below it", () => {
  const [header, zone] = scoresTable(model, [], "America/Denver").split("\n");
  expect(header).toContain("(trained 2026-05-05 18:00 MDT, ");
  expect(zone).toBe("Nights, weekdays and the times below in America/Denver");
});

test("a POSIX Etc/GMT zone, whose sign reads backwards, is told as UTC−N beside its name", () => {
  expect(scoresTable(model, [], "Etc/GMT+7").split("\n")[1]).toBe("Nights, weekdays and the times below in UTC−7 (Etc/GMT+7)");
  expect(scoresTable(model, [], "Etc/GMT-10").split("\n")[1]).toBe("Nights, weekdays and the times below in UTC+10 (Etc/GMT-10)");
});

test("the header names a POSIX zone one way on both lines: UTC−7, never Intl's GMT-7", () => {
  const [trained, zone] = scoresTable(model, [], "Etc/GMT+7").split("\n");
  expect(trained).toContain("(trained 2026-05-05 17:00 UTC−7, ");
  expect(zone).toContain("UTC−7");
  expect(trained + zone).not.toContain("GMT-7");
});
