/**
 * An event-loop lag probe, preloaded into a monitor a bench starts (`bun --preload
 * bench/lag-probe.ts src/cli.ts run …`; load.ts `--lag-probe`). A 1 ms timer notes every gap
 * between its ticks of `LAG_PROBE_MIN_MS` (default 10) or more: a stretch in which the main
 * thread ran without a turn of the event loop, which a scrape arriving then waited for. With
 * each gap it notes the main thread's own CPU time over it (/proc/thread-self/schedstat), so a
 * gap spent waiting for a core on a loaded machine is told apart from one spent working.
 *
 * Each gap is one line appended to `LAG_PROBE_FILE`: `endEpochMs wallMs cpuMs`. Bench code
 * only: the monitor never loads it on its own.
 */
import { appendFileSync, openSync, readSync } from "node:fs";

const file = process.env.LAG_PROBE_FILE;
const minMs = Number(process.env.LAG_PROBE_MIN_MS ?? 10);

/**
 * Opened once, by the main thread (thread-self names the thread that opens it), and read from
 * offset 0 at each tick: procfs writes the figures afresh for each read from the start, so a
 * tick costs a read, not an open, a read and a close.
 */
const schedstat = file ? openSchedstat() : undefined;
const schedBytes = Buffer.alloc(64);

function openSchedstat(): number | undefined {
  try {
    return openSync("/proc/thread-self/schedstat", "r");
  } catch {
    return undefined;
  }
}

/** The main thread's CPU time, ms (schedstat's first field is nanoseconds on the CPU). */
function threadCpuMs(): number {
  if (schedstat === undefined) return Number.NaN;
  try {
    const n = readSync(schedstat, schedBytes, 0, schedBytes.length, 0);
    return Number(schedBytes.toString("latin1", 0, n).split(" ")[0]) / 1e6;
  } catch {
    return Number.NaN;
  }
}

if (file) {
  let last = performance.now();
  let lastCpu = threadCpuMs();
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = threadCpuMs();
    const gap = now - last;
    if (gap >= minMs) appendFileSync(file, `${Date.now()} ${gap.toFixed(1)} ${(cpu - lastCpu).toFixed(1)}\n`);
    last = now;
    lastCpu = cpu;
  }, 1);
  // The probe never keeps the monitor alive by itself.
  timer.unref();
}
