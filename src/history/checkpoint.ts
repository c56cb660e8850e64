/**
 * The checkpoint of an unfinished fetch: a JSON file beside the output, rewritten atomically
 * (temporary file + rename) after every finished (device, window) unit. It records what the
 * run was asked for, the devices and the resolved time range (so a resumed `--days 90` run
 * continues the same 90 days), and per device how many windows are written and how many
 * bytes each partial file held at that moment: on resume, partial files are cut back to
 * those sizes, which removes anything half-written after the last checkpoint.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as v from "valibot";
import { NightowlError } from "../errors.ts";
import { DeviceMetaSchema } from "./device-meta.ts";
import { OptionError } from "../option-error.ts";

export const OUTPUT_FORMATS = ["csv", "openmetrics", "ndjson"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** What a run was asked for; a resumed run must be asked the same. */
export const FetchArgsSchema = v.object({
  baseUrl: v.string(),
  username: v.string(),
  tenant: v.optional(v.string()),
  keys: v.array(v.string()),
  /** The range flags as given (`--days` is resolved once, when the fetch starts). */
  days: v.optional(v.string()),
  since: v.optional(v.string()),
  until: v.optional(v.string()),
  /** Window length, milliseconds. */
  windowMs: v.number(),
  formats: v.array(v.picklist(OUTPUT_FORMATS)),
  /** The import URL without credentials. */
  importUrl: v.optional(v.string()),
});
export type FetchArgs = v.InferOutput<typeof FetchArgsSchema>;

export const DeviceProgressSchema = v.object({
  /** Windows written, from the first. */
  windows: v.number(),
  /** Points written. */
  points: v.number(),
  /** Size in bytes of each partial file after the last written window. */
  bytes: v.record(v.string(), v.number()),
  /** The device's final files are in place. */
  done: v.boolean(),
});
export type DeviceProgress = v.InferOutput<typeof DeviceProgressSchema>;

export const CheckpointSchema = v.object({
  version: v.literal(1),
  args: FetchArgsSchema,
  /** Epoch milliseconds, [startMs, endMs). */
  range: v.object({ startMs: v.number(), endMs: v.number() }),
  devices: v.array(DeviceMetaSchema),
  /** By device id. */
  progress: v.record(v.string(), DeviceProgressSchema),
});
export type Checkpoint = v.InferOutput<typeof CheckpointSchema>;

/** The folder inside the output directory holding the checkpoint and partial files. */
export const WORK_DIR = ".nightowl-fetch";
export const CHECKPOINT_FILE = "checkpoint.json";

export function checkpointPath(outputDir: string): string {
  return join(outputDir, WORK_DIR, CHECKPOINT_FILE);
}

/**
 * The checkpoint in `outputDir`, or undefined when there is none.
 * @throws OptionError E_DATA when the file exists but is not a checkpoint of this version (naming `restart`)
 */
export function loadCheckpoint(outputDir: string): Checkpoint | undefined {
  const path = checkpointPath(outputDir);
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new OptionError("E_DATA", (n) => `${path} is not JSON (${(error as Error).message}): run with ${n("restart")} to discard it`, { cause: error });
  }
  const result = v.safeParse(CheckpointSchema, raw);
  if (!result.success) {
    const issue = result.issues[0];
    const where = issue.path?.map((p) => String(p.key)).join(".") ?? "";
    throw new OptionError("E_DATA", (n) => `${path} is not a fetch-history checkpoint (${where || "top level"}: ${issue.message}): run with ${n("restart")} to discard it`);
  }
  return result.output;
}

/** Writes the checkpoint atomically (temporary file in the same folder, then rename). */
export function saveCheckpoint(outputDir: string, checkpoint: Checkpoint): void {
  const path = checkpointPath(outputDir);
  const temp = `${path}.tmp`;
  try {
    writeFileSync(temp, JSON.stringify(checkpoint));
    renameSync(temp, path);
  } catch (error) {
    throw new NightowlError("E_IO", `cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The arguments that differ between a checkpoint and this run, as `name: before → now`
 * lines; empty when the run may resume.
 */
export function argumentDifferences(before: FetchArgs, now: FetchArgs): string[] {
  const out: string[] = [];
  for (const name of Object.keys(FetchArgsSchema.entries) as (keyof FetchArgs)[]) {
    const a = JSON.stringify(before[name] ?? null);
    const b = JSON.stringify(now[name] ?? null);
    if (a !== b) out.push(`${name}: ${a} → ${b}`);
  }
  return out;
}
