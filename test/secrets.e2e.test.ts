/**
 * No secret leaves the program: every subcommand runs as a real process with a known portal
 * password (right and wrong) against the simulator over loopback, at debug log level, and
 * everything it produced — stdout, stderr, the files it wrote, `/metrics` — is searched for
 * the password (as is, and base64 as in a basic-auth header) and for anything shaped like a
 * JWT (three base64url segments of more than 20 characters). The simulator's tokens differ per
 * login, so the shape stands for the access and refresh tokens the program held.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startSimulator, type Simulator } from "../src/sim/server.ts";
import { cleanEnv, emptyDir, startCli } from "./cli-process.ts";

const PASSWORD = "Sup3r-S3cret-Pa55!";
const WRONG = "Wr0ng-S3cret-Pa55?";
const USER = "owner@example.com";
const SCRAPE_PASSWORD = "Scr4pe-S3cret-Pa55";
const PROM_PASSWORD = "Pr0m-S3cret-Pa55";
const PROM_TOKEN = "pr0m-bearer-t0ken-0123456789";
const URL_PASSWORD = "Ur1-S3cret-Pa55";
const SECRETS = [PASSWORD, WRONG, SCRAPE_PASSWORD, PROM_PASSWORD, PROM_TOKEN, URL_PASSWORD];
/** A JWT: three base64url segments; `{"alg":"HS256"}` alone encodes to 20 characters. */
const JWT = /[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}/g;
const PROM_USER = "1953220";
const CLI = join(import.meta.dir, "..", "src", "cli.ts");

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, devices: 2, seed: 5, username: USER, password: PASSWORD, historyDays: 3 });
});
afterAll(async () => {
  await sim.stop();
});

/** Every way a secret could show up in `text`, named; empty when clean. */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (const secret of SECRETS) {
    if (text.includes(secret)) found.push(`secret ${secret}`);
    if (text.includes(Buffer.from(secret).toString("base64"))) found.push(`base64 of ${secret}`);
    for (const user of [USER, PROM_USER]) if (text.includes(Buffer.from(`${user}:${secret}`).toString("base64"))) found.push(`basic auth of ${secret}`);
  }
  for (const m of text.matchAll(JWT)) found.push(`JWT-shaped ${m[0].slice(0, 12)}…`);
  return found;
}

/** Every file under `dir`, recursively, with its text. */
function filesUnder(dir: string): { path: string; text: string }[] {
  if (!existsSync(dir)) return [];
  const out: { path: string; text: string }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push({ path, text: readFileSync(path, "utf8") });
  }
  return out;
}

/** Asserts that nothing the command produced holds a secret, and returns how much was searched. */
function expectClean(what: string, parts: { stdout: string; stderr: string; dir: string; extra?: string }): number {
  const sources = [
    { path: "stdout", text: parts.stdout },
    { path: "stderr", text: parts.stderr },
    { path: "extra", text: parts.extra ?? "" },
    ...filesUnder(parts.dir),
  ];
  const found = sources.flatMap((s) => leaks(s.text).map((l) => `${s.path}: ${l}`));
  expect({ what, found }).toEqual({ what, found: [] });
  return sources.length;
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  dir: string;
}

/** Runs the program to its end in a fresh working directory (where relative outputs land). */
async function nightowl(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  const dir = emptyDir("secrets");
  const proc = Bun.spawn([process.execPath, CLI, ...args.map((a) => a.replace("{dir}", dir))], { cwd: dir, env: cleanEnv(env), stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr, dir };
}

const portal = (password: string) => ({ NIGHTOWL_BASE_URL: sim.url, NIGHTOWL_USERNAME: USER, NIGHTOWL_PASSWORD: password, NIGHTOWL_LOG_LEVEL: "debug" });

test("the pattern catches the simulator's real tokens, which are JWTs", async () => {
  const response = await fetch(`${sim.url}/api/auth/login`, { method: "POST", body: JSON.stringify({ username: USER, password: PASSWORD }) });
  const pair = (await response.json()) as { token: string; refreshToken: string };
  expect(leaks(`a ${pair.token} b`)).toHaveLength(1);
  expect(leaks(pair.refreshToken)).toHaveLength(1);
  // What the log may show: the masked prefix.
  expect(leaks(`token prefix ${pair.token.slice(0, 8)}...`)).toEqual([]);
});

test("poll-once (report, --json, --textfile, --password-file, JSON log), right and wrong password: no secret anywhere", async () => {
  const runs: [string, Ran][] = [];
  runs.push(["report", await nightowl(["poll-once"], portal(PASSWORD))]);
  runs.push(["--json", await nightowl(["poll-once", "--json", "--log-format", "json"], portal(PASSWORD))]);
  runs.push(["--textfile", await nightowl(["poll-once", "--textfile", "{dir}/nightowl.prom"], portal(PASSWORD))]);
  const passwordFile = join(emptyDir("secret-file"), "password");
  writeFileSync(passwordFile, `${PASSWORD}\n`);
  const { NIGHTOWL_PASSWORD: _, ...noPassword } = portal(PASSWORD);
  runs.push(["--password-file", await nightowl(["poll-once", "--json", "--password-file", passwordFile], noPassword)]);
  runs.push(["--password flag", await nightowl(["poll-once", "--password", PASSWORD], noPassword)]);
  for (const [what, r] of runs) {
    expect([what, r.code]).toEqual([what, 0]);
    expectClean(`poll-once ${what}`, r);
  }
  expect(runs[0]![1].stderr).toContain("Authenticated successfully; token prefix eyJhbGci...");
  expect(readFileSync(join(runs[2]![1].dir, "nightowl.prom"), "utf8")).toContain("nightowl_last_poll_success");

  for (const args of [["poll-once"], ["poll-once", "--json", "--textfile", "{dir}/nightowl.prom"], ["poll-once", "--log-format", "json"]]) {
    const r = await nightowl(args, portal(WRONG));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("401");
    expectClean(`poll-once ${args.join(" ")} with a wrong password`, r);
    if (args.includes("json") && args.includes("--log-format")) {
      // A journal's log shipper reads every line as JSON, the failure's last line too.
      const lines = r.stderr.trimEnd().split("\n").map((l) => JSON.parse(l) as { level: string; msg: string });
      expect(lines.at(-1)).toMatchObject({ level: "fatal", msg: expect.stringContaining("401") });
    }
  }
});

test("fetch-history (csv, openmetrics, ndjson), a failed fetch's checkpoint, train --from-nightowl, score and report: no secret anywhere", async () => {
  const fetched = await nightowl(["fetch-history", "--days", "1", "--output", "{dir}/history", "--format", "csv,openmetrics,ndjson"], portal(PASSWORD));
  expect(fetched.code).toBe(0);
  const written = filesUnder(join(fetched.dir, "history"));
  expect(written.some((f) => f.path.endsWith(".csv"))).toBe(true);
  expect(written.some((f) => f.path.endsWith(".om"))).toBe(true);
  expectClean("fetch-history", fetched);

  // A fetch that stops half-way leaves its checkpoint and partial files behind: search them too.
  sim.faults.add({ kind: "status", status: 400, count: -1, path: `/api/plugins/telemetry/DEVICE/${sim.devices[1]!.id}` });
  const broken = await nightowl(["fetch-history", "--days", "1", "--output", "{dir}/history", "--concurrency", "1"], portal(PASSWORD));
  sim.faults.clear();
  expect(broken.code).toBe(1);
  expect(filesUnder(broken.dir).length).toBeGreaterThan(0);
  expectClean("fetch-history stopped half-way", broken);

  const trained = await nightowl(["train", "--from-nightowl", "--days", "2", "--model-path", "{dir}/model.json", "--n-estimators", "10"], portal(PASSWORD));
  expect(trained.code).toBe(0);
  expect(existsSync(join(trained.dir, "model.json"))).toBe(true);
  expectClean("train --from-nightowl", trained);

  const csv = written.find((f) => f.path.endsWith(".csv"))!.path;
  const model = join(trained.dir, "model.json");
  for (const format of ["table", "json", "csv"]) {
    const scored = await nightowl(["score", "--from-file", csv, "--model-path", model, "--format", format], { NIGHTOWL_LOG_LEVEL: "debug", NIGHTOWL_PASSWORD: PASSWORD });
    expect([format, scored.code]).toEqual([format, 0]);
    expectClean(`score --format ${format}`, scored);
  }

  const report = await nightowl(["report", "--from-nightowl", "--days", "2", "--output", "{dir}/report.html", "--model-path", model], portal(PASSWORD));
  expect(report.code).toBe(0);
  expect(existsSync(join(report.dir, "report.html"))).toBe(true);
  expectClean("report --from-nightowl", report);
  const json = await nightowl(["report", "--from-file", csv, "--format", "json", "--output", "-"], portal(PASSWORD));
  expect(json.code).toBe(0);
  expectClean("report --format json", json);

  for (const args of [
    ["fetch-history", "--days", "1", "--output", "{dir}/history"],
    ["train", "--from-nightowl", "--days", "1", "--model-path", "{dir}/model.json"],
    ["report", "--from-nightowl", "--days", "1", "--output", "{dir}/report.html"],
  ]) {
    const r = await nightowl(args, portal(WRONG));
    // A refused login is a setting to fix, as in run and poll-once.
    expect([args[0], r.code]).toEqual([args[0], 2]);
    expectClean(`${args[0]} with a wrong password`, r);
  }
});

// Error bodies are quoted in messages, so a server that echoes the Authorization header must
// find its credentials redacted (src/redact.ts).
test("train, score and report from a Prometheus that refuses and echoes the credentials: no secret in the error", async () => {
  // A hostile or misconfigured server: 401 with the Authorization header it got in the body.
  const echo = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => new Response(`denied for ${req.headers.get("authorization")}`, { status: 401 }) });
  try {
    const url = `http://127.0.0.1:${echo.port}`;
    for (const command of ["train", "score", "report"]) {
      for (const auth of [["--username", PROM_USER, "--password", PROM_PASSWORD], ["--bearer-token", PROM_TOKEN]]) {
        const r = await nightowl([command, "--from-prometheus", url, "--days", "1", ...auth, ...(command === "report" ? ["--output", "{dir}/r.html"] : [])], { NIGHTOWL_LOG_LEVEL: "debug" });
        expect([command, r.code]).toEqual([command, 1]);
        expect(r.stderr).toContain("401");
        expectClean(`${command} --from-prometheus ${auth[0]}`, r);
      }
    }
  } finally {
    await echo.stop(true);
  }
});

test("credentials in a URL (--import-url, --from-prometheus) against a server that echoes the Authorization header: redacted in the error", async () => {
  const echo = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => new Response(`bad request from ${req.headers.get("authorization")}`, { status: 400 }) });
  try {
    const withCredentials = `http://${PROM_USER}:${PROM_PASSWORD}@127.0.0.1:${echo.port}`;
    const imported = await nightowl(["fetch-history", "--days", "1", "--output", "{dir}/history", "--import-url", withCredentials], portal(PASSWORD));
    expect(imported.code).toBe(1);
    expect(imported.stderr).toContain(`nightowl: POST http://127.0.0.1:${echo.port}/api/v1/import/prometheus failed: 400 bad request from ***`);
    expectClean("fetch-history --import-url user:pass@", imported);
    const trained = await nightowl(["train", "--from-prometheus", withCredentials, "--days", "1"], { NIGHTOWL_LOG_LEVEL: "debug" });
    expect(trained.code).toBe(1);
    expect(trained.stderr).toContain("400");
    expectClean("train --from-prometheus user:pass@", trained);
  } finally {
    await echo.stop(true);
  }
});

test("credentials in NIGHTOWL_BASE_URL: run and poll-once (reachable or not, debug level) show the URL without them", async () => {
  const withCredentials = (url: string) => url.replace("http://", `http://proxy:${URL_PASSWORD}@`);
  const env = (url: string) => ({ ...portal(PASSWORD), NIGHTOWL_BASE_URL: withCredentials(url) });
  const polled = await nightowl(["poll-once"], env(sim.url));
  expect(polled.code).toBe(0);
  expectClean("poll-once with user:pass@ in the base URL", polled);
  // Nobody listens on port 1: the network error and every retry line name the portal and the call.
  const unreachable = await nightowl(["poll-once", "--request-timeout", "1"], env("http://127.0.0.1:1"));
  expect(unreachable.code).toBe(1);
  expect(unreachable.stderr).toContain("POST /api/auth/login: network error: http://127.0.0.1:1: ECONNREFUSED");
  expect(unreachable.stderr).toContain("retry 1/");
  expectClean("poll-once with user:pass@ in an unreachable base URL", unreachable);

  const run = startCli(["run", "--metrics-host", "127.0.0.1", "--metrics-port", "0", "--ml-enabled", "false", "--warmup-hours", "0"], env(sim.url));
  try {
    expect((await run.waitFor(/polling (\S+) every/))[1]).toBe(sim.url);
    await run.waitFor(/Polled 2 device\(s\)/);
  } finally {
    run.kill();
  }
  expect(leaks(run.stderr())).toEqual([]);
});

test("a redirect from --import-url or --from-prometheus to another host is not followed with the credentials", async () => {
  const seen: string[] = [];
  const elsewhere = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => (seen.push(`${req.method} ${req.headers.get("authorization")}`), new Response("ok")) });
  const redirect = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => Response.redirect(`http://127.0.0.1:${elsewhere.port}${new URL(req.url).pathname}`, 307) });
  try {
    const url = `http://${PROM_USER}:${PROM_PASSWORD}@127.0.0.1:${redirect.port}`;
    const imported = await nightowl(["fetch-history", "--days", "1", "--output", "{dir}/history", "--import-url", url], portal(PASSWORD));
    expect(imported.code).toBe(1);
    expect(imported.stderr).toContain("answered a redirect (HTTP 307); not following it with the credentials");
    const trained = await nightowl(["train", "--from-prometheus", url, "--days", "1"], {});
    expect(trained.code).toBe(1);
    expect(trained.stderr).toContain("answered a redirect (HTTP 307); not following it with the credentials");
    expect(seen).toEqual([]);
  } finally {
    await redirect.stop(true);
    await elsewhere.stop(true);
  }
});

/** Reads a child's stderr as it comes; resolves `waitFor` on the first match. */
function follow(proc: ReturnType<typeof Bun.spawn>) {
  let text = "";
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) text += decoder.decode(chunk, { stream: true });
  })();
  return {
    text: () => text,
    async waitFor(pattern: RegExp, ms = 20_000): Promise<RegExpMatchArray> {
      const end = Date.now() + ms;
      for (;;) {
        const m = text.match(pattern);
        if (m) return m;
        if (Date.now() > end) throw new Error(`no ${pattern} within ${ms} ms:\n${text.slice(-2000)}`);
        await Bun.sleep(20);
      }
    },
  };
}

test("run with basic-auth scrapes, right then wrong portal password, an expired token renewed: no secret in the log or /metrics", async () => {
  const basic = `Basic ${Buffer.from(`prometheus:${SCRAPE_PASSWORD}`).toString("base64")}`;
  for (const password of [PASSWORD]) {
    const dir = emptyDir("secrets-run");
    const proc = Bun.spawn([process.execPath, CLI, "run", "--metrics-host", "127.0.0.1", "--metrics-port", "0", "--poll-interval", "10", "--ml-enabled", "false"], {
      cwd: dir,
      env: cleanEnv({ ...portal(password), NIGHTOWL_METRICS_AUTH_USERNAME: "prometheus", NIGHTOWL_METRICS_AUTH_PASSWORD: SCRAPE_PASSWORD }),
      stdout: "pipe",
      stderr: "pipe",
    });
    const log = follow(proc);
    try {
      const url = (await log.waitFor(/Serving metrics on (\S+)/))[1]!;
      await log.waitFor(password === PASSWORD ? /Polled 2 device\(s\)/ : /poll failed: /);
      const denied = await fetch(url);
      expect(denied.status).toBe(401);
      expect(denied.headers.get("www-authenticate")).toBe('Basic realm="nightowl", charset="UTF-8"');
      expect((await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`prometheus:${PASSWORD}`).toString("base64")}` } })).status).toBe(401);
      const scraped = await fetch(url, { headers: { authorization: basic } });
      expect(scraped.status).toBe(200);
      const metrics = await scraped.text();
      expect(metrics).toContain(`nightowl_last_poll_success{user_label="${password === PASSWORD ? sim.accounts[0]!.userLabel : "unknown"}"} ${password === PASSWORD ? 1 : 0}`);
      expect((await fetch(url.replace(/\/metrics$/, "/readyz"))).status).toBe(password === PASSWORD ? 200 : 503);
      proc.kill("SIGTERM");
      expect(await proc.exited).toBe(0);
      const stdout = await new Response(proc.stdout as ReadableStream<Uint8Array>).text();
      expectClean(`run with the ${password === PASSWORD ? "right" : "wrong"} password`, { stdout, stderr: log.text(), dir, extra: metrics });
    } finally {
      if (proc.exitCode === null) proc.kill("SIGKILL");
    }
  }

  // With the wrong password run stops at its first login (exit 2): nothing secret on the way out.
  {
    const dir = emptyDir("secrets-run-wrong");
    const proc = Bun.spawn([process.execPath, CLI, "run", "--metrics-host", "127.0.0.1", "--metrics-port", "0", "--poll-interval", "10", "--ml-enabled", "false", "--log-level", "debug"], {
      cwd: dir,
      env: cleanEnv({ ...portal(WRONG), NIGHTOWL_METRICS_AUTH_USERNAME: "prometheus", NIGHTOWL_METRICS_AUTH_PASSWORD: SCRAPE_PASSWORD }),
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, code] = [await new Response(proc.stdout).text(), await new Response(proc.stderr).text(), await proc.exited];
    expect(code).toBe(2);
    expect(stderr).toContain("nightowl: the portal refused the login");
    expectClean("run with the wrong password", { stdout, stderr, dir, extra: "" });
  }

  // The demo simulator's tokens expire under a fast clock too: refreshes and re-logins at debug level.
  const run = Bun.spawn([process.execPath, CLI, "run", "--demo", "--demo-speed", "100", "--poll-interval", "10", "--metrics-port", "0", "--ml-enabled", "false", "--log-level", "debug"], { cwd: emptyDir("secrets-demo"), env: cleanEnv(), stdout: "ignore", stderr: "pipe" });
  const log = follow(run);
  try {
    const demoSim = (await log.waitFor(/Demo: simulator with \d+ devices at (http:\/\/\S+)/))[1]!;
    const url = (await log.waitFor(/Serving metrics on (\S+)/))[1]!;
    await log.waitFor(/Polled 3 device\(s\)/);
    await fetch(`${demoSim}/__sim/faults`, { method: "POST", body: JSON.stringify([{ kind: "expire_tokens" }]) });
    await log.waitFor(/token rejected; renewing/);
    await fetch(`${demoSim}/__sim/faults`, { method: "POST", body: JSON.stringify([{ kind: "reject_refresh", count: 1 }, { kind: "expire_tokens" }]) });
    await log.waitFor(/Token refresh failed; logging in again/);
    const metrics = await (await fetch(url)).text();
    run.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    const found = leaks(log.text() + metrics);
    expect(found).toEqual([]);
    expect(log.text()).not.toContain("demo-password");
  } finally {
    if (run.exitCode === null) run.kill("SIGKILL");
  }
});

test("simulate: its log holds no token; the banner shows the demo credentials it serves and nothing else secret", async () => {
  const proc = Bun.spawn([process.execPath, CLI, "simulate", "--port", "0", "--devices", "1", "--history-days", "1", "--username", USER, "--password", PASSWORD], { cwd: emptyDir("secrets-sim"), env: cleanEnv(), stdout: "pipe", stderr: "pipe" });
  try {
    const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
    let banner = "";
    while (!banner.includes("Stop with Ctrl-C")) {
      const { value, done } = await reader.read();
      if (done) break;
      banner += new TextDecoder().decode(value);
    }
    const url = /listening on (\S+)/.exec(banner)![1]!;
    // Serve a login, a refresh and a failed login, so the simulator has tokens to leak.
    const pair = (await (await fetch(`${url}/api/auth/login`, { method: "POST", body: JSON.stringify({ username: USER, password: PASSWORD }) })).json()) as { refreshToken: string };
    expect((await fetch(`${url}/api/auth/token`, { method: "POST", body: JSON.stringify({ refreshToken: pair.refreshToken }) })).status).toBe(200);
    expect((await fetch(`${url}/api/auth/login`, { method: "POST", body: JSON.stringify({ username: USER, password: WRONG }) })).status).toBe(401);
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    const stderr = await new Response(proc.stderr as ReadableStream<Uint8Array>).text();
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    expect(leaks(stderr + rest)).toEqual([]);
    // The banner is the simulator's account list: the one place its own password is printed.
    const withoutAccounts = banner
      .split("\n")
      .filter((l) => !l.startsWith(`  ${USER}  password: `) && !l.includes(" NIGHTOWL_PASSWORD="))
      .join("\n");
    expect(leaks(withoutAccounts)).toEqual([]);
    expect(banner).not.toContain(WRONG);
  } finally {
    if (proc.exitCode === null) proc.kill("SIGKILL");
  }
});

test("every secret has a _FILE setting: /metrics bearer token and basic-auth password from files; a secret given as a flag warns about ps", async () => {
  const secrets = emptyDir("secret-files");
  writeFileSync(join(secrets, "token"), `${PROM_TOKEN}\n`);
  writeFileSync(join(secrets, "scrape"), `${SCRAPE_PASSWORD}\n`);
  for (const [env, good, bad] of [
    [{ NIGHTOWL_METRICS_AUTH_BEARER_TOKEN_FILE: join(secrets, "token") }, `Bearer ${PROM_TOKEN}`, `Bearer ${PROM_TOKEN}x`],
    [{ NIGHTOWL_METRICS_AUTH_USERNAME: "prometheus", NIGHTOWL_METRICS_AUTH_PASSWORD_FILE: join(secrets, "scrape") }, `Basic ${Buffer.from(`prometheus:${SCRAPE_PASSWORD}`).toString("base64")}`, `Basic ${Buffer.from("prometheus:x").toString("base64")}`],
  ] as const) {
    const run = startCli(["run", "--demo", "--metrics-host", "127.0.0.1", "--metrics-port", "0", "--ml-enabled", "false", "--warmup-hours", "0"], { ...env, NIGHTOWL_LOG_LEVEL: "debug" });
    try {
      const url = (await run.waitFor(/Serving metrics on (\S+\/metrics)/))[1]!;
      expect((await fetch(url, { headers: { authorization: bad } })).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: good } })).status).toBe(200);
      expect(leaks(run.stderr())).toEqual([]);
    } finally {
      run.kill();
    }
  }
  const flagged = await nightowl(["poll-once", "--demo", "--password", PASSWORD, "--log-level", "warn"], {});
  expect(flagged.code).toBe(0);
  expect(flagged.stderr).toMatch(/^\S+ \[WARN\] --password shows the secret to every user of this machine in the process list \(ps\); prefer --password-file or NIGHTOWL_PASSWORD_FILE \(or NIGHTOWL_PASSWORD in the environment\)\n/);
  expectClean("poll-once --password", flagged);
});
