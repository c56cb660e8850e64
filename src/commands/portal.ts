/**
 * The portal a polling command talks to: the configured one, or with `--demo` the embedded
 * simulator started in this process, so the commands can be tried with nothing but this
 * program (`make demo`) and tested end to end without a fixed port.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SETTINGS, type Config, type SettingName } from "../config.ts";
import { parseDotenv, requireCredentials, settingSource } from "../load-config.ts";
import { describeError, isNightowlError, NightowlError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { displayUrl } from "../redact.ts";
import { NightowlClient, type ClientOptions } from "../nightowl/client.ts";
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
  return { client, baseUrl: displayUrl(baseUrl), account, poll: (signal) => client.devices({ ...query, signal }), close };
}

/**
 * Logs in once before polling starts. A refusal (HTTP 401/403) is a configuration mistake,
 * not an outage: it stops the command with one line and exit 2, so systemd shows the failure
 * instead of a monitor polling a wrong password forever. Any other failure (the portal down)
 * is left to the first poll, which retries and reports it.
 * @throws NightowlError E_AUTH (exit code 2) when the portal refuses the credentials
 */
export async function checkFirstLogin(portal: Portal, config: Config, log: Logger): Promise<void> {
  try {
    await portal.client.authenticate();
  } catch (error) {
    if (!isNightowlError(error, "E_AUTH")) {
      log.debug(`first login failed (${describeError(error)}); the first poll tries again`);
      return;
    }
    throw refusedLogin(error, config);
  }
}

/** A login the portal refused, as the one line (exit 2) that names the settings to check. */
export function refusedLogin(error: NightowlError, config: Config): NightowlError {
  return new NightowlError("E_AUTH", `the portal refused the login: ${error.message}; check ${credentialSources(config)}`, { cause: error, exitCode: 2 });
}

/**
 * Where the credentials of the first login came from, as the user gave them: the flags or the
 * variables (`--username and NIGHTOWL_PASSWORD_FILE`), or the accounts file (its first account
 * logs in first).
 */
export function credentialSources(config: Config): string {
  if (config.accountsFile !== undefined) return `the first account's username and passwordFile in ${settingSource(config, "accountsFile")}`;
  const password = config.passwordFile !== undefined ? settingSource(config, "passwordFile") : settingSource(config, "password");
  return `${settingSource(config, "username")} and ${password}`;
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
