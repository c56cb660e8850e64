import { expect, test } from "bun:test";
import { prefersHtml, statusRoutes } from "./routes.ts";
import type { DeviceStatus, StatusSource } from "./source.ts";

test.each([
  ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", true], // Firefox, Chrome
  ["text/html", true],
  ["application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", false], // Prometheus
  ["text/plain;version=0.0.4;q=1,*/*;q=0.1", false], // older Prometheus
  ["text/plain", false],
  ["*/*", false], // curl
  ["text/plain, text/html", true], // equal quality: the page
  ["text/html;q=0.5, text/plain", false],
  ["text/html;q=0", false],
  ["", false],
])("prefersHtml(%p) is %p", (accept, expected) => {
  expect(prefersHtml(accept)).toBe(expected);
  if (accept === "") expect(prefersHtml(null)).toBe(false);
});

const device: DeviceStatus = {
  id: "dev-1", name: "Well <1>", customer: "Dan Gorman", userLabel: "dgorman", level: "leak", alarms: new Set(["leak"]), leakProbability: 91, readingAt: Date.UTC(2026, 0, 5, 3, 0),
  reasons: [{ rule: "night_flow", sentence: "2026-01-05: flow never fell below 0.50 gal/min between 02:00 and 04:00", sinceMs: Date.UTC(2026, 0, 5, 2, 0) }],
  pressurePsi: 52.4, tankPercent: Number.NaN, pumps: [{ pump: "P1", running: 1 }], todayGallons: 120, lastNightMinGpm: 0.5,
  series: { pressure: [{ t: 1, v: 50 }, { t: 2, v: 52 }], flow: [{ t: 1, v: 0.5 }, { t: 2, v: Number.NaN }], leakProbability: [] },
  fromMs: 0, toMs: 2,
};
const source: StatusSource = { verdicts: () => [device], reasons: () => device.reasons, statuses: () => [device], lastPollAt: () => Date.UTC(2026, 0, 5, 3, 1), deviceIds: () => [device.id], deviceVerdict: () => device, deviceStatus: (id: string) => (id === device.id ? device : undefined) };
const routes = statusRoutes({ source, timeZone: "UTC", refreshSeconds: 60 });
const get = (path: string, accept = "text/html") => new Request(`http://x${path}`, { headers: { accept } });

test("claims / for browsers only, and /device/<id> for anyone", () => {
  expect(routes.claims(get("/"))).toBe(true);
  expect(routes.claims(get("/", "*/*"))).toBe(false);
  expect(routes.claims(get("/metrics"))).toBe(false);
  expect(routes.claims(get("/device/dev-1", "*/*"))).toBe(true);
});

test("the overview escapes names and shows the verdict, reason, figures and a sparkline; the detail view 404s an unknown device", async () => {
  const html = await routes.render(get("/")).text();
  expect(html).toContain("Well &lt;1&gt;");
  expect(html).not.toContain("Well <1>");
  expect(html).toContain('<span class="verdict leak" data-verdict="leak" id="verdict-dev-1">possible leak</span>');
  expect(html).toContain("<strong>Night flow</strong>: 2026-01-05: flow never fell below 0.50 gal/min");
  expect(html).toContain("(since 2026-01-05 02:00)");
  expect(html).toContain("<dt>Pressure</dt><dd>52.4 psi</dd><dt>Tank level</dt><dd>—</dd><dt>Pump</dt><dd>P1 running</dd>");
  expect(html).toContain('aria-label="Flow, last 24 h"');
  expect(html).toContain("1 possible leak");
  expect(html).toContain('<meta http-equiv="refresh" content="60">');
  const detail = await routes.render(get("/device/dev-1")).text();
  expect(detail).toContain("Last 48 h");
  expect(routes.render(get("/device/nope")).status).toBe(404);
});
