/**
 * Many accounts in one `run` (NIGHTOWL_ACCOUNTS_FILE): one client per account, each with its
 * own token and failures, polled a few at a time. A poll is every account's devices; an account
 * that fails (wrong password, its portal down, too slow) does not fail or hold up the others:
 * it is counted in the account families, and its devices keep their last values (their
 * timestamps tell their age) until it answers again, as all devices do when a single-account
 * poll fails. Portal calls of all accounts share one RequestGate per portal.
 */
import { dirname, isAbsolute, join } from "node:path";
import type { Registry } from "prom-client";
import type { AccountEntry } from "../accounts-file.ts";
import type { Config } from "../config.ts";
import { describeError, isNightowlError, NightowlError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { displayUrl } from "../redact.ts";
import { registerAccountMetrics } from "../metrics/accounts.ts";
import { NightowlClient, type ClientOptions } from "../nightowl/client.ts";
import type { DeviceSnapshot } from "../nightowl/snapshot.ts";
import { loginOrExplain, type Portal } from "./portal.ts";

export interface AccountsOptions {
  /** Where the account families go. */
  registry: Registry;
  /** Longest one account's poll may take before it counts as failed, ms (the poll interval). */
  deadlineMs: number;
  /** Accounts polled at once (the portal concurrency). */
  concurrency: number;
  /** Reads a password file; injectable. */
  readFile: (path: string) => string;
  /** Client settings shared by every account (the request gate, test backoff). */
  client: (baseUrl: string) => Partial<ClientOptions>;
}

interface Account {
  entry: AccountEntry;
  client: NightowlClient;
  /** Devices of its last successful poll. */
  last: DeviceSnapshot[];
}

/**
 * A Portal over every account of `entries`. Password files are read now, so a missing one stops
 * the start with one line naming the account.
 */
export function openAccounts(config: Config, entries: readonly AccountEntry[], accountsFile: string, log: Logger, options: AccountsOptions): Portal {
  const metrics = registerAccountMetrics(options.registry);
  const accounts: Account[] = entries.map((entry) => {
    const path = isAbsolute(entry.passwordFile) ? entry.passwordFile : join(dirname(accountsFile), entry.passwordFile);
    let password: string;
    try {
      password = options.readFile(path).replace(/\r?\n$/, "");
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new NightowlError("E_CONFIG", `${accountsFile}: account ${JSON.stringify(entry.label)}: passwordFile ${JSON.stringify(path)} cannot be read (${reason})`, { cause: error });
    }
    const baseUrl = entry.baseUrl ?? config.baseUrl;
    const client = new NightowlClient({
      baseUrl,
      username: entry.username,
      password,
      tenant: entry.tenant || undefined,
      timeoutMs: config.requestTimeoutSeconds * 1000,
      maxBodyBytes: config.maxResponseMb * 1024 * 1024,
      log: prefixed(log, `account ${entry.label}`),
      ...options.client(baseUrl),
    });
    return { entry, client, last: [] };
  });
  const owner = new Map<string, Account>();
  const query = { timeseriesKeys: config.timeseriesKeys, attributeKeys: config.attributeKeys, pageSize: config.pageSize };

  const pollOne = async (account: Account, signal: AbortSignal | undefined): Promise<void> => {
    const deadline = AbortSignal.timeout(options.deadlineMs);
    try {
      // Raced as well as passed on: a log-in under way does not take the signal.
      const devices = await Promise.race([account.client.devices({ ...query, signal: signal ? AbortSignal.any([signal, deadline]) : deadline }), rejectOn(deadline)]);
      // A device without CustomerInfo is the account's: its label is the one the file gives.
      account.last = devices.map((d) => (d.userLabel === "unknown" ? { ...d, userLabel: account.entry.label } : d));
      for (const d of account.last) owner.set(d.id, account);
      metrics.record(account.entry.label, true, account.last.length);
    } catch (error) {
      if (signal?.aborted) throw error;
      const why = deadline.aborted ? `no answer within ${Math.round(options.deadlineMs / 1000)} s` : describeError(error);
      log.warn(`account ${account.entry.label}: poll failed: ${why}; its ${account.last.length} device(s) keep their last values`);
      metrics.record(account.entry.label, false, account.last.length);
    }
  };

  return {
    client: accounts[0]!.client,
    clientFor: (device) => owner.get(device.id)?.client ?? accounts[0]!.client,
    baseUrl: `${accounts.length} account(s) of ${[...new Set(accounts.map((a) => displayUrl(a.entry.baseUrl ?? config.baseUrl)))].join(", ")}`,
    async poll(signal) {
      // As many accounts at once as the portal gate lets calls through, each timed from its own
      // start: timing all from the poll's start would fail the accounts queued at the back.
      let next = 0;
      const worker = async () => {
        while (next < accounts.length) await pollOne(accounts[next++]!, signal);
      };
      await Promise.all(Array.from({ length: Math.min(options.concurrency, accounts.length) }, worker));
      if (accounts.every((a) => metrics.failing(a.entry.label))) throw new NightowlError("E_HTTP", `every account's poll failed (${accounts.length})`);
      // A device listed by two accounts (a shared site) is kept once, under the first account.
      const seen = new Set<string>();
      return accounts.flatMap((a) => a.last).filter((d) => !seen.has(d.id) && Boolean(seen.add(d.id)));
    },
    // Every account at once, each within a poll's deadline. One refused password, or one base
    // URL without a login (404), is that account's failure, as in every poll after (a WARN line,
    // its families), never the others': only when every account fails so is the file itself
    // wrong, and the start stops.
    async login() {
      const refusals = await Promise.all(accounts.map(async (account) => {
        const { entry } = account;
        try {
          await Promise.race([loginOrExplain(account.client, config, { username: entry.username, tenant: entry.tenant || undefined, baseUrl: displayUrl(entry.baseUrl ?? config.baseUrl), label: entry.label, ownBaseUrl: entry.baseUrl !== undefined }), rejectOn(AbortSignal.timeout(options.deadlineMs))]);
          return undefined;
        } catch (error) {
          return isNightowlError(error, "E_AUTH") || isNightowlError(error, "E_CONFIG") ? error : undefined;
        }
      }));
      const refused = refusals.filter((r) => r !== undefined);
      if (refused.length === accounts.length) {
        if (refused.length === 1) throw refused[0]!;
        const allRefused = refused.every((r) => r.code === "E_AUTH");
        throw new NightowlError(allRefused ? "E_AUTH" : "E_CONFIG", `${allRefused ? "the portal refused every account's login" : "no account could log in"} (${refused.length}); the first: ${refused[0]!.message}`, { cause: refused[0], exitCode: 2 });
      }
      for (const error of refused) log.warn(`${error.message}; the other accounts are polled`);
    },
    close: async () => {},
  };
}

/** A logger that puts the account before each message, so its client's lines say whose they are. */
function prefixed(log: Logger, prefix: string): Logger {
  return {
    error: (m, f) => log.error(`${prefix}: ${m}`, f),
    warn: (m, f) => log.warn(`${prefix}: ${m}`, f),
    info: (m, f) => log.info(`${prefix}: ${m}`, f),
    debug: (m, f) => log.debug(`${prefix}: ${m}`, f),
  };
}

/** A promise that rejects when `signal` aborts (and never settles otherwise). */
function rejectOn(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
}
