import { expect, test } from "bun:test";
import { helpWidthOf, reflow } from "./help-text.ts";

test("reflow refills prose paragraphs to the width and keeps indented and blank lines as written", () => {
  const text = ["", "Examples:", "  $ nightowl run --demo --demo-speed 3600 --poll-interval 300 --metrics-port 0", "", "The analysis reads everything given, so the", "baseline learns from the days before --since; only the range is reported."].join("\n");
  expect(reflow(text, 40)).toBe(
    ["", "Examples:", "  $ nightowl run --demo --demo-speed 3600 --poll-interval 300 --metrics-port 0", "", "The analysis reads everything given, so", "the baseline learns from the days before", "--since; only the range is reported."].join("\n"),
  );
});

test("reflow keeps a word longer than the width whole, on its own line", () => {
  expect(reflow("see https://prometheus-prod-13-prod-us-east-0.grafana.net/api/prom for it", 20)).toBe("see\nhttps://prometheus-prod-13-prod-us-east-0.grafana.net/api/prom\nfor it");
});

test("help is laid out for a terminal's width, and for 80 columns when piped or when the terminal reports none", () => {
  expect(helpWidthOf({ isTTY: true, columns: 132 })).toBe(132);
  expect(helpWidthOf({ isTTY: false, columns: 132 })).toBe(80);
  expect(helpWidthOf({})).toBe(80);
  expect(helpWidthOf({ isTTY: true, columns: 0 })).toBe(80);
});
