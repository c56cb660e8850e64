/** The notification families: what became of each message, and every failed attempt. */
import { Counter, type Registry } from "./prom-client.ts";

export interface NotifyMetrics {
  /** A message's final outcome: sent, failed (after every retry) or dropped (queue full). */
  outcome(outcome: "sent" | "failed" | "dropped"): void;
  /** One delivery attempt failed (it may be retried). */
  attemptFailed(): void;
}

export function registerNotifyMetrics(registry: Registry): NotifyMetrics {
  const messages = new Counter({
    name: "nightowl_notifications_total",
    help: "Notification messages by outcome: sent, failed (every retry failed) or dropped (the target's queue was full).",
    labelNames: ["outcome"],
    registers: [registry],
  });
  for (const outcome of ["sent", "failed", "dropped"]) messages.inc({ outcome }, 0);
  const failures = new Counter({
    name: "nightowl_notification_attempt_failures_total",
    help: "Notification delivery attempts that failed (error, timeout or non-2xx answer), retried or not.",
    registers: [registry],
  });
  return {
    outcome: (outcome) => messages.inc({ outcome }),
    attemptFailed: () => failures.inc(),
  };
}
