import { expect, test } from "bun:test";
import { gunzipSync } from "node:zlib";
import { Counter, Gauge, Histogram, Summary } from "prom-client";
import { silentLogger, type Logger } from "../log.ts";
import { createPrerenderedExposition, renderExposition, renderGzipped } from "./exposition.ts";
import { createRegistry } from "./registry.ts";

/** A registry with every family type and every escape the format has. */
function varied() {
  const registry = createRegistry();
  const gauge = new Gauge({ name: "nightowl_a_value", help: 'a "help" with \\ and\nnewline', labelNames: ["device_id", "key"], registers: [registry] });
  for (let i = 0; i < 5000; i++) gauge.set({ device_id: `d-${i}`, key: i % 2 ? 'quote " back \\ line\n' : "S1" }, i % 3 ? i / 7 : -i);
  gauge.set({ device_id: "nan", key: "x" }, NaN);
  gauge.set({ device_id: "inf", key: "x" }, Infinity);
  gauge.set({ device_id: "-inf", key: "x" }, -Infinity);
  new Counter({ name: "nightowl_b_total", help: "count", labelNames: ["status"], registers: [registry] }).inc({ status: "ok" }, 3);
  new Gauge({ name: "nightowl_c", help: "no labels", registers: [registry] }).set(1.5e-7);
  new Gauge({ name: "nightowl_empty", help: "nothing set", labelNames: ["x"], registers: [registry] });
  const h = new Histogram({ name: "nightowl_d_seconds", help: "timing", labelNames: ["endpoint"], buckets: [0.1, 1], registers: [registry] });
  h.observe({ endpoint: "a" }, 0.5);
  h.observe({ endpoint: 'b"' }, 3);
  new Summary({ name: "nightowl_e", help: "summary", percentiles: [0.5], registers: [registry] }).observe(2);
  new Gauge({ name: "nightowl_f_collected", help: "collect()", registers: [registry], collect() { this.set(42); } });
  return registry;
}

test("the sliced rendering is byte for byte prom-client's, and yields between slices", async () => {
  const registry = varied();
  let pauses = 0;
  const text = await renderExposition(registry, { pause: async () => void pauses++ });
  expect(text).toBe(await registry.metrics());
  expect(text).toContain("nightowl_f_collected 42\n");
  // 5,000 + 15 sample lines in slices of 2,000.
  expect(pauses).toBe(2);
});

test("the page is kept only as gzip, rendered slice by slice: it decodes to prom-client's text, and a scraper without gzip gets that text", async () => {
  const registry = varied();
  // Beyond Latin-1, so a wrong decoding of the kept bytes would show.
  new Gauge({ name: "nightowl_j", help: "names", labelNames: ["device_name"], registers: [registry] }).set({ device_name: "Brunnen Süd 🌊" }, 1);
  const expected = await registry.metrics();
  let pauses = 0;
  expect(gunzipSync(await renderGzipped(registry, { pause: async () => void pauses++ })).toString("utf8")).toBe(expected);
  expect(pauses).toBe(2);
  const exposition = createPrerenderedExposition(registry, silentLogger);
  const page = await exposition.page("gzip");
  expect(gunzipSync(await (page as Blob).bytes()).toString("utf8")).toBe(expected);
  // One Blob for every scrape until the next rendering: Bun sends it without a copy per response.
  expect(page).toBeInstanceOf(Blob);
  expect(await exposition.page("gzip")).toBe(page);
  expect(await exposition.page("identity")).toBe(expected);
});

test("excluded families are left out whole", async () => {
  const registry = varied();
  const text = await renderExposition(registry, { exclude: (name) => name === "nightowl_a_value" || name === "nightowl_d_seconds" });
  expect(text).not.toContain("nightowl_a_value");
  expect(text).not.toContain("nightowl_d_seconds");
  expect(text).toContain("# TYPE nightowl_b_total counter\nnightowl_b_total{status=\"ok\"} 3\n");
});

test("refresh folds calls made during a rendering into one more, and the page follows the registry", async () => {
  const registry = createRegistry();
  let collects = 0;
  const gauge = new Gauge({ name: "nightowl_g", help: "g", registers: [registry], collect() { collects++; } });
  const exposition = createPrerenderedExposition(registry, silentLogger);
  gauge.set(1);
  expect(await exposition.page("identity")).toContain("nightowl_g 1\n");
  gauge.set(2);
  expect(await exposition.page("identity")).toContain("nightowl_g 1\n");
  collects = 0;
  const calls = [exposition.refresh(), exposition.refresh(), exposition.refresh(), exposition.refresh()];
  await Promise.all(calls);
  expect(collects).toBe(2);
  expect(await exposition.page("identity")).toContain("nightowl_g 2\n");
});

test("a failed rendering is logged and the previous page is kept", async () => {
  const registry = createRegistry();
  let fail = false;
  new Gauge({ name: "nightowl_h", help: "h", registers: [registry], collect() { if (fail) throw new Error("collector broke"); this.set(7); } });
  const errors: string[] = [];
  const log = { ...silentLogger, error: (m: string) => void errors.push(m) } as Logger;
  const exposition = createPrerenderedExposition(registry, log);
  await exposition.refresh();
  fail = true;
  await exposition.refresh();
  expect(errors).toEqual(["rendering metrics failed: collector broke; scrapes get the previous page"]);
  expect(await exposition.page("identity")).toContain("nightowl_h 7\n");
});

test("with no rendering yet and a broken registry, the page says so instead of hanging", async () => {
  const registry = createRegistry();
  new Gauge({ name: "nightowl_i", help: "i", registers: [registry], collect() { throw new Error("never"); } });
  await expect(createPrerenderedExposition(registry, silentLogger).page("gzip")).rejects.toThrow("no rendering of the metrics succeeded yet");
});

test("the page's slices end on every boundary as the whole text does: families, empty ones, exactly full slices", async () => {
  for (const samples of [0, 1, 1999, 2000, 2001, 4000]) {
    const registry = createRegistry();
    const g = new Gauge({ name: "nightowl_s", help: "s", labelNames: ["i"], registers: [registry] });
    for (let i = 0; i < samples; i++) g.set(Object.freeze({ i: String(i) }), i);
    new Gauge({ name: "nightowl_t", help: "t", labelNames: ["i"], registers: [registry] });
    expect(await renderExposition(registry, { pause: async () => {} })).toBe(await registry.metrics());
    expect(gunzipSync(await renderGzipped(registry, { pause: async () => {} })).toString("utf8")).toBe(await registry.metrics());
  }
  expect(await renderExposition(createRegistry(), { pause: async () => {} })).toBe(await createRegistry().metrics());
});
