/**
 * The compiled binary carries the global leak model: run from a folder with no models/ it
 * still scores, and a model file on disk still wins. Builds the binary once (under a second
 * here); skips with the reason if `bun build --compile` is not possible on this machine.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { cleanEnv, emptyDir } from "./cli-process.ts";

const ROOT = join(import.meta.dir, "..");
const dir = emptyDir("embedded-model");
const binary = join(dir, "bin", "nightowl");
let buildError = "";

beforeAll(() => {
  const build = Bun.spawnSync([process.execPath, "build", "--compile", "--minify", "--bytecode", "--format=esm", join(ROOT, "src", "cli.ts"), "--outfile", binary], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if (build.exitCode !== 0) buildError = build.stderr.toString().trim().split("\n").slice(-3).join(" ");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts `args` in `cwd` and returns the log line that says which model scores the demo's user. */
async function modelLine(args: string[], cwd: string): Promise<string> {
  const proc = Bun.spawn(args, { cwd, env: cleanEnv(), stdout: "ignore", stderr: "pipe" });
  let text = "";
  try {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      const line = text.split("\n").find((l) => /leak model (loaded|for user)/.test(l));
      if (line) return line;
    }
    throw new Error(`the program ended without naming a model; stderr:\n${text}`);
  } finally {
    proc.kill("SIGKILL");
  }
}

test("the compiled binary, run from an empty folder, scores the demo with its embedded model; a file on disk still wins", async () => {
  if (buildError) {
    console.warn(`skipped: bun build --compile failed here (${buildError})`);
    return;
  }
  const empty = emptyDir("embedded-cwd");
  const run = [binary, "run", "--demo", "--metrics-port", "0", "--warmup-hours", "0"];
  expect(await modelLine(run, empty)).toMatch(/leak model loaded for user \S+ .*source=embedded .*history=simulated/);

  // The same model as a file under ./models/global/ is found there first.
  const withModels = emptyDir("embedded-disk");
  mkdirSync(join(withModels, "models", "global"), { recursive: true });
  cpSync(join(ROOT, "models", "global", "leak_detector.json"), join(withModels, "models", "global", "leak_detector.json"));
  expect(await modelLine(run, withModels)).toMatch(/leak model loaded for user \S+ path=models\/global\/leak_detector\.json source=global /);
}, 60_000);

test("from source, run from another folder, the demo finds the global model too", async () => {
  const line = await modelLine([process.execPath, join(ROOT, "src", "cli.ts"), "run", "--demo", "--metrics-port", "0", "--warmup-hours", "0"], emptyDir("embedded-src"));
  expect(line).toMatch(/leak model loaded for user \S+ .*source=embedded/);
});
