/**
 * Notifications through Prometheus: real Prometheus loads the shipped alert rules and scrapes
 * `run --demo`; real Alertmanager runs the shipped deploy/alertmanager/alertmanager.yml with its
 * webhook URLs pointed at a loopback receiver. A leak injected into the simulator must fire
 * NightowlLeakSuspected for that device, and Alertmanager must post it to the leak route's webhook.
 *
 * Only the timing is shortened in the copies the test runs: scrape and evaluation every second,
 * the rules' `for:` and the routes' `group_wait:` in seconds.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { emptyDir, startCli, type LongRunning } from "./cli-process.ts";
import { freePort, untilOk } from "./loopback.ts";
import { BROWSER_ACCEPT, simState, verdicts } from "./status-helpers.ts";

const ROOT = join(import.meta.dir, "..");
const RULES = join(ROOT, "deploy", "prometheus", "nightowl-rules.yml");
const ALERTMANAGER_CONFIG = join(ROOT, "deploy", "alertmanager", "alertmanager.yml");
const MODEL = join(ROOT, "models", "global", "leak_detector.json");

const prometheusBin = Bun.which("prometheus");
const alertmanagerBin = Bun.which("prometheus-alertmanager") ?? Bun.which("alertmanager");
const amtool = Bun.which("amtool");
const HAS_BOTH = prometheusBin !== null && alertmanagerBin !== null;
if (!HAS_BOTH) console.warn("skip: prometheus or prometheus-alertmanager not installed (Debian packages prometheus, prometheus-alertmanager); the Alertmanager end-to-end test is skipped");
if (!amtool) console.warn("skip: amtool not installed (Debian package prometheus-alertmanager); the Alertmanager config is not checked");

interface AlertmanagerPost {
  path: string;
  body: { status: string; receiver: string; groupLabels: Record<string, string>; alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[] };
}

const posts: AlertmanagerPost[] = [];
const children: Subprocess[] = [];
let receiver: ReturnType<typeof Bun.serve> | undefined;
let run: LongRunning | undefined;
let dir = "";
let root = "";
let simUrl = "";
let promUrl = "";
let amUrl = "";

beforeAll(async () => {
  if (!HAS_BOTH) return;
  dir = emptyDir("alertmanager");
  receiver = Bun.serve({ hostname: "127.0.0.1", port: 0, async fetch(req) {
    posts.push({ path: new URL(req.url).pathname, body: (await req.json()) as AlertmanagerPost["body"] });
    return new Response("ok");
  } });
  const [amPort, promPort, metricsPort] = [await freePort(), await freePort(), await freePort()];

  // The shipped routes and receivers, with loopback webhooks, no mail server and short waits.
  const amConfig = readFileSync(ALERTMANAGER_CONFIG, "utf8")
    .replace(/url: "http:\/\/homeassistant\.local:8123\/api\/webhook\/([a-z-]+)"/g, `url: "http://127.0.0.1:${receiver.port}/$1"`)
    .replace(/smtp_smarthost: "[^"]+"/, 'smtp_smarthost: "127.0.0.1:1"')
    .replace(/group_wait: \d+s/g, "group_wait: 1s");
  expect(amConfig).toContain(`http://127.0.0.1:${receiver.port}/nightowl-leak`);
  writeFileSync(join(dir, "alertmanager.yml"), amConfig);
  children.push(Bun.spawn([alertmanagerBin!, `--config.file=${join(dir, "alertmanager.yml")}`, `--storage.path=${join(dir, "am")}`, `--web.listen-address=127.0.0.1:${amPort}`, "--cluster.listen-address="], { cwd: dir, stdout: "ignore", stderr: "ignore" }));

  run = startCli(["run", "--demo", "--demo-speed", "1800", "--poll-interval", "180", "--metrics-port", String(metricsPort), "--model-path", MODEL]);
  root = (await run.waitFor(/Serving metrics on (http:\/\/\S+)\/metrics/))[1]! + "/";
  simUrl = (await run.waitFor(/Demo: simulator with \d+ devices at (http:\/\/\S+)/))[1]!;

  writeFileSync(join(dir, "nightowl-rules.yml"), readFileSync(RULES, "utf8").replace(/for: \d+m/g, "for: 3s"));
  writeFileSync(join(dir, "prometheus.yml"), [
    "global:",
    "  scrape_interval: 1s",
    "  evaluation_interval: 1s",
    "rule_files: [nightowl-rules.yml]",
    "alerting:",
    "  alertmanagers:",
    `    - static_configs: [{ targets: ["127.0.0.1:${amPort}"] }]`,
    "scrape_configs:",
    "  - job_name: nightowl",
    `    static_configs: [{ targets: ["127.0.0.1:${metricsPort}"] }]`,
    "",
  ].join("\n"));
  promUrl = `http://127.0.0.1:${promPort}`;
  children.push(Bun.spawn([prometheusBin!, `--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "tsdb")}`, `--web.listen-address=127.0.0.1:${promPort}`], { cwd: dir, stdout: "ignore", stderr: "ignore" }));
  amUrl = `http://127.0.0.1:${amPort}`;
  await untilOk(`${amUrl}/-/ready`, 20_000);
  await untilOk(`${promUrl}/-/ready`, 20_000);
}, 90_000);

afterAll(async () => {
  run?.kill();
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  await Promise.all(children.map((c) => c.exited));
  receiver?.stop(true);
});

test.skipIf(!amtool)("amtool accepts the shipped Alertmanager config", () => {
  const r = Bun.spawnSync([amtool!, "check-config", ALERTMANAGER_CONFIG], { stdout: "pipe", stderr: "pipe" });
  expect(r.stdout.toString() + r.stderr.toString()).toContain("SUCCESS");
  expect(r.exitCode).toBe(0);
});

test.skipIf(!HAS_BOTH)("an injected leak fires a leak alert, and Alertmanager posts it to the leak route's webhook, grouped by device", async () => {
  // A metered device without an alarm of its own yet.
  let target: { id: string; name: string } | undefined;
  const deadline = Date.now() + 30_000;
  while (!target && Date.now() < deadline) {
    const shown = verdicts(await (await fetch(root, { headers: { accept: BROWSER_ACCEPT } })).text());
    target = (await simState(simUrl)).devices.slice(0, 2).find((d) => shown.get(d.id) === "fine" || shown.get(d.id) === "watch");
    if (!target) await Bun.sleep(500);
  }
  expect(target).toBeDefined();
  const { now } = await simState(simUrl);
  const injected = await fetch(`${simUrl}/__sim/scenarios`, { method: "POST", body: JSON.stringify({ deviceId: target!.id, kind: "leak", startMs: now, size: 1 }) });
  expect(injected.status).toBe(200);

  // NightowlLeakRuleFired or, when the model saw it before a rule did, NightowlLeakSuspected.
  const isLeak = (name: string | undefined) => name === "NightowlLeakSuspected" || name === "NightowlLeakRuleFired";
  const leakPost = () => posts.find((p) => p.path === "/nightowl-leak" && p.body.alerts.some((a) => isLeak(a.labels.alertname) && a.labels.device_name === target!.name && a.status === "firing"));
  const until = Date.now() + 90_000;
  while (!leakPost() && Date.now() < until) await Bun.sleep(500);
  const post = leakPost();
  if (!post) {
    const alerts = await (await fetch(`${promUrl}/api/v1/alerts`)).text();
    throw new Error(`no leak alert reached the webhook within 90 s; Prometheus alerts: ${alerts.slice(0, 2000)}; posts: ${JSON.stringify(posts).slice(0, 2000)}`);
  }
  expect(post.body.receiver).toBe("owner");
  const alert = post.body.alerts.find((a) => a.labels.device_name === target!.name)!;
  expect(post.body.groupLabels).toEqual({ alertname: alert.labels.alertname!, user_label: expect.any(String), device_name: target!.name });
  expect(alert.labels.severity).toBe("critical");
  expect(alert.annotations.summary).toStartWith(`Possible leak at ${target!.name} (${alert.labels.user_label})`);
  // Leak alerts go to the owner's route only, never to the operator's or the pump route.
  expect(posts.filter((p) => p.path !== "/nightowl-leak" && p.body.alerts.some((a) => isLeak(a.labels.alertname)))).toEqual([]);
}, 150_000);

test.skipIf(!HAS_BOTH)("one leak, one message: while a rule's leak alert fires for a well, the model's alert for that well is held back, not another well's", async () => {
  const alert = (alertname: string, device: string) => ({
    labels: { alertname, severity: "critical", user_label: "inhibit-test", device_id: device, device_name: `well-${device}` },
    annotations: { summary: `${alertname} at well-${device}` },
    startsAt: new Date().toISOString(),
  });
  const sent = await fetch(`${amUrl}/api/v2/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify([alert("NightowlLeakRuleFired", "a"), alert("NightowlLeakSuspected", "a"), alert("NightowlLeakSuspected", "b")]),
  });
  expect(sent.status).toBe(200);
  const mine = () => new Set(posts.flatMap((p) => p.body.alerts).filter((a) => a.labels.user_label === "inhibit-test").map((a) => `${a.labels.alertname} ${a.labels.device_id}`));
  const deadline = Date.now() + 30_000;
  while (mine().size < 2 && Date.now() < deadline) await Bun.sleep(250);
  // Time for the held-back alert to arrive, were it going to (group_wait is 1 s here).
  await Bun.sleep(3_000);
  expect([...mine()].sort()).toEqual(["NightowlLeakRuleFired a", "NightowlLeakSuspected b"]);
}, 60_000);
