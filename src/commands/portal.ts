/**
 * The portal a polling command talks to: the configured one, or with `--demo` the embedded
 * simulator started in this process, so the commands can be tried with nothing but this
 * program (`make demo`) and tested end to end without a fixed port.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SETTINGS, type Config, type SettingName } from "../config.ts";
import { givenSetting, parseDotenv, requireCredentials, settingSource } from "../load-config.ts";
import { describeError, isNightowlError, NightowlError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { displayUrl } from "../redact.ts";
import { NightowlClient, type ClientOptions } from "../nightowl/client.ts";
import { HttpStatusError } from "../nightowl/http.ts";
import type { DeviceSnapshot } from "../nightowl/snapshot.ts";
import { startSimulator } from "../sim/server.ts";

/**
 * The demo's simulated sites: a few devices, an hour of simulated time per real minute, fixed
 * seed. Seed 42 puts all three in Bozeman, MT, so the demo's nights are America/Denver's (the
 * simulator keeps Mountain Standard Time all year; summer nights are an hour off, no more).
 */
export const DEMO = { devices: 3, speed: 60, seed: 42, timeZone: "America/Denver" } as const;

/** How to start the embedded simulator, beyond `DEMO`. */
export interface DemoOptions {
  /** Simulated seconds per real second (default `DEMO.speed`). */
  speed?: number;
}

export interface Portal {
  client: NightowlClient;
  /** The portal's base URL as logs show it: any `user:password@` taken out. */
  baseUrl: string;
  /** The one account logged in as (absent over an accounts file): a fetch's checkpoint names it. */
  account?: { username: string; tenant?: string };
  /** The client to read a device's history with, when devices come from several accounts. */
  clientFor?(device: DeviceSnapshot): NightowlClient;
  /** One poll: every device with its latest values under the configured keys. */
  poll(signal?: AbortSignal): Promise<DeviceSnapshot[]>;
  /**
   * Logs in now (every account of an accounts file, which stops only when all are refused).
   * Every command calls it before its first portal call, so a refused login is the same one
   * line and exit code in all of them.
   * @throws NightowlError E_AUTH with exit code 2 ({@link refusedLogin}) when the portal refuses the credentials
   * @throws NightowlError E_CONFIG ({@link noLoginHere}) when the login endpoint answers 404 (a wrong base URL)
   */
  login(): Promise<void>;
  /** Stops the embedded simulator, if one was started. */
  close(): Promise<void>;
}

/**
 * Connects to the configured portal, or starts the simulator on a free loopback port and uses
 * its first account when `demo` is set (credentials in the configuration are then ignored);
 * `demo` may be options of the simulator (its clock speed).
 * `clientOverrides` tune the client (retry backoff in tests).
 * @throws NightowlError E_CONFIG when not a demo and credentials are missing
 */
export async function openPortal(config: Config, log: Logger, demo: boolean | DemoOptions, clientOverrides: Partial<ClientOptions> = {}): Promise<Portal & Required<Pick<Portal, "account">>> {
  let baseUrl = config.baseUrl;
  let credentials: { username: string; password: string; tenant?: string };
  let close = async () => {};
  if (demo) {
    const speed = (demo === true ? undefined : demo.speed) ?? DEMO.speed;
    const sim = await startSimulator({ host: "127.0.0.1", port: 0, devices: DEMO.devices, seed: DEMO.seed, speed });
    baseUrl = sim.url;
    credentials = sim.accounts[0]!;
    close = async () => {
      await sim.stop();
    };
    log.info(`Demo: simulator with ${DEMO.devices} devices at ${sim.url} (simulated time ×${speed}, seed ${DEMO.seed})`);
  } else {
    credentials = requireCredentials(config);
  }
  const client = new NightowlClient({ baseUrl, ...credentials, timeoutMs: config.requestTimeoutSeconds * 1000, maxBodyBytes: config.maxResponseMb * 1024 * 1024, log, ...clientOverrides });
  const query = { timeseriesKeys: config.timeseriesKeys, attributeKeys: config.attributeKeys, pageSize: config.pageSize };
  const account = { username: credentials.username, tenant: credentials.tenant };
  const shownUrl = displayUrl(baseUrl);
  return {
    client,
    baseUrl: shownUrl,
    account,
    poll: (signal) => client.devices({ ...query, signal }),
    login: () => loginOrExplain(client, config, { ...account, baseUrl: shownUrl }),
    close,
  };
}

/**
 * Logs in once before polling starts. A refusal (HTTP 401/403) or no login endpoint at the base
 * URL (404) is a configuration mistake, not an outage: it stops the command with one line and
 * exit 2, so systemd shows the failure instead of a monitor polling a wrong password or URL
 * forever. Any other failure (the portal down) is left to the first poll, which retries and
 * reports it; so is a 404 in a later poll (a proxy's brief one must not stop a running service).
 * @throws NightowlError E_AUTH or E_CONFIG (exit code 2) when the portal refuses the credentials or has no login at the base URL
 */
export async function checkFirstLogin(portal: Portal, log: Logger): Promise<void> {
  try {
    await portal.login();
  } catch (error) {
    if (isNightowlError(error, "E_AUTH") || isNightowlError(error, "E_CONFIG")) throw error;
    log.debug(`first login failed (${describeError(error)}); the first poll tries again`);
  }
}

/** Who logged in where, as a refused login's line names them. */
export interface LoginAttempt {
  username: string;
  tenant?: string;
  /** As logs show it: no `user:password@`. */
  baseUrl: string;
  /** The account's label in an accounts file. */
  label?: string;
  /** The base URL is the account's own `baseUrl` in the accounts file, not the setting's. */
  ownBaseUrl?: boolean;
}

/**
 * `client.authenticate()` at a command's first login, a refusal turned into {@link refusedLogin}'s
 * line and a 404 from the login endpoint into {@link noLoginHere}'s.
 */
export async function loginOrExplain(client: NightowlClient, config: Config, attempt: LoginAttempt): Promise<void> {
  try {
    await client.authenticate();
  } catch (error) {
    if (isNightowlError(error, "E_AUTH")) throw refusedLogin(error, config, attempt);
    if (error instanceof HttpStatusError && error.status === 404 && error.endpoint === `POST ${LOGIN_PATH}`) throw noLoginHere(error, config, attempt);
    throw error;
  }
}

/** The login endpoint below the base URL (client.ts). */
const LOGIN_PATH = "/api/auth/login";

/**
 * A login endpoint that is not there (HTTP 404) at a command's first login: the base URL is
 * wrong, not the portal down, so it is one line (exit 2) naming the URL asked and the setting
 * it came from. A base URL ending in `/api` is the commonest slip (the API's paths begin with
 * `/api` themselves): the line says to drop it. Credentials in the URL are never shown.
 */
export function noLoginHere(error: HttpStatusError, config: Config, attempt: LoginAttempt): NightowlError {
  const base = attempt.baseUrl.replace(/\/+$/, "");
  const answer = error.message.startsWith(`${error.endpoint}: `) ? error.message.slice(error.endpoint.length + 2) : error.message;
  const setting = attempt.ownBaseUrl
    ? `${attempt.label === undefined ? "the account's" : `account ${JSON.stringify(attempt.label)}'s`} baseUrl in ${givenSetting(config, "accountsFile", JSON.stringify(config.accountsFile))}`
    : givenSetting(config, "baseUrl", JSON.stringify(displayUrl(config.baseUrl)));
  // A URL the client asked, so it parses.
  const path = new URL(base).pathname;
  const hint = /\/api$/i.test(path) ? `; drop the "${path.slice(-4)}" at its end (nightowl adds it to every path)` : "";
  return new NightowlError("E_CONFIG", `the portal has no login at ${base}${LOGIN_PATH} (${answer}): check the portal's base URL, ${setting}${hint}`, { cause: error, exitCode: 2 });
}

/**
 * A login the portal refused, as the one line (exit 2: wrong credentials are configuration)
 * that names the account, the portal, the portal's answer and the settings to check. The
 * password is never in it; the password file's path is, the first thing to look at.
 */
export function refusedLogin(error: NightowlError, config: Config, attempt: LoginAttempt): NightowlError {
  const who = `${JSON.stringify(attempt.username)}${attempt.tenant ? ` (tenant ${JSON.stringify(attempt.tenant)})` : ""}`;
  // The endpoint is always the login's: the status and the portal's words are what tell.
  const answer = error instanceof HttpStatusError && error.message.startsWith(`${error.endpoint}: `) ? error.message.slice(error.endpoint.length + 2) : error.message;
  return new NightowlError("E_AUTH", `the portal refused the login of ${who} at ${attempt.baseUrl} (${answer}): check ${credentialSources(config, attempt.label)}${edgeSpaceNote(config)}`, { cause: error, exitCode: 2 });
}

/**
 * A password file's commonest slip, said without showing the password: white space at either
 * end (a space before the line break, a blank line after it) is sent as part of the password,
 * since only one final line break is dropped.
 */
function edgeSpaceNote(config: Config): string {
  if (config.accountsFile !== undefined || config.password === undefined || config.password === config.password.trim()) return "";
  return `; the password ${config.passwordFile !== undefined ? "read from the file " : ""}begins or ends with white space, which is sent as part of it${config.passwordFile !== undefined ? " (only the file's one final line break is dropped)" : ""}`;
}

/**
 * Where the credentials of a login came from, as the user gave them (`the password in
 * NIGHTOWL_PASSWORD_FILE="/run/pw", the username in --username …`), or the account `label` of
 * the accounts file.
 */
export function credentialSources(config: Config, label?: string): string {
  if (config.accountsFile !== undefined) return `${label === undefined ? "the account's" : `account ${JSON.stringify(label)}'s`} username, passwordFile and tenant in ${givenSetting(config, "accountsFile", JSON.stringify(config.accountsFile))}`;
  const password = config.passwordFile !== undefined ? givenSetting(config, "passwordFile", JSON.stringify(config.passwordFile)) : settingSource(config, "password");
  const tenant = config.tenant ? `and the tenant in ${settingSource(config, "tenant")}` : `and, if the account needs one, the tenant (--tenant or ${SETTINGS.tenant.env})`;
  return `the password in ${password}, the username in ${settingSource(config, "username")} ${tenant}`;
}

/**
 * Whether the user set a setting anywhere (flag, environment or `.env`), so `--demo` only
 * fills in the settings left at their defaults.
 */
export function isSettingGiven(name: SettingName, flags: Record<string, unknown>, env: Record<string, string | undefined> = process.env): boolean {
  if (flags[flagAttribute(name)] !== undefined) return true;
  const variable = SETTINGS[name].env;
  if (env[variable] !== undefined) return true;
  const dotenvPath = join(process.cwd(), ".env");
  return existsSync(dotenvPath) && parseDotenv(readFileSync(dotenvPath, "utf8"))[variable] !== undefined;
}

/** Commander's attribute for a setting's long flag ("--poll-interval" → "pollInterval"). */
export function flagAttribute(name: SettingName): string {
  return SETTINGS[name].flag.split(" ")[0]!.replace(/^--/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
