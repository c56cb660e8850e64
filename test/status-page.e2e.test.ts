/**
 * The status page end to end: `run --demo` on a fast simulated clock, headless Chromium loads
 * `/`, sees every demo device, and after a leak is injected into the simulator the leaking
 * device's card turns to "possible leak" — in the DOM Chromium built and in its screenshot.
 * Prometheus's and curl's Accept headers still get the exposition at `/`.
 *
 * The screenshot in the docs is this test's: UPDATE_SCREENSHOTS=1 copies it to docs/img/.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { emptyDir, parseExposition, startCli, type LongRunning } from "./cli-process.ts";
import { chromium, countColour, readPng, renderPage } from "./chromium.ts";
import { BROWSER_ACCEPT, PROMETHEUS_ACCEPT, simState, untilVerdict, verdicts } from "./status-helpers.ts";

if (!chromium) console.warn("skip: chromium not installed (Debian package chromium); the status page's browser test needs it");

/** The leak badge's and card border's colour (--leak in src/status/html.ts). */
const LEAK_RED = "#c62828";

let run: LongRunning;
let root = "";
let simUrl = "";
let dir = "";

beforeAll(async () => {
  dir = emptyDir("status-page");
  // A poll every 3 simulated minutes (5 or more would be gaps to the flow rules), 30 simulated minutes a real second: a 2-hour leak shows in seconds.
  run = startCli(["run", "--demo", "--demo-speed", "1800", "--poll-interval", "180", "--metrics-port", "0"]);
  root = (await run.waitFor(/Serving metrics on (http:\/\/\S+)\/metrics/))[1]! + "/";
  simUrl = (await run.waitFor(/Demo: simulator with \d+ devices at (http:\/\/\S+)/))[1]!;
  await run.waitFor(/Polled 3 device\(s\)/);
  // The log line comes before the status page's observer has run: wait for the cards.
  const deadline = Date.now() + 20_000;
  while (verdicts(await (await fetch(root, { headers: { accept: BROWSER_ACCEPT } })).text()).size < 3) {
    if (Date.now() > deadline) throw new Error("the status page showed no 3 cards within 20 s");
    await Bun.sleep(100);
  }
}, 60_000);

afterAll(() => run?.kill());

test("Prometheus's, curl's and text/plain Accept headers get the exposition at /; a browser's gets the page", async () => {
  for (const accept of [PROMETHEUS_ACCEPT, "text/plain", "*/*", ""]) {
    const r = await fetch(root, { headers: accept ? { accept } : {} });
    expect(r.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
    expect(parseExposition(await r.text()).filter((s) => s.name === "nightowl_device_info")).toHaveLength(3);
  }
  const metrics = await fetch(root + "metrics", { headers: { accept: BROWSER_ACCEPT } });
  expect(metrics.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
  const page = await fetch(root, { headers: { accept: BROWSER_ACCEPT } });
  expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
  const html = await page.text();
  expect(verdicts(html).size).toBe(3);
  expect(html).not.toMatch(/<script|<link |src="http|href="http|url\(http/i);
  expect(html).toContain('<meta http-equiv="refresh"');
});

test.skipIf(!chromium)("Chromium shows every demo device, and the leaking one turns to possible leak after a leak is injected", async () => {
  const { now, devices } = await simState(simUrl);
  expect(devices).toHaveLength(3);
  const before = join(dir, "before.png");
  const domBefore = await renderPage(root, { dir, png: before, width: 1200, height: 820 });
  const shown = verdicts(domBefore);
  expect([...shown.keys()].sort()).toEqual(devices.map((d) => d.id).sort());
  for (const d of devices) expect(domBefore).toContain(`>${d.name}</a>`);
  // The metered device the leak goes into must not be alarming already.
  const target = devices.find((d, i) => i !== 2 && shown.get(d.id) !== "leak" && shown.get(d.id) !== "pump");
  expect(target).toBeDefined();

  const injected = await fetch(`${simUrl}/__sim/scenarios`, { method: "POST", body: JSON.stringify({ deviceId: target!.id, kind: "leak", startMs: now, size: 1 }) });
  expect(injected.status).toBe(200);
  await untilVerdict(root, target!.id, "leak", 60_000);

  const after = join(dir, "after.png");
  const dom = await renderPage(root, { dir, png: after, width: 1200, height: 820 });
  expect(verdicts(dom).get(target!.id)).toBe("leak");
  const card = dom.slice(dom.indexOf(`data-device="${target!.id}"`));
  expect(card).toMatch(/^[^]*?<span class="verdict leak"[^>]*>possible leak<\/span>/);
  // The reason names a leak rule with its sentence (which one first depends on the household's draws).
  expect(card).toMatch(/^[^]*?<ul class="reasons"><li data-rule="(continuous_flow|burst|night_flow|sustained_flow)"><strong>[A-Z][a-z ]+<\/strong>: [^<]*gal\/min/);
  // The verdict's red (badge and card edge) is on the screenshot, and was not before.
  const red = countColour(readPng(after), LEAK_RED);
  expect(red).toBeGreaterThan(1500);
  expect(countColour(readPng(before), LEAK_RED)).toBeLessThan(red / 2);
  if (process.env.UPDATE_SCREENSHOTS) {
    mkdirSync(join(import.meta.dir, "..", "docs", "img"), { recursive: true });
    copyFileSync(after, join(import.meta.dir, "..", "docs", "img", "status-page.png"));
  }

  const detail = await fetch(`${root}device/${encodeURIComponent(target!.id)}`, { headers: { accept: BROWSER_ACCEPT } });
  expect(detail.status).toBe(200);
  const detailHtml = await detail.text();
  expect(detailHtml).toContain("Last 48 h");
  expect(detailHtml).toContain('data-verdict="leak"');
}, 120_000);
