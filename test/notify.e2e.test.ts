/**
 * Notifications end to end: `run --demo` on a fast simulated clock posts to loopback receivers.
 * A leak injected into the simulator for three simulated hours yields exactly one "started" and,
 * once it is over (the rules hold a day), one "ended" message per target, in the ntfy and the
 * JSON form. A receiver that hangs or is down holds no poll, and its failures are counted.
 */
import { afterEach, expect, test } from "bun:test";
import { parseExposition, startCli, type LongRunning } from "./cli-process.ts";
import { freePort } from "./loopback.ts";
import { BROWSER_ACCEPT, simState, untilVerdict, verdicts } from "./status-helpers.ts";

const running: LongRunning[] = [];
const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const r of running.splice(0)) r.kill();
  for (const s of servers.splice(0)) s.stop(true);
});

const HTML = { accept: BROWSER_ACCEPT };
const HOUR = 3_600_000;

/** `run --demo` half an hour of simulated time a second, a poll every 3 simulated minutes (readings 5 minutes or more apart count as gaps, which break a continuous-flow run). */
async function startRun(notifyUrls: string[]): Promise<{ run: LongRunning; root: string; simUrl: string }> {
  const run = startCli(["run", "--demo", "--demo-speed", "1800", "--poll-interval", "180", "--metrics-port", "0", "--public-url", "http://status.example:8010", ...notifyUrls.flatMap((u) => ["--notify-url", u])]);
  running.push(run);
  const root = (await run.waitFor(/Serving metrics on (http:\/\/\S+)\/metrics/))[1]! + "/";
  const simUrl = (await run.waitFor(/Demo: simulator with \d+ devices at (http:\/\/\S+)/))[1]!;
  const deadline = Date.now() + 20_000;
  while (verdicts(await (await fetch(root, { headers: HTML })).text()).size < 3) {
    if (Date.now() > deadline) throw new Error(`no 3 cards within 20 s; log:\n${run.stderr().slice(-2000)}`);
    await Bun.sleep(100);
  }
  return { run, root, simUrl };
}

/** Injects a leak into a metered device that is not alarming; returns its id. */
async function injectLeak(root: string, simUrl: string, hours?: number): Promise<string> {
  const { now, devices } = await simState(simUrl);
  const shown = verdicts(await (await fetch(root, { headers: HTML })).text());
  const target = devices.slice(0, 2).find((d) => shown.get(d.id) === "fine" || shown.get(d.id) === "watch");
  if (!target) throw new Error(`no metered device without an alarm to inject into: ${[...shown.values()].join(", ")}`);
  const spec = { deviceId: target.id, kind: "leak", startMs: now, size: 1, ...(hours ? { endMs: now + hours * HOUR } : {}) };
  const r = await fetch(`${simUrl}/__sim/scenarios`, { method: "POST", body: JSON.stringify(spec) });
  if (r.status !== 200) throw new Error(`inject failed: ${await r.text()}`);
  return target.id;
}

async function metric(root: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const samples = parseExposition(await (await fetch(root + "metrics")).text());
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value ?? Number.NaN;
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms; log:\n${log().slice(-3000)}`);
    await Bun.sleep(200);
  }
}

test("a leak of three hours: one started, then one ended message per target, in ntfy's and the JSON form; no token in the log", async () => {
  const received: { path: string; headers: Headers; body: string }[] = [];
  const port = await freePort();
  servers.push(Bun.serve({ hostname: "127.0.0.1", port, async fetch(req) {
    received.push({ path: new URL(req.url).pathname, headers: req.headers, body: await req.text() });
    return new Response("ok");
  } }));
  const { run, root, simUrl } = await startRun([`json+http://127.0.0.1:${port}/hook/s3cret-t0ken`, `ntfy+http://127.0.0.1:${port}/ntfy/t0pic-name`]);
  const device = await injectLeak(root, simUrl, 3);
  const json = () => received.filter((r) => r.path.startsWith("/hook/")).map((r) => JSON.parse(r.body)).filter((m) => m.device.id === device);
  const ntfy = () => received.filter((r) => r.path.startsWith("/ntfy/") && r.body.includes("/device/" + device));

  await until("the started message", () => json().length >= 1, 60_000, run.stderr);
  await untilVerdict(root, device, "leak", 5_000, HTML);
  // The leak stops after 3 simulated hours; its rules are held a day: about a minute here.
  await until("the ended message", () => json().length >= 2 && ntfy().length >= 2, 120_000, run.stderr);
  await Bun.sleep(2_000); // ~20 more polls: nothing more may come

  const messages = json();
  expect(messages.map((m) => `${m.event} ${m.alarm}`)).toEqual(["started leak", "ended leak"]);
  expect(messages[0].text).toMatch(/^Possible leak at \S+\n/);
  // Which flow rule proves it first depends on the polls' pace: on a loaded machine polls fall
  // 5 simulated minutes apart, a gap that breaks a continuous-flow run, and sustained flow speaks.
  expect(messages[0].sentence).toMatch(/^(Continuous flow|Sustained flow|Burst|Night flow): .*gal\/min/);
  expect(messages[0].url).toBe(`http://status.example:8010/device/${device}`);
  expect(messages[1].title).toMatch(/^Over: possible leak at /);
  const texts = ntfy();
  expect(texts).toHaveLength(2);
  expect(texts.map((t) => [t.headers.get("title")?.split(" at ")[0], t.headers.get("priority"), t.headers.get("click")])).toEqual([
    ["Possible leak", "high", `http://status.example:8010/device/${device}`],
    ["Over: possible leak", "default", `http://status.example:8010/device/${device}`],
  ]);
  expect(await metric(root, "nightowl_notifications_total", { outcome: "sent" })).toBeGreaterThanOrEqual(4);
  expect(run.stderr()).toContain(`notification sent to http://127.0.0.1:${port}/…`);
  for (const secret of ["s3cret-t0ken", "t0pic-name"]) expect(run.stderr()).not.toContain(secret);
}, 200_000);

test("a receiver that hangs, then goes down, holds no poll: polls go on while it holds the message, and every failed attempt is counted", async () => {
  let held = 0;
  const port = await freePort();
  const hanging = Bun.serve({ hostname: "127.0.0.1", port, fetch: () => {
    held++;
    return new Promise<Response>(() => {});
  } });
  servers.push(hanging);
  const { run, root, simUrl } = await startRun([`http://127.0.0.1:${port}/hook/h4ng-t0ken`]);
  await injectLeak(root, simUrl);
  await until("the first delivery attempt", () => held >= 1, 60_000, run.stderr);
  const pollsAtHold = await metric(root, "nightowl_poll_attempts_total", { status: "success" });
  await until("ten more polls while the receiver holds the message", async () => (await metric(root, "nightowl_poll_attempts_total", { status: "success" })) >= pollsAtHold + 10, 30_000, run.stderr);
  expect(held).toBe(1);
  expect(await metric(root, "nightowl_notification_attempt_failures_total")).toBe(0);

  // Down: the held connection is cut and the port closes; the attempt and its first retry fail.
  hanging.stop(true);
  await until("two failed attempts", async () => (await metric(root, "nightowl_notification_attempt_failures_total")) >= 2, 30_000, run.stderr);
  const pollsAtFailure = await metric(root, "nightowl_poll_attempts_total", { status: "success" });
  await until("ten more polls with the receiver down", async () => (await metric(root, "nightowl_poll_attempts_total", { status: "success" })) >= pollsAtFailure + 10, 30_000, run.stderr);
  expect(await metric(root, "nightowl_notifications_total", { outcome: "sent" })).toBe(0);
  expect(run.stderr()).not.toContain("h4ng-t0ken");
}, 120_000);
