/**
 * Before reading history files whole: how much memory `train`, `score` or `report` will need
 * for them, estimated from each file's size and its first lines, checked against a budget
 * (NIGHTOWL_MAX_MEMORY_MB). Past it the command stops with one line naming the files, the
 * estimate and the setting, instead of running out of memory with a stack halfway through.
 *
 * The estimate follows what the reader and training keep per row (docs/benchmarks.md,
 * "Training at scale"): the row's time and every key's value as 8-byte numbers while reading,
 * about 96 bytes more for training's per-row scores and alarm calibration (or score's replay),
 * a fixed part for the program and the forest's row pool, and a quarter more for the garbage a
 * pass leaves before it is collected. It assumes every key has values, so a sparse file is
 * overestimated (the 986 MB benchmark file: 2,269 MiB estimated, 1,717 MB measured).
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { basename } from "node:path";
import { NightowlError } from "../errors.ts";

const SAMPLE_BYTES = 1 << 20;
const PER_ROW_EXTRA_BYTES = 96;
const FIXED_MB = 192;
const GARBAGE_FACTOR = 1.25;

/** Estimates the memory reading and training on these history CSVs needs (unreadable files count as empty: the reader names them). */
export function estimateHistoryMemory(files: readonly string[]): HistoryMemoryEstimate {
  let rowBytes = 0;
  let rows = 0;
  let bytes = 0;
  let keys = 0;
  for (const file of files) {
    const sample = sampleFile(file);
    if (!sample) continue;
    bytes += sample.size;
    const fileRows = sample.lineBytes > 0 ? Math.ceil(Math.max(0, sample.size - sample.headerBytes) / sample.lineBytes) : 0;
    const fileKeys = Math.max(0, sample.columns - 7);
    rows += fileRows;
    keys = Math.max(keys, fileKeys);
    rowBytes += fileRows * ((fileKeys + 2) * 8 + PER_ROW_EXTRA_BYTES);
  }
  return { mb: Math.ceil(FIXED_MB + (GARBAGE_FACTOR * rowBytes) / 1048576), rows, bytes, keys };
}

/** The estimated peak (`mb`, MiB) with what it was made of: data rows over every file, their size in bytes, the most telemetry columns in one file. */
export interface HistoryMemoryEstimate {
  mb: number;
  rows: number;
  bytes: number;
  keys: number;
}

/**
 * Throws E_DATA, one line, when the estimate for `files` is over `budgetMb` (named as the user
 * gave it, `budgetName`):
 * `history.csv: needs about 2,090 MiB (1,000 MB, about 5,400,000 rows × 26 keys), over NIGHTOWL_MAX_MEMORY_MB=1024; …`
 */
export function checkHistoryMemory(files: readonly string[], budgetMb: number, budgetName = `NIGHTOWL_MAX_MEMORY_MB=${budgetMb}`): HistoryMemoryEstimate {
  const estimate = estimateHistoryMemory(files);
  if (estimate.mb <= budgetMb) return estimate;
  const named = files.length === 1 ? files[0]! : `${files.length} files (${files.slice(0, 2).map((f) => basename(f)).join(", ")}${files.length > 2 ? ", …" : ""})`;
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  throw new NightowlError(
    "E_DATA",
    `${named}: reading it needs about ${n(estimate.mb)} MiB (${n(estimate.bytes / 1e6)} MB, about ${n(estimate.rows)} rows × ${estimate.keys} keys), over ${budgetName}; raise the setting or give less history (fewer files, days or devices)`,
  );
}

/** The default budget: half of this machine's memory, MiB. */
export function defaultMemoryBudgetMb(totalBytes: number): number {
  return Math.max(256, Math.floor(totalBytes / 1048576 / 2));
}

interface Sample {
  size: number;
  headerBytes: number;
  columns: number;
  /** Mean bytes of the data lines in the sample (0: none). */
  lineBytes: number;
}

function sampleFile(file: string): Sample | undefined {
  let fd: number | undefined;
  try {
    const size = statSync(file).size;
    fd = openSync(file, "r");
    const buffer = Buffer.alloc(Math.min(SAMPLE_BYTES, size));
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, read).toString("latin1");
    const headerEnd = text.indexOf("\n");
    if (headerEnd < 0) return { size, headerBytes: size, columns: text.split(",").length, lineBytes: 0 };
    const columns = text.slice(0, headerEnd).split(",").length;
    // Whole data lines in the sample (a quoted field may hold a comma: the count is an estimate).
    const lastEnd = text.lastIndexOf("\n");
    let lines = 0;
    for (let i = text.indexOf("\n", headerEnd + 1); i >= 0; i = text.indexOf("\n", i + 1)) lines++;
    const dataBytes = lastEnd - headerEnd;
    return { size, headerBytes: headerEnd + 1, columns, lineBytes: lines > 0 ? dataBytes / lines : 0 };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
