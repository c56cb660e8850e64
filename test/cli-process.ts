/**
 * Runs the real program (`bun src/cli.ts …`) for end-to-end tests: in an empty working
 * directory (no stray `.env`), with no NIGHTOWL_* variables from the caller's environment.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = join(import.meta.dir, "..", "src", "cli.ts");

export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("NIGHTOWL_") && v !== undefined) env[k] = v;
  return { ...env, ...extra };
}

export function emptyDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `nightowl-${name}-`));
}

/** Runs the program to its end. */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([process.execPath, CLI, ...args], { cwd: emptyDir("cli"), env: cleanEnv(env), stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/**
 * Every command that logs in before its first portal call, run at once with `env`, each
 * writing (if it wrongly got past the login) under `dir`: the exit code and output of each.
 */
export async function everyLoginDoor(env: Record<string, string>, dir: string): Promise<{ command: string; code: number; stdout: string; stderr: string }[]> {
  const doors = [
    ["run", "--metrics-port", "0", "--warmup-hours", "0"],
    ["poll-once"],
    ["fetch-history", "--days", "1", "--output", join(dir, "history")],
    ["score", "--from-nightowl", "--days", "1"],
    ["train", "--from-nightowl", "--days", "1", "--model-path", join(dir, "model.json")],
    ["report", "--from-nightowl", "--days", "1", "--output", join(dir, "report.html")],
  ];
  const results = await Promise.all(doors.map((args) => runCli(args, env)));
  return results.map((r, i) => ({ command: doors[i]![0]!, ...r }));
}

export interface LongRunning {
  proc: ReturnType<typeof Bun.spawn>;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the first match of `pattern` in stderr; rejects after `timeoutMs` with what was seen. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Kills the process if it is still running. */
  kill(): void;
}

/** Starts the program and collects its stderr (where the log goes) as it arrives. */
export function startCli(args: string[], env: Record<string, string> = {}): LongRunning {
  const proc = Bun.spawn([process.execPath, CLI, ...args], { cwd: emptyDir("cli"), env: cleanEnv(env), stdout: "ignore", stderr: "pipe" });
  let text = "";
  const waiters = new Set<() => void>();
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      for (const w of waiters) w();
    }
  })();
  return {
    proc,
    stderr: () => text,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = text.match(pattern);
          if (m) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; stderr so far:\n${text.slice(-3000)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    kill() {
      if (proc.exitCode === null) proc.kill("SIGKILL");
    },
  };
}

/** Runs `promtool check metrics` on an exposition; null when promtool is not installed. */
export async function promtoolCheck(exposition: string): Promise<{ code: number; output: string } | null> {
  const promtool = Bun.which("promtool");
  if (!promtool) return null;
  const proc = Bun.spawn([promtool, "check", "metrics"], { stdin: new Blob([exposition]), stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, output: out + err };
}

export const HAS_PROMTOOL = Bun.which("promtool") !== null;
if (!HAS_PROMTOOL) console.warn("skip: promtool not installed (Debian package prometheus); the exposition checks are skipped");

/** Samples of an exposition as { name, labels, value }, comments skipped. */
export function parseExposition(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const out: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = JSON.parse(`"${l[2]!}"`);
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}
