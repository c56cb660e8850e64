import { expect, test } from "bun:test";
import { EMBEDDED_MODEL_PATH } from "./embedded-model.ts";
import { clocksMeet, modelZoneWarning } from "./model-zone.ts";

const JULY = Date.UTC(2026, 6, 4);
const model = (timeZone: string) => ({ featureOptions: { timeZone }, path: "models/global/leak_detector.json" }) as Parameters<typeof modelZoneWarning>[0];

test.each([
  ["UTC", "UTC", true],
  ["UTC", "Etc/UTC", true],
  ["America/Denver", "America/Boise", true],
  ["America/Denver", "America/Phoenix", true], // the same in winter, an hour apart in summer
  ["America/Denver", "Etc/GMT+7", true], // the shipped model's zone and the demo sites'
  ["America/Denver", "America/Chicago", false],
  ["America/Denver", "UTC", false],
])("%s and %s keep the same clock some of the year: %p", (a, b, meet) => {
  expect(clocksMeet(a, b, JULY)).toBe(meet);
});

test("a model scored in another zone gets one line naming both zones and the shift", () => {
  expect(modelZoneWarning(model("America/Denver"), "America/Denver", JULY)).toBeUndefined();
  expect(modelZoneWarning(model("UTC"), "Etc/UTC", JULY)).toBeUndefined();
  const line = modelZoneWarning(model("America/Denver"), "UTC", JULY)!;
  expect(line).toBe("the leak model models/global/leak_detector.json was trained with nights and weekdays in America/Denver, but the sites' zone UTC is 6 h ahead of it today: its time-of-day features are shifted; if your sites are not in UTC, set NIGHTOWL_TIMEZONE to their zone (the model's is America/Denver); otherwise retrain it in UTC");
  expect(modelZoneWarning(model("Etc/GMT+7"), "America/Denver", JULY)).toBeUndefined();
  expect(modelZoneWarning(model("America/Chicago"), "America/Denver", Date.UTC(2026, 0, 5))).toContain("the sites' zone America/Denver is 1 h behind it today");
});

test("the shipped model is named so (not by its place in the executable); the advice leads with the sites' zone (a UTC server watching Montana wells), then a model of one's own, never the shipped model's zone", () => {
  const shipped = { featureOptions: { timeZone: "Etc/GMT+7" }, path: EMBEDDED_MODEL_PATH } as Parameters<typeof modelZoneWarning>[0];
  const line = modelZoneWarning(shipped, "Etc/UTC", JULY)!;
  expect(line).toBe(
    "the shipped leak model was trained with nights and weekdays in UTC−7 (Etc/GMT+7), but the sites' zone Etc/UTC is 7 h ahead of it today: its time-of-day features are shifted; if your sites are not in Etc/UTC, set NIGHTOWL_TIMEZONE to their zone; otherwise train a model on your sites' own history (nightowl train --timezone Etc/UTC) to score them in their zone",
  );
  expect(line.indexOf("set NIGHTOWL_TIMEZONE")).toBeLessThan(line.indexOf("nightowl train"));
  expect(line).not.toContain("NIGHTOWL_TIMEZONE=Etc/GMT+7");
});
