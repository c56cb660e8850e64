/**
 * Whether the portal accepts the account's credentials, watched poll by poll: a refused login
 * after `run` started (a changed password) keeps the loop polling, but says so in
 * `nightowl_portal_login_refused` and on /readyz until a poll succeeds again.
 */
import { Gauge, type Registry } from "./prom-client.ts";
import { describeError, isNightowlError } from "../errors.ts";
import type { PollObserver } from "../nightowl/poll-result.ts";

export interface PortalAuthWatch extends PollObserver {
  /** Why /readyz should say 503 while the portal refuses the credentials, else undefined. */
  refusal(): string | undefined;
}

/** Registers `nightowl_portal_login_refused` and returns the observer that sets it. */
export function registerPortalAuthWatch(registry: Registry): PortalAuthWatch {
  const refused = new Gauge({
    name: "nightowl_portal_login_refused",
    help: "1 while the portal refuses the account's credentials (HTTP 401 or 403 at login: a changed password), else 0.",
    registers: [registry],
  });
  refused.set(0);
  let reason: string | undefined;
  return {
    observe(result) {
      if (result.ok) reason = undefined;
      else if (isNightowlError(result.error, "E_AUTH")) reason = `the portal refuses the account's credentials: ${describeError(result.error)}`;
      else return; // Another failure says nothing about the credentials.
      refused.set(reason === undefined ? 0 : 1);
    },
    refusal: () => reason,
  };
}
