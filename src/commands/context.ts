/**
 * What every command needs before it calls the core: its validated Config (flags, then the
 * environment, then `.env` in the working directory) and a logger made from it. Every command
 * takes the sites' zone from here, by one rule (load-config.ts's TimeZoneOrigin): --timezone,
 * else NIGHTOWL_TIMEZONE, else with --demo the demo sites' zone, else the machine's.
 */
import type { Command } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config.ts";
import { loadConfig, secretFlagWarnings, settingSource, timeZoneOrigin, unknownVariables } from "../load-config.ts";
import { settingFlags } from "../setting-flags.ts";
import { createLogger, type Logger } from "../log.ts";
import { localTimeZone, type LocalZone } from "./local-zone.ts";
import { DEMO } from "./portal.ts";

export interface CommandContext {
  config: Config;
  log: Logger;
  /** The machine's zone and where it was read, which `config.timezone` is unless set. */
  localZone: LocalZone;
}

export function commandContext(options: Record<string, unknown>): CommandContext {
  const dotenvPath = join(process.cwd(), ".env");
  const localZone = localTimeZone({ env: process.env });
  const flags = settingFlags(options);
  const config = loadConfig({
    env: process.env,
    flags,
    dotenv: existsSync(dotenvPath) ? readFileSync(dotenvPath, "utf8") : undefined,
    localTimeZone: localZone.timeZone,
    sitesTimeZone: options.demo === true ? DEMO.timeZone : undefined,
  });
  // --quiet is errors only, whatever the level: cron mails whatever reaches stderr.
  const log = createLogger({ format: config.logFormat, level: options.quiet === true ? "error" : config.logLevel });
  for (const name of unknownVariables(process.env)) log.warn(`${name} is set but no setting reads it (a typo?)`);
  for (const warning of secretFlagWarnings(flags)) log.warn(warning);
  return { config, log, localZone };
}

/** The `--quiet` flag every command offers: errors only on standard error. */
export function addQuietOption(command: Command): Command {
  return command.option("--quiet", "print errors only (the same as --log-level error); for cron");
}

/** Writes to standard output; the one place commands print results. */
export function print(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : text + "\n");
}

/**
 * The zone the command counts nights and days in, and why: "Asia/Tokyo (--timezone)",
 * "America/Chicago (NIGHTOWL_TIMEZONE)", "America/Denver (the demo sites' zone)" or
 * "Europe/Berlin (this machine's zone, from TZ)".
 */
export function describeTimeZone({ config, localZone }: Pick<CommandContext, "config" | "localZone">): string {
  switch (timeZoneOrigin(config)) {
    case "setting":
      return `${config.timezone} (${settingSource(config, "timezone")})`;
    case "sites":
      return `${config.timezone} (the demo sites' zone)`;
    case "machine":
      return localZone.source === "default" ? `${config.timezone} (no local zone found: TZ unset, no /etc/localtime)` : `${config.timezone} (this machine's zone, from ${localZone.source})`;
  }
}

/** Logs the zone the command counts in, the same line in every command that tells times of day. */
export function logTimeZone(context: CommandContext): void {
  context.log.info(`Nights and days are counted in ${describeTimeZone(context)}`);
}
