/**
 * What the benches that run `nightowl` as a child process share: where it is, its environment,
 * reading its log as it comes, its memory, and waiting.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Reads a child's output line by line as it arrives (so the pipe never fills), handing each
 * line to `onLine`, and keeps the last few thousand characters for error messages.
 */
export function followLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void = () => {}): { tail: () => string } {
  let tail = "";
  let partial = "";
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      const lines = (partial + decoder.decode(chunk, { stream: true })).split("\n");
      partial = lines.pop()!;
      for (const line of lines) onLine(line);
      tail = (tail + lines.join("\n") + "\n").slice(-5_000);
    }
  })();
  return { tail: () => tail };
}

/** Polls `check` until it holds; throws after `ms`, with the child's log tail when given. */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms: number, tail?: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`no ${what} within ${ms} ms${tail ? `; log tail:\n${tail()}` : ""}`);
    await Bun.sleep(50);
  }
}

/** The repository, the CLI run from source, and the global model the benches score with. */
export const ROOT = join(import.meta.dir, "..");
export const CLI = join(ROOT, "src", "cli.ts");
export const MODEL = join(ROOT, "models", "global", "leak_detector.json");

/** This process's environment without NIGHTOWL_* (so a developer's settings do not leak into a bench), plus `extra`. */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("NIGHTOWL_") && v !== undefined) out[k] = v;
  return { ...out, ...extra };
}

/** VmRSS and VmHWM of a process, MiB (Linux); null once it is gone. */
export function processMemory(pid: number): { rss: number; peak: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
    return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
  } catch {
    return null;
  }
}

/**
 * Prints to stderr, every 2 s until stopped, a process's resident memory and peak with the
 * devices warmed and the polls logged so far, and the phase `phase()` names: where a peak comes.
 */
export function traceMemory(pid: number, log: { polls: number[]; warmed: () => number }, phase: () => string = () => ""): { stop(): void } {
  const t0 = Date.now();
  const timer = setInterval(() => {
    const m = processMemory(pid);
    if (m) console.error(`${((Date.now() - t0) / 1000).toFixed(0)} s: RSS ${m.rss.toFixed(0)} MB, peak ${m.peak.toFixed(0)} MB, ${log.warmed()} warmed, ${log.polls.length} polls ${phase()}`);
  }, 2000);
  return { stop: () => clearInterval(timer) };
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (clock ticks of 1/100 s). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A monitor's log as it comes: the device count of each "Polled N device(s)" line, the devices warmed so far, and a tail. */
export function followPolls(stream: ReadableStream<Uint8Array>): { polls: number[]; warmed: () => number; tail: () => string } {
  const polls: number[] = [];
  let warmed = 0;
  const { tail } = followLines(stream, (line) => {
    const m = /Polled (\d+) device/.exec(line);
    if (m) polls.push(Number(m[1]));
    else if (line.includes("warmed device ")) warmed++;
  });
  return { polls, warmed: () => warmed, tail };
}

/** `--name value` of this bench's command line as a number, `fallback` when absent; throws unless `valid`. */
export function numberArg(name: string, fallback: number, valid: (value: number) => boolean = (v) => v > 0, expected = "a positive number"): number {
  const args = process.argv.slice(2);
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!valid(value)) throw new Error(`${name} ${args[i + 1]}: expected ${expected}`);
  return value;
}
