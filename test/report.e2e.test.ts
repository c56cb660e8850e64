/**
 * `nightowl report` end to end: a simulated fortnight with a leak in its last week is written as
 * a history CSV, the CLI turns it into HTML and JSON, and headless Chromium opens the HTML: the
 * screenshot must not be blank and must show the charts' colours, and the DOM Chromium built
 * must hold every chart with its expected number of series.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeHistoryCsv } from "../src/nightowl/history-csv.ts";
import { simulateHistory } from "../src/sim/history.ts";
import { deviceSpec } from "../src/sim/site.ts";
import { chromium, decodePng, renderPage, type Png } from "./chromium.ts";

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);
const LEAK_AT = START + 10 * DAY + 5 * 3_600_000;
const SEED = 7;
if (!chromium) console.warn("skip: chromium not installed (Debian package chromium); the report's screenshot test needs it");

let dir = "";
let html = "";
let htmlPath = "";
let json: { devices: Array<Record<string, any>> };

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([process.execPath, "src/cli.ts", ...args], { cwd: join(import.meta.dir, ".."), stdout: "pipe", stderr: "pipe", env: { ...process.env, NIGHTOWL_LOG_LEVEL: "warn" } });
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { code: await proc.exited, stdout, stderr };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "nightowl-report-"));
  // Device 0 has a 1-gallon meter and one pump; device 2 has no meter, a storage tank and two pumps.
  const frames = [0, 2].map((device) => simulateHistory({
    seed: SEED, device, startMs: START, endMs: START + 14 * DAY,
    scenarios: [{ deviceId: deviceSpec(SEED, 0, device).id, kind: "leak", startMs: LEAK_AT }],
  }));
  const csv = join(dir, "history.csv");
  await writeHistoryCsv(csv, frames);
  htmlPath = join(dir, "report.html");
  const made = await cli("report", "--from-file", csv, "--since", "7d", "--timezone", "Etc/GMT+7", "--output", htmlPath);
  expect(made.stderr).toBe("");
  expect(made.code).toBe(0);
  html = readFileSync(htmlPath, "utf8");
  const asJson = await cli("report", "--from-file", csv, "--since", "7d", "--timezone", "Etc/GMT+7", "--format", "json", "--output", "-");
  expect(asJson.code).toBe(0);
  json = JSON.parse(asJson.stdout);
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("the JSON carries the figures: a week of water, a leak's night-flow floor, both devices' pumps and the leak rules", () => {
  const [metered, tank] = json.devices;
  expect(metered!.water.daily.length).toBe(7);
  const floors = metered!.water.nights.map((n: { minGpm: number }) => n.minGpm);
  expect(Math.max(...floors)).toBeCloseTo(0.5, 1);
  expect(metered!.pumps.map((p: { pump: string }) => p.pump)).toEqual(["P1"]);
  expect(tank!.hasMeter).toBe(false);
  expect(tank!.pumps.map((p: { pump: string }) => p.pump)).toEqual(["P1", "P2"]);
  const rules = new Set(metered!.triggers.map((t: { rule: string }) => t.rule));
  for (const r of ["continuous_flow", "night_flow", "night_pump_starts"]) expect(rules).toContain(r);
  expect(metered!.summary[0]).toMatch(/^Possible leak: continuous flow for/);
  expect(new Set(tank!.triggers.map((t: { rule: string }) => t.rule))).toContain("night_pump_starts");
});

test("the HTML is self-contained: no scripts, no external references", () => {
  expect(html).not.toMatch(/<script|<link |src="http|href="http|url\(http/i);
  expect(html).toContain("<svg");
});

/** Each `<svg data-series="N">` of `dom` with the count of its `<g class="series">` children. */
function charts(dom: string): Array<{ title: string; declared: number; drawn: number; paths: string[] }> {
  const out: Array<{ title: string; declared: number; drawn: number; paths: string[] }> = [];
  for (const m of dom.matchAll(/<svg[^>]*aria-label="([^"]*)"[^>]*data-series="(\d+)"[^>]*>([\s\S]*?)<\/svg>/g)) {
    out.push({ title: m[1]!, declared: Number(m[2]), drawn: (m[3]!.match(/<g class="series"/g) ?? []).length, paths: [...m[3]!.matchAll(/<path d="([^"]*)"/g)].map((p) => p[1]!) });
  }
  return out;
}

test.skipIf(!chromium)("headless Chromium renders the report: a non-blank screenshot and every chart with its series", async () => {
  const png = join(dir, "report.png");
  const dom = await renderPage(`file://${htmlPath}`, { dir, png, width: 1200, height: 2000 });

  const image = decodePng(readFileSync(png));
  expect([image.width, image.height]).toEqual([1200, 2000]);
  const { nonWhite, chartBlue } = countPixels(image);
  expect(nonWhite / (image.width * image.height)).toBeGreaterThan(0.05);
  expect(chartBlue).toBeGreaterThan(2000); // the daily-use and pump bars (#1f77b4)

  // Each device is headed by its name and customer; the timeline's day ticks sit at local
  // midnights (the report's zone here is UTC−7), one per day of the reported week.
  expect([...dom.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1])).toEqual(json.devices.map((d) => `${d.deviceName} — ${d.customer}`));
  const ticks = [...dom.matchAll(/<g class="tick" data-ms="(\d+)">/g)].map((m) => Number(m[1]));
  expect(ticks.length).toBeGreaterThanOrEqual(2 * 7);
  for (const t of ticks) expect(t % DAY).toBe(7 * 3_600_000); // 00:00 at UTC−7 is 07:00 UTC

  const all = charts(dom);
  const metered = all.slice(0, 7);
  expect(metered.map((c) => [c.title, c.declared])).toEqual([
    ["Daily water use", 2],
    ["Night flow (02:00–04:00)", 2],
    ["Pump starts per day", 1],
    ["Pump run time per day", 1],
    ["Phase unbalance (NEMA MG-1), daily mean", 2],
    ["Pump energy per day", 1],
    ["Anomaly timeline: rules that fired", metered[6]!.declared],
  ]);
  expect(metered[6]!.declared).toBeGreaterThanOrEqual(3);
  const tank = all.slice(7);
  expect(tank.map((c) => c.declared)).toEqual([2, 2, 4, 2, tank[4]!.declared]); // starts, run time, unbalance, energy for P1 and P2
  for (const c of all) expect(c.drawn).toBe(c.declared);
  for (const c of all) for (const d of c.paths) expect(d).not.toBe("M0,0");
}, 60_000);

function countPixels(image: Png): { nonWhite: number; chartBlue: number } {
  let nonWhite = 0, chartBlue = 0;
  for (let i = 0; i < image.pixels.length; i += image.channels) {
    const r = image.pixels[i]!, g = image.pixels[i + 1]!, b = image.pixels[i + 2]!;
    if (r < 245 || g < 245 || b < 245) nonWhite++;
    if (Math.abs(r - 0x1f) < 12 && Math.abs(g - 0x77) < 12 && Math.abs(b - 0xb4) < 12) chartBlue++;
  }
  return { nonWhite, chartBlue };
}

test("usage mistakes exit 2 with one line naming the flag", async () => {
  const badFormat = await cli("report", "--from-file", join(dir, "history.csv"), "--format", "xml");
  expect(badFormat.code).toBe(2);
  expect(badFormat.stderr).toBe('nightowl: --format "xml" is not allowed: expected html or json\n');
  const backwards = await cli("report", "--from-file", join(dir, "history.csv"), "--since", "2026-02-01", "--until", "2026-01-01");
  expect(backwards.code).toBe(2);
  expect(backwards.stderr).toMatch(/^nightowl: --since 2026-02-01 is not before --until/);
  const before = await cli("report", "--from-file", join(dir, "history.csv"), "--until", "2020-01-01");
  expect(before.code).toBe(2);
  expect(before.stderr).toMatch(/^nightowl: --until "2020-01-01" holds no reading of the history: its readings run from \d{4}-\d\d-\d\d \d\d:\d\d \S+ to \d{4}-\d\d-\d\d \d\d:\d\d \S+; expected a range that overlaps them\n$/);
  const badTime = await cli("report", "--from-file", join(dir, "history.csv"), "--since", "last tuesday");
  expect(badTime.code).toBe(2);
  expect(badTime.stderr).toContain("--since \"last tuesday\" is not allowed");
}, 60_000);

test("without --output the report's file is named for its format", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "nightowl-report-default-"));
  try {
    const proc = Bun.spawn([process.execPath, join(import.meta.dir, "..", "src", "cli.ts"), "report", "--from-file", join(dir, "history.csv"), "--since", "1d", "--format", "json"], { cwd, stdout: "ignore", stderr: "ignore" });
    expect(await proc.exited).toBe(0);
    expect(readdirSync(cwd)).toEqual(["nightowl-report.json"]);
    expect(JSON.parse(readFileSync(join(cwd, "nightowl-report.json"), "utf8")).devices).toHaveLength(2);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}, 60_000);

test("--events: the device's events in the range are in the JSON with the flag's file; a broken file is one line", async () => {
  const device = deviceSpec(SEED, 0, 0).id;
  const events = join(dir, "events.json");
  await Bun.write(events, JSON.stringify({ version: 1, events: [
    { id: "pool", device_id: device, kind: "expected", start: LEAK_AT, end: LEAK_AT + 8 * 3_600_000, note: "pool fill" },
    { id: "old", device_id: device, kind: "away", start: START, end: START + DAY },
  ] }));
  const r = await cli("report", "--from-file", join(dir, "history.csv"), "--since", "7d", "--timezone", "Etc/GMT+7", "--format", "json", "--output", "-", "--events", events);
  expect(r.stderr).toBe("");
  const out = JSON.parse(r.stdout) as { devices: Array<{ deviceId: string; events?: Array<{ id: string }>; summary: string[] }> };
  const d0 = out.devices.find((d) => d.deviceId === device)!;
  expect(d0.events!.map((e) => e.id)).toEqual(["pool"]);
  expect(d0.summary.join(" ")).toContain("The owner marked 1 event(s) in this period (expected)");
  expect(out.devices.find((d) => d.deviceId !== device)!.events).toEqual([]);
  await Bun.write(events, "{");
  const bad = await cli("report", "--from-file", join(dir, "history.csv"), "--format", "json", "--output", "-", "--events", events);
  expect(bad.code).not.toBe(0);
  expect(bad.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(bad.stderr).toContain("is not JSON");
}, 60_000);

test("--events with overlapping events names their times on the report's clock, as events add does", async () => {
  const device = deviceSpec(SEED, 0, 0).id;
  const events = join(dir, "overlapping-events.json");
  await Bun.write(events, JSON.stringify({ version: 1, events: [
    { id: "a", device_id: device, kind: "away", start: LEAK_AT, end: LEAK_AT + 8 * 3_600_000 },
    { id: "b", device_id: device, kind: "expected", start: LEAK_AT + 3_600_000, end: LEAK_AT + 2 * 3_600_000 },
  ] }));
  const r = await cli("report", "--from-file", join(dir, "history.csv"), "--timezone", "Etc/GMT+7", "--format", "json", "--output", "-", "--events", events);
  expect(r.code).not.toBe(0);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.stderr).toContain("overlaps event a");
  expect(r.stderr).toContain("UTC−7");
  expect(r.stderr).not.toMatch(/\d{4}-\d\d-\d\dT/);
}, 60_000);
