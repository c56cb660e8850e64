/**
 * `.env` is read once, by nightowl (src/commands/context.ts), after the environment: so a bad
 * value there is reported as coming "(from .env)". Bun would load `.env` into the environment
 * first and hide that; the program turns Bun's loading off wherever it is started: the
 * script's `#!` line (`bun --no-env-file`, also what `make demo` runs), and the compiled
 * executable of `make build` (`--no-compile-autoload-dotenv`). Both are run here, as a user
 * would, in a directory holding a `.env`.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnv } from "./cli-process.ts";

const ROOT = join(import.meta.dir, "..");
const dir = mkdtempSync(join(tmpdir(), "nightowl-dotenv-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// `bun` on PATH, as a user who installed it has it, so the script's own #! line starts it.
const binDir = join(dir, "bin");
symlinkSync(process.execPath, (Bun.spawnSync(["mkdir", binDir]), join(binDir, "bun")));
const site = join(dir, "site");
Bun.spawnSync(["mkdir", site]);
writeFileSync(join(site, ".env"), "# the site's settings\nNIGHTOWL_PAGE_SIZE=zero\n");

const FROM_DOTENV = 'nightowl: NIGHTOWL_PAGE_SIZE="zero" (from .env) is not allowed: expected a whole number from 1 to 1000\n';

async function runIn(command: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn(command, { cwd: site, env: cleanEnv({ PATH: `${binDir}:${process.env.PATH ?? ""}`, ...env }), stdout: "pipe", stderr: "pipe" });
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  return { code, stderr };
}

test("the script, started by its #! line: a bad value in .env is reported as from .env; the environment still wins", async () => {
  expect(await runIn([join(ROOT, "src", "cli.ts"), "poll-once"])).toEqual({ code: 2, stderr: FROM_DOTENV });
  const overridden = await runIn([join(ROOT, "src", "cli.ts"), "poll-once"], { NIGHTOWL_PAGE_SIZE: "3" });
  expect(overridden).toEqual({ code: 2, stderr: "nightowl: NIGHTOWL_USERNAME is not set: expected the NightOwl account's user name (or --username)\n" });
});

test("the executable `make build` compiles: a bad value in .env is reported as from .env", async () => {
  // The Makefile's own build command, with the output moved to the temporary directory.
  const dry = Bun.spawnSync(["make", "-n", "build"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const build = dry.stdout.toString().replaceAll("\\\n", " ").split("\n").find((line) => line.includes("build --compile"));
  expect(build).toContain("--no-compile-autoload-dotenv");
  const exe = join(dir, "nightowl");
  const built = Bun.spawnSync(["bash", "-c", build!.replace("--outfile dist/nightowl", `--outfile ${exe}`)], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  expect(built.exitCode).toBe(0);
  expect(await runIn([exe, "poll-once"])).toEqual({ code: 2, stderr: FROM_DOTENV });
});
