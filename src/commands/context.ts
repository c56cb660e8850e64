/**
 * What every command needs before it calls the core: its validated Config (flags, then the
 * environment, then `.env` in the working directory) and a logger made from it.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, settingFlags, unknownVariables, type Config } from "../config.ts";
import { createLogger, type Logger } from "../log.ts";

export interface CommandContext {
  config: Config;
  log: Logger;
}

export function commandContext(options: Record<string, unknown>): CommandContext {
  const dotenvPath = join(process.cwd(), ".env");
  const config = loadConfig({
    env: process.env,
    flags: settingFlags(options),
    dotenv: existsSync(dotenvPath) ? readFileSync(dotenvPath, "utf8") : undefined,
  });
  const log = createLogger({ format: config.logFormat, level: config.logLevel });
  for (const name of unknownVariables(process.env)) log.warn(`${name} is set but no setting reads it (a typo?)`);
  return { config, log };
}

/** Writes to standard output; the one place commands print results. */
export function print(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : text + "\n");
}
