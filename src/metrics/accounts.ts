/**
 * Health per account when one `run` watches many (NIGHTOWL_ACCOUNTS_FILE): which accounts the
 * last poll reached, how often each failed, how many devices each has. Labelled `account`, the
 * label the accounts file gives; the poll families beside them describe the process's poll.
 */
import { Counter, Gauge, type Registry } from "./prom-client.ts";

export interface AccountMetrics {
  /** Records one account's poll. */
  record(account: string, ok: boolean, devices: number): void;
  /** Whether the account's last poll failed. */
  failing(account: string): boolean;
}

export function registerAccountMetrics(registry: Registry): AccountMetrics {
  const registers = [registry];
  const success = new Gauge({ name: "nightowl_account_last_poll_success", help: "1 if the account's last poll succeeded, 0 if it failed (wrong password, portal down, no answer within the poll interval).", labelNames: ["account"], registers });
  const failures = new Counter({ name: "nightowl_account_poll_failures_total", help: "Failed polls of the account.", labelNames: ["account"], registers });
  const devices = new Gauge({ name: "nightowl_account_devices", help: "Devices of the account's last successful poll.", labelNames: ["account"], registers });
  const failed = new Set<string>();
  return {
    record(account, ok, count) {
      success.set({ account }, ok ? 1 : 0);
      devices.set({ account }, count);
      // Zero from the start, so rate() and increase() see the first failure.
      failures.inc({ account }, ok ? 0 : 1);
      if (ok) failed.delete(account);
      else failed.add(account);
    },
    failing: (account) => failed.has(account),
  };
}
