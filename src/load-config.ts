/**
 * Configuration from the environment, a `.env` file and command-line flags, merged and
 * validated by the settings table (config.ts) into one `Config`. Flags win over the
 * environment, the environment over `.env`; secrets may come from files.
 */
import * as v from "valibot";
import { ConfigSchema, SECRET_FILES, SETTINGS, type Config, type SettingName } from "./config.ts";
import { NightowlError } from "./errors.ts";
import { notAllowedMessage } from "./number-rule.ts";

export interface ConfigSources {
  /** The process environment (commands pass `process.env`). */
  env: Record<string, string | undefined>;
  /** Flags as commander parsed them, keyed by setting name (camelCase). */
  flags?: Partial<Record<string, unknown>>;
  /** Contents of a `.env` file, if there is one. */
  dotenv?: string;
  /** Reads a password file; injected so tests need no real file. */
  readFile?: (path: string) => string;
  /** The machine's IANA zone, which NIGHTOWL_TIMEZONE=local (the default) means; UTC if not given. */
  localTimeZone?: string;
  /**
   * The zone of the sites being watched when the program knows it (the demo's simulated sites):
   * taken when neither the flag nor the variable names a zone, before the machine's.
   */
  sitesTimeZone?: string;
}

/**
 * Why the sites' zone is the one it is, the one rule every command follows: named by the flag or
 * the variable (`setting`), else the known sites' zone (`sites`, the demo's), else the machine's
 * (`machine`, also when the setting says `local`). Never the leak model's: a model trained in
 * another zone is warned of (src/ml/model-zone.ts), not followed.
 */
export type TimeZoneOrigin = "setting" | "sites" | "machine";

/** Parses `KEY=value` lines; `#` comments, `export ` prefixes and quotes as shells write them. */
export function parseDotenv(source: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of source.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!;
    const quoted = /^(['"])(.*?)\1\s*(?:#.*)?$/.exec(value);
    if (quoted) value = quoted[2]!;
    else value = value.replace(/\s+#.*$/, "");
    out[m[1]!] = value;
  }
  return out;
}

/**
 * Merges the sources and validates them. Throws `E_CONFIG` naming the variable, the bad
 * value (never a secret's) and what is allowed.
 */
export function loadConfig(sources: ConfigSources): Config {
  const dotenv = sources.dotenv ? parseDotenv(sources.dotenv) : {};
  const raw: Record<string, string> = {};
  const origin: Record<string, string> = {};
  const suffix: Record<string, string> = {};
  let zoneNamed = false;
  for (const [name, s] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    const flagValue = sources.flags?.[name];
    const flagName = s.flag.split(" ")[0]!;
    if (flagValue !== undefined && flagValue !== false) {
      raw[name] = flagValue === true ? "true" : String(flagValue);
      origin[name] = flagName;
      zoneNamed ||= name === "timezone";
    } else if (sources.env[s.env] !== undefined) {
      raw[name] = sources.env[s.env]!;
      origin[name] = s.env;
      zoneNamed ||= name === "timezone";
    } else if (dotenv[s.env] !== undefined) {
      raw[name] = dotenv[s.env]!;
      origin[name] = s.env;
      suffix[name] = " (from .env)";
      zoneNamed ||= name === "timezone";
    } else if ("default" in s) {
      raw[name] = s.default;
      origin[name] = s.env;
    }
  }

  // The one place the sites' zone is decided (TimeZoneOrigin): named, else the known sites', else the machine's.
  let zoneOrigin: TimeZoneOrigin = "setting";
  if (!zoneNamed && sources.sitesTimeZone !== undefined) {
    raw.timezone = sources.sitesTimeZone;
    zoneOrigin = "sites";
  } else if (raw.timezone?.trim().toLowerCase() === "local") {
    raw.timezone = sources.localTimeZone ?? "UTC";
    zoneOrigin = "machine";
  }

  // Secrets from their files first, so a file's value meets the same schema as the variable's.
  const fromFile: Record<string, string> = {};
  for (const [secret, file] of Object.entries(SECRET_FILES) as [keyof typeof SECRET_FILES, SettingName][]) {
    if (raw[file] === undefined) continue;
    const named = `${origin[file]}${suffix[file] ?? ""}`;
    // Two values for one secret: whichever won, the other was meant by someone (a unit file's
    // credential, a forgotten export), and a login failing with the wrong one says nothing of why.
    if (raw[secret] !== undefined) {
      throw new NightowlError("E_CONFIG", `${origin[secret]}${suffix[secret] ?? ""} and ${named} are both set: expected one of them, the ${SECRET_NAMES[secret]} or the file holding it`);
    }
    const path = raw[file]!.trim();
    const what = SECRET_NAMES[secret];
    // As typed: `--password-file "/x"` from the flag, `NIGHTOWL_PASSWORD_FILE="/x"` from the environment.
    const given = spell(origin[file]!, JSON.stringify(path), suffix[file] ?? "");
    let value: string;
    try {
      value = (sources.readFile ?? defaultReadFile)(path).replace(/\r?\n$/, "");
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new NightowlError("E_CONFIG", `${given} cannot be read (${reason}): expected a readable file holding the ${what}`, { cause: error });
    }
    if (value === "") throw new NightowlError("E_CONFIG", `${given} is empty: expected a file holding the ${what}`);
    raw[secret] = value;
    fromFile[secret] = given;
  }

  const result = v.safeParse(ConfigSchema, raw);
  if (!result.success) {
    const issue = result.issues[0];
    const name = (issue.path?.[0]?.key ?? "") as SettingName;
    if (fromFile[name]) throw new NightowlError("E_CONFIG", `${fromFile[name]} holds a value that is not allowed (not shown: a secret): expected ${issue.message}`);
    const setting = SETTINGS[name];
    const shown = setting && "secret" in setting ? "(hidden)" : JSON.stringify(raw[name] ?? "");
    throw new NightowlError("E_CONFIG", notAllowedMessage(origin[name] ?? name, `${shown}${suffix[name] ?? ""}`, issue.message));
  }
  const config = result.output as Config;

  SOURCES.set(config, Object.fromEntries(Object.keys(origin).map((name) => [name, { origin: origin[name]!, suffix: suffix[name] ?? "" }])));
  ZONE_ORIGINS.set(config, zoneOrigin);
  if ((config.metricsAuthUsername === undefined) !== (config.metricsAuthPassword === undefined)) {
    throw new NightowlError("E_CONFIG", "NIGHTOWL_METRICS_AUTH_USERNAME and NIGHTOWL_METRICS_AUTH_PASSWORD go together: set both or neither");
  }
  return config;
}

/** Where each setting of a loaded Config came from: its flag, or its variable (from .env or not). */
const SOURCES = new WeakMap<Config, Readonly<Record<string, { origin: string; suffix: string }>>>();

const ZONE_ORIGINS = new WeakMap<Config, TimeZoneOrigin>();

/** Why `config.timezone` is the zone it is; `setting` for a Config not made by `loadConfig`. */
export function timeZoneOrigin(config: Config): TimeZoneOrigin {
  return ZONE_ORIGINS.get(config) ?? "setting";
}

/**
 * Setting `name` with `value` as the user gave it, for a message about it: `--max-memory-mb 64`
 * when it came from the flag, `NIGHTOWL_MAX_MEMORY_MB=64` from the environment (`… (from .env)`
 * from the file); the variable for a Config not made by `loadConfig`.
 */
export function givenSetting(config: Config, name: SettingName, value: string): string {
  const source = sourceOf(config, name);
  return spell(source.origin, value, source.suffix);
}

/**
 * Setting `name` as the user gave it, without its value, for a message asking to change it:
 * `--metrics-port` when it came from the flag, else its variable (`… (from .env)` from the file;
 * the variable too for a default, the place to set it for good).
 */
export function settingSource(config: Config, name: SettingName): string {
  const source = sourceOf(config, name);
  return `${source.origin}${source.suffix}`;
}

/** Where setting `name` of `config` came from; its variable for a Config not made by `loadConfig`. */
function sourceOf(config: Config, name: SettingName): { origin: string; suffix: string } {
  return SOURCES.get(config)?.[name] ?? { origin: SETTINGS[name].env, suffix: "" };
}

/** A setting with its value as typed: `--flag value` for a flag, `VARIABLE=value` for a variable. */
function spell(origin: string, value: string, suffix: string): string {
  return `${origin}${origin.startsWith("--") ? " " : "="}${value}${suffix}`;
}

const SECRET_NAMES: Record<keyof typeof SECRET_FILES, string> = {
  password: "password",
  metricsAuthBearerToken: "bearer token for /metrics",
  metricsAuthPassword: "basic-auth password for /metrics",
  notifyUrls: "notification URLs",
};

/**
 * One warning per secret given as a flag: the command line of a running process is visible to
 * every user of the machine (`ps -ef`, /proc/PID/cmdline) for as long as it runs.
 */
export function secretFlagWarnings(flags: Partial<Record<string, unknown>>): string[] {
  return (Object.keys(SECRET_FILES) as (keyof typeof SECRET_FILES)[])
    .filter((name) => flags[name] !== undefined && flags[name] !== false)
    .map((name) => {
      const s = SETTINGS[name];
      const file = SETTINGS[SECRET_FILES[name]];
      return `${s.flag.split(" ")[0]} shows the secret to every user of this machine in the process list (ps); prefer ${file.flag.split(" ")[0]} or ${file.env} (or ${s.env} in the environment)`;
    });
}

function defaultReadFile(path: string): string {
  return require("node:fs").readFileSync(path, "utf8");
}

/** NIGHTOWL_* variables no setting reads: almost always a typo worth a warning. */
export function unknownVariables(env: Record<string, string | undefined>): string[] {
  const known = new Set<string>(Object.values(SETTINGS).map((s) => s.env));
  return Object.keys(env).filter((k) => k.startsWith("NIGHTOWL_") && !known.has(k)).sort();
}

/** Throws `E_CONFIG` unless credentials are present; commands that talk to the portal call it. */
export function requireCredentials(config: Config): { username: string; password: string; tenant?: string } {
  if (!config.username) throw new NightowlError("E_CONFIG", "NIGHTOWL_USERNAME is not set: expected the NightOwl account's user name (or --username)");
  if (config.password === undefined || config.password === "") {
    const what = config.password === "" ? "is empty" : "is not set";
    throw new NightowlError("E_CONFIG", `NIGHTOWL_PASSWORD ${what}: expected the password, or NIGHTOWL_PASSWORD_FILE naming a file that holds it`);
  }
  return { username: config.username, password: config.password, tenant: config.tenant || undefined };
}
