import { expect, test } from "bun:test";
import { barChart, escapeXml, lineChart, timeline } from "./report-svg.ts";

const seriesIn = (svg: string) => (svg.match(/<g class="series"/g) ?? []).length;
const declared = (svg: string) => Number(/data-series="(\d+)"/.exec(svg)![1]);

test("a bar chart declares and draws one group per series, a bar per finite value", () => {
  const svg = barChart("Use", "gallons", ["01-01", "01-02", "01-03"], [{ name: "a", values: [1, 2, NaN] }, { name: "b", values: [0, 4, 3] }]);
  expect(declared(svg)).toBe(2);
  expect(seriesIn(svg)).toBe(2);
  expect((svg.match(/<rect [^>]*><title>/g) ?? []).length).toBe(5); // NaN draws nothing
  // The tallest bar (4) reaches the top tick (4) at y = 28 (the top margin).
  expect(svg).toContain('y="28.0" width=');
});

test("a line chart breaks at NaN and scales to round ticks", () => {
  const svg = lineChart("Flow", "gal/min", [0, 1, 2, 3], [{ name: "min", values: [0, 0.4, NaN, 0.5] }], String);
  expect(declared(svg)).toBe(1);
  const d = /<path d="([^"]*)"/.exec(svg)![1]!;
  expect(d.match(/M/g)!.length).toBe(2);
  expect(d.match(/L/g)!.length).toBe(1);
  // max 0.5 → a quarter is 0.125 → the next round step is 0.2: ticks 0, 0.2, 0.4, 0.6.
  expect([...svg.matchAll(/>([\d.]+)<\/text>/g)].slice(0, 4).map((m) => m[1])).toEqual(["0", "0.2", "0.4", "0.6"]);
});

test("a timeline has one row per series and escapes titles", () => {
  const svg = timeline("Rules", 0, 100, [
    { name: "burst", spans: [{ startMs: 10, endMs: 20, color: "#d62728", title: "8 gal/min <burst>" }] },
    { name: "dry_run", spans: [] },
  ], [{ ms: 0, label: "01-01" }, { ms: 50, label: "01-02" }, { ms: 200, label: "past the end" }]);
  expect(declared(svg)).toBe(2);
  // Ticks where they are asked for (midnights, from the caller), none outside the range.
  expect([...svg.matchAll(/<g class="tick" data-ms="(\d+)">/g)].map((m) => m[1])).toEqual(["0", "50"]);
  expect(seriesIn(svg)).toBe(2);
  expect(svg).toContain("8 gal/min &lt;burst&gt;");
  expect(escapeXml(`a&b"c'<>`)).toBe("a&amp;b&quot;c&#39;&lt;&gt;");
});
