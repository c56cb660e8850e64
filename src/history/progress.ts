/**
 * Showing a fetch's progress. On a terminal, one line redrawn in place (at most 4 times a
 * second): devices and windows done, points, points per second and the time left. Off a
 * terminal (cron, journald), one log line per finished device. Quiet: nothing.
 */
import type { Logger } from "../log.ts";
import type { FetchProgress } from "./fetch-run.ts";

export interface ProgressOptions {
  mode: "tty" | "log" | "quiet";
  /** Writes to the terminal (stderr); used in "tty" mode. */
  write: (text: string) => void;
  log: Logger;
  /** Epoch ms; injectable. */
  now?: () => number;
}

export interface ProgressReporter {
  onProgress(event: FetchProgress): void;
  /** Ends the live line; later events are not shown. */
  close(): void;
}

export function createProgressReporter(options: ProgressOptions): ProgressReporter {
  const now = options.now ?? Date.now;
  const started = now();
  let windowsAtStart = 0;
  let lastDraw = 0;
  let drawn = false;
  let last: FetchProgress | undefined;
  let closed = false;

  const draw = (event: FetchProgress): void => {
    options.write(`\r\x1b[2K${progressLine(event, now() - started, windowsAtStart)}`);
    drawn = true;
    lastDraw = now();
  };

  return {
    onProgress(event) {
      last = event;
      if (event.kind === "start") windowsAtStart = event.windowsDone;
      if (options.mode === "quiet" || closed) return;
      if (options.mode === "log") {
        if (event.kind === "device" && event.device) {
          options.log.info(`Fetched device ${event.device.name}`, {
            device_id: event.device.id,
            user_label: event.device.userLabel,
            points: event.devicePoints,
            devices: `${event.devicesDone}/${event.devicesTotal}`,
          });
        }
        return;
      }
      if (event.kind !== "window" || now() - lastDraw >= 250) draw(event);
    },
    close() {
      if (options.mode !== "tty" || closed) return;
      closed = true;
      if (last) draw(last);
      if (drawn) options.write("\n");
    },
  };
}

/** `devices 2/5 · windows 30/65 · 1,234,567 points · 12,345 points/s · ETA 1m 20s` */
export function progressLine(event: FetchProgress, elapsedMs: number, windowsAtStart: number): string {
  const seconds = Math.max(elapsedMs, 1) / 1000;
  const rate = event.pointsThisRun / seconds;
  const windowsThisRun = event.windowsDone - windowsAtStart;
  const left = event.windowsTotal - event.windowsDone;
  const eta = windowsThisRun > 0 ? duration((left * seconds) / windowsThisRun) : "?";
  return [
    `devices ${event.devicesDone}/${event.devicesTotal}`,
    `windows ${event.windowsDone}/${event.windowsTotal}`,
    `${event.points.toLocaleString("en-US")} points`,
    `${Math.round(rate).toLocaleString("en-US")} points/s`,
    left === 0 ? "done" : `ETA ${eta}`,
  ].join(" · ");
}

/** `45s`, `3m 05s`, `2h 10m`. */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
