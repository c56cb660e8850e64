/** The settings as command-line flags: added to a command, and read back from what commander parsed. */
import type { Command } from "commander";
import { SETTINGS, type SettingName } from "./config.ts";

/** Adds the flags of the named settings to a command, with the variable and default in the help. */
export function addSettingOptions(command: Command, names: readonly SettingName[]): Command {
  for (const name of names) {
    const s = SETTINGS[name];
    const dflt = "default" in s && !s.default.includes(",") ? ` (default: ${s.default})` : "";
    const help = `${s.help} [${s.env}]${dflt}`;
    // A repeated flag collects its values; loadConfig joins them with commas, as the variable lists them.
    if ("repeatable" in s) command.option(s.flag, help, (value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    else command.option(s.flag, help);
  }
  return command;
}

/** Maps commander's parsed options (camelCase of each long flag) back to setting names. */
export function settingFlags(options: Record<string, unknown>): Partial<Record<SettingName, unknown>> {
  const out: Partial<Record<SettingName, unknown>> = {};
  for (const [name, s] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    const attribute = s.flag.split(" ")[0]!.replace(/^--/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (options[attribute] !== undefined) out[name] = options[attribute];
  }
  return out;
}
