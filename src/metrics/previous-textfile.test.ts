import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { READ_LIMIT_BYTES, readPreviousPoll } from "./previous-textfile.ts";

const dir = mkdtempSync(join(tmpdir(), "nightowl-previous-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NOW_MS = 1_764_000_000_000;
let n = 0;
/** A previous textfile holding `text`. */
function file(text: string): string {
  const path = join(dir, `nightowl-${n++}.prom`);
  writeFileSync(path, text);
  return path;
}
const success = (label: string, value = 0) => `# TYPE nightowl_last_poll_success gauge\nnightowl_last_poll_success{user_label="${label}"} ${value}\n`;
const lastSuccess = (label: string, value: string) => `nightowl_last_success_timestamp_seconds{user_label="${label}"} ${value}\n`;

test("no previous file: nothing carried, nothing to say", () => {
  expect(readPreviousPoll(join(dir, "absent.prom"), NOW_MS)).toEqual({});
});

test("the file a run wrote: its label and its last success are carried", () => {
  const path = file(`# HELP nightowl_build_info x\nnightowl_build_info{version="1",commit="a"} 1\n${success("dgorman", 1)}${lastSuccess("dgorman", "1763999940.25")}nightowl_telemetry_value{user_label="dgorman",device_id="d",device_name="n",key="S1"} 50\n`);
  expect(readPreviousPoll(path, NOW_MS)).toEqual({ poll: { userLabel: "dgorman", lastSuccessSeconds: 1763999940.25 } });
});

test("a label escaped as the text format escapes it comes back as it was", () => {
  expect(readPreviousPoll(file(success('o\\"brien\\\\x')), NOW_MS)).toEqual({ poll: { userLabel: 'o"brien\\x' } });
});

test("a failed run's file without a success time: the label alone", () => {
  expect(readPreviousPoll(file(success("dgorman")), NOW_MS)).toEqual({ poll: { userLabel: "dgorman" } });
  // A time under another label is not this account's.
  expect(readPreviousPoll(file(success("dgorman") + lastSuccess("other", "1763999940")), NOW_MS)).toEqual({ poll: { userLabel: "dgorman" } });
});

test.each([
  ["in the future", "1893456000"],
  ["zero", "0"],
  ["negative", "-5"],
  ["not a number", "NaN"],
  ["infinite", "+Inf"],
  ["text", "yesterday"],
])("a last-success time %s is not carried, and the reason is given", (_what, value) => {
  const read = readPreviousPoll(file(success("dgorman") + lastSuccess("dgorman", value)), NOW_MS);
  expect(read.poll).toEqual({ userLabel: "dgorman" });
  expect(read.problem).toBe(`its nightowl_last_success_timestamp_seconds (${value}) is not a Unix time up to now`);
});

test.each([
  ["no success sample", "garbage\n\u0000\u0001 not a metric\n", "it holds no nightowl_last_poll_success sample"],
  ["two success samples", success("a") + success("b"), "it holds more than one nightowl_last_poll_success sample"],
  ["an empty label", success(""), "its user_label is empty, over 256 characters or holds control characters"],
  ["a label of 257 characters", success("x".repeat(257)), "its user_label is empty, over 256 characters or holds control characters"],
  ["a newline in the label", success("a\\nb"), "its user_label is empty, over 256 characters or holds control characters"],
  ["a bell in the label", success("a\u0007b"), "its user_label is empty, over 256 characters or holds control characters"],
])("a file with %s carries nothing", (_what, text, problem) => {
  expect(readPreviousPoll(file(text), NOW_MS)).toEqual({ problem });
});

test("only the head of a huge file is read: samples past it are not seen, a cut line is not read short", () => {
  const padding = `# ${"x".repeat(1000)}\n`.repeat(Math.ceil(READ_LIMIT_BYTES / 1002) + 10);
  expect(readPreviousPoll(file(padding + success("dgorman")), NOW_MS)).toEqual({ problem: "it holds no nightowl_last_poll_success sample" });
  // The time's line straddles the limit: its first digits alone must not pass for a time.
  const head = success("dgorman");
  const line = lastSuccess("dgorman", "1763999940");
  const filler = `# ${"y".repeat(READ_LIMIT_BYTES - head.length - line.length - 3 + 8)}\n`;
  const read = readPreviousPoll(file(head + filler + line), NOW_MS);
  expect(head.length + filler.length).toBeLessThan(READ_LIMIT_BYTES);
  expect(head.length + filler.length + line.length).toBeGreaterThan(READ_LIMIT_BYTES);
  expect(read).toEqual({ poll: { userLabel: "dgorman" } });
});

test("a directory, or a FIFO no one writes to, is refused without blocking", () => {
  const sub = join(dir, "a-directory.prom");
  mkdirSync(sub);
  expect(readPreviousPoll(sub, NOW_MS)).toEqual({ problem: "it is not a regular file" });
  const mkfifo = Bun.which("mkfifo");
  if (!mkfifo) return console.warn("skip: mkfifo not installed; the FIFO case is not checked");
  const fifo = join(dir, "a-fifo.prom");
  expect(Bun.spawnSync([mkfifo, fifo]).exitCode).toBe(0);
  expect(readPreviousPoll(fifo, NOW_MS)).toEqual({ problem: "it is not a regular file" });
});

test("an unreadable file is named with the reason", () => {
  if (process.getuid?.() === 0) return console.warn("skip: running as root, every file is readable");
  const path = file(success("dgorman"));
  Bun.spawnSync(["chmod", "000", path]);
  expect(readPreviousPoll(path, NOW_MS)).toEqual({ problem: "it cannot be read (EACCES)" });
});
