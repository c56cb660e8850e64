/**
 * Health of the poll loop, labelled with the account's `user_label` as the original monitor
 * did: whether the last poll worked, when the last successful one ended, how many polls worked
 * or failed, how long they took and how many devices they saw.
 *
 * The account's label is the first device's (they share one `CustomerInfo`), "unknown" until
 * a poll returns a device, then the last one known. When it changes the gauges of the old
 * label are removed, so no stale `nightowl_last_poll_success{user_label="unknown"} 0` lingers
 * to fire an alert forever; the counters keep their history. A process that lives for one
 * poll (`poll-once --textfile`) starts from what the previous run's file said (`previous`), so a
 * failed poll still writes the account's label and the last success's time.
 */
import { Counter, Gauge, Histogram, type Registry } from "./prom-client.ts";
import type { PollObserver, PollResult } from "../nightowl/poll-result.ts";
import type { PreviousPoll } from "./previous-textfile.ts";

export interface PollMetrics extends PollObserver {
  /** The account label the families are currently written under. */
  userLabel(): string;
}

/** Poll durations span a fast loopback poll to a portal timing out: 10 ms to 60 s. */
const DURATION_BUCKETS_SECONDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Registers the poll-health families on `registry` and returns the observer that updates them. */
export function registerPollMetrics(registry: Registry, previous?: PreviousPoll): PollMetrics {
  /** A gauge per account label (see relabel). */
  const userGauge = (name: string, help: string) => new Gauge({ name, help, labelNames: ["user_label"], registers: [registry] });
  const success = userGauge("nightowl_last_poll_success", "1 if the last poll of the portal succeeded, 0 if it failed.");
  const timestamp = userGauge("nightowl_last_poll_timestamp", "Unix time in seconds at which the last successful poll ended; 0 before one (the original monitor's meaning).");
  const successTimestamp = userGauge("nightowl_last_success_timestamp_seconds", "Unix time in seconds at which the last successful poll ended; alert on time() minus this.");
  const attempts = new Counter({
    name: "nightowl_poll_attempts_total",
    help: "Polls of the portal by outcome (status: success or failure).",
    labelNames: ["user_label", "status"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "nightowl_poll_duration_seconds",
    help: "Time one poll took (log-in or refresh if needed, then every page of devices), in seconds.",
    buckets: DURATION_BUCKETS_SECONDS,
    registers: [registry],
  });
  const devices = userGauge("nightowl_devices", "Number of devices the last successful poll returned.");

  let label = previous?.userLabel ?? "unknown";
  /** End of the last successful poll, s; 0 before one, as the original monitor exported it. */
  let lastSuccessSeconds = previous?.lastSuccessSeconds ?? 0;

  function relabel(next: string): void {
    if (next === label) return;
    for (const gauge of [success, timestamp, successTimestamp, devices]) gauge.remove({ user_label: label });
    label = next;
  }

  return {
    userLabel: () => label,
    observe(result: PollResult) {
      if (result.ok && result.devices.length > 0) relabel(result.devices[0]!.userLabel);
      const endedSeconds = (result.startedAt + result.durationMs) / 1000;
      const user_label = label;
      success.set({ user_label }, result.ok ? 1 : 0);
      // Only a success moves it, so `time() - nightowl_last_poll_timestamp > 300` fires while the
      // portal is down, as alerts written for the original monitor expect.
      if (result.ok) lastSuccessSeconds = endedSeconds;
      timestamp.set({ user_label }, lastSuccessSeconds);
      attempts.inc({ user_label, status: result.ok ? "success" : "failure" });
      // The other status starts at 0 so rate() and increase() see it from the first poll.
      attempts.inc({ user_label, status: result.ok ? "failure" : "success" }, 0);
      duration.observe(result.durationMs / 1000);
      // Absent before any success: a 0 would read as "55 years without one".
      if (lastSuccessSeconds > 0) successTimestamp.set({ user_label }, lastSuccessSeconds);
      if (result.ok) devices.set({ user_label }, result.devices.length);
    },
  };
}
