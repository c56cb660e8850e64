/**
 * What a failed `poll-once --textfile` keeps from the file the previous run wrote: the
 * account's `user_label` and when the last successful poll ended. Without them a failed run
 * wrote `nightowl_last_poll_success{user_label="unknown"} 0` (the real label's series simply
 * vanished) and no `nightowl_last_success_timestamp_seconds` sample, so neither an alert on
 * the account nor one on `time() - …` could fire.
 *
 * The file is input like any other: absent, huge, a FIFO, another program's or edited by hand.
 * It is read without blocking and only its first {@link READ_LIMIT_BYTES} (nightowl writes the
 * poll families before the telemetry); a label must be a plausible one and the time a Unix
 * time not in the future (a future one would hide an outage from `time() - …`). Anything else
 * is not carried, and the caller is told why in one line.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

/** How much of the previous file is read: the poll families sit in its first few hundred bytes. */
export const READ_LIMIT_BYTES = 64 * 1024;
/** Longest label carried: device names and attributes are cut to 256 characters too. */
const MAX_LABEL_CHARS = 256;
/** Clock skew tolerated between the run that wrote the file and this one, s. */
const FUTURE_SLACK_SECONDS = 300;

export interface PreviousPoll {
  userLabel: string;
  /** Unix time (s) at which the last successful poll ended, when the file held a usable one. */
  lastSuccessSeconds?: number;
}

export interface PreviousRead {
  poll?: PreviousPoll;
  /** Why something in an existing file was not carried; absent when there is no file or all was. */
  problem?: string;
}

/** A sample line of a gauge with one `user_label` label, as prom-client writes it. */
const SAMPLE = /^(nightowl_last_poll_success|nightowl_last_success_timestamp_seconds)\{user_label="((?:[^"\\\n]|\\[\\"n])*)"\} (\S+)$/;

/** Reads what the previous textfile at `path` says about the last poll; `nowMs` is this run's clock. */
export function readPreviousPoll(path: string, nowMs: number): PreviousRead {
  const text = readHead(path);
  if (typeof text !== "string") return text;
  const success: string[] = [];
  const times = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const label = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    if (m[1] === "nightowl_last_poll_success") success.push(label);
    else times.set(label, m[3]!);
  }
  if (success.length !== 1) return { problem: success.length === 0 ? "it holds no nightowl_last_poll_success sample" : "it holds more than one nightowl_last_poll_success sample" };
  const userLabel = success[0]!;
  if (userLabel.length === 0 || userLabel.length > MAX_LABEL_CHARS || /\p{Cc}/u.test(userLabel)) return { problem: "its user_label is empty, over 256 characters or holds control characters" };
  const raw = times.get(userLabel);
  if (raw === undefined) return { poll: { userLabel } };
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > nowMs / 1000 + FUTURE_SLACK_SECONDS) {
    return { poll: { userLabel }, problem: `its nightowl_last_success_timestamp_seconds (${raw.slice(0, 32)}) is not a Unix time up to now` };
  }
  return { poll: { userLabel, lastSuccessSeconds: seconds } };
}

/** The file's first bytes as text, or what to report instead; never blocks on a FIFO. */
function readHead(path: string): string | PreviousRead {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? {} : { problem: `it cannot be read (${code ?? (error as Error).message})` };
  }
  try {
    if (!fstatSync(fd).isFile()) return { problem: "it is not a regular file" };
    const buffer = Buffer.alloc(READ_LIMIT_BYTES);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    // A cut last line is dropped rather than read as a shorter value.
    const end = length === buffer.length ? buffer.lastIndexOf(10, length - 1) + 1 : length;
    return buffer.toString("utf8", 0, end);
  } catch (error) {
    return { problem: `it cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  } finally {
    closeSync(fd);
  }
}
