import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BUN = process.execPath;
const CLI = join(import.meta.dir, "..", "cli.ts");

async function readUntil(stream: ReadableStream<Uint8Array>, pattern: RegExp): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!pattern.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  reader.releaseLock();
  return text;
}

test("serves until SIGTERM, prints URL and credentials, writes the truth CSV", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nightowl-sim-"));
  const truth = join(dir, "truth.csv");
  const child = Bun.spawn([BUN, CLI, "simulate", "--port", "0", "--devices", "2", "--history-days", "1", "--scenario", "leak:1:-2h::0.7", "--truth", truth], { stdout: "pipe", stderr: "pipe" });
  try {
    const banner = await readUntil(child.stdout, /Stop with Ctrl-C/);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1];
    expect(url).toBeDefined();
    expect(banner).toContain("demo@nightowl.local");
    expect(banner).toContain("password: demo-password");
    const login = await fetch(`${url}/api/auth/login`, { method: "POST", body: JSON.stringify({ username: "demo@nightowl.local", password: "demo-password" }) });
    expect(login.status).toBe(200);
    const csv = readFileSync(truth, "utf8").trim().split("\n");
    expect(csv[0]).toBe("device_id,kind,start_ms,end_ms,size");
    expect(csv[1]).toMatch(/^[0-9a-f-]{36},leak,\d+,,0\.7$/);
  } finally {
    child.kill("SIGTERM");
  }
  expect(await child.exited).toBe(0);
});

test("a bad flag exits 2 with one line naming it", async () => {
  const child = Bun.spawn([BUN, CLI, "simulate", "--port", "0", "--scenario", "flood:0"], { stdout: "pipe", stderr: "pipe" });
  expect(await child.exited).toBe(2);
  const err = await new Response(child.stderr).text();
  expect(err).toContain('--scenario "flood:0"');
});

test("--help names every scenario kind, and the SIZE of each kind that has one", async () => {
  const { SCENARIO_KINDS } = await import("../sim/scenario.ts");
  const child = Bun.spawn([BUN, CLI, "simulate", "--help"], { stdout: "pipe", stderr: "pipe" });
  const help = (await new Response(child.stdout).text()).replace(/\s+/g, " ");
  expect(await child.exited).toBe(0);
  expect(help).toContain(`KIND ${SCENARIO_KINDS.join(", ")}`);
  for (const kind of ["leak", "growing_leak", "flapper", "burst", "dry_run", "waterlogged_tank"]) expect(help).toMatch(new RegExp(` ${kind} [^(]+\\(default [\\d.]+\\)`));
  // A repeatable flag's empty start is no default to tell a user about.
  expect(help).not.toContain("(default: [])");
});

test("a bad --sample-interval is named as the flag (exit 2); a port in use is the machine's state (exit 1, as run's metrics port)", async () => {
  const bad = Bun.spawn([BUN, CLI, "simulate", "--port", "0", "--sample-interval", "7"], { stdout: "pipe", stderr: "pipe" });
  expect(await new Response(bad.stderr).text()).toBe("nightowl: simulator --sample-interval 7 is invalid; it must divide 3600 (e.g. 10, 30, 60, 300)\n");
  expect(await bad.exited).toBe(2);
  const taken = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("taken") });
  try {
    const busy = Bun.spawn([BUN, CLI, "simulate", "--host", "127.0.0.1", "--port", String(taken.port)], { stdout: "pipe", stderr: "pipe" });
    expect(await new Response(busy.stderr).text()).toBe(`nightowl: simulator port ${taken.port} on 127.0.0.1 is in use; choose another with --port, or 0 for a free one\n`);
    expect(await busy.exited).toBe(1);
  } finally {
    taken.stop(true);
  }
});
