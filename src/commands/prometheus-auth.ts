/**
 * How `train`, `score` and `report` authenticate to Prometheus: `--prometheus-username` with
 * `--prometheus-password` or `--prometheus-password-file`, or `--bearer-token`. The plain
 * `--username/--password` name the portal account in every command; given with
 * `--from-prometheus` and no `--prometheus-*` flag they are still read as Prometheus' (what
 * these commands once meant by them), with one warning.
 */
import { readFileSync } from "node:fs";
import { NightowlError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { PrometheusAuth } from "../history/prometheus-source.ts";

export interface PrometheusAuthFlags {
  prometheusUsername?: string;
  prometheusPassword?: string;
  prometheusPasswordFile?: string;
  bearerToken?: string;
  bearerTokenFile?: string;
  /** The portal account's flags; Prometheus' only as the deprecated spelling. */
  username?: string;
  password?: string;
}

/** Checks the combination; throws `E_USAGE` naming the flags that cannot go together. */
export function checkPrometheusAuth(flags: PrometheusAuthFlags): void {
  const user = flags.prometheusUsername !== undefined ? "--prometheus-username" : flags.username !== undefined ? "--username" : "";
  if (flags.bearerToken !== undefined && user) throw new NightowlError("E_USAGE", `--bearer-token and ${user} cannot be combined: give one way to authenticate to Prometheus`);
  if (flags.prometheusPassword !== undefined && flags.prometheusPasswordFile !== undefined) {
    throw new NightowlError("E_USAGE", "--prometheus-password and --prometheus-password-file cannot be combined: give the password one way");
  }
  if (flags.bearerTokenFile !== undefined && (flags.bearerToken !== undefined || user)) {
    throw new NightowlError("E_USAGE", `--bearer-token-file and ${flags.bearerToken !== undefined ? "--bearer-token" : user} cannot be combined: give one way to authenticate to Prometheus`);
  }
}

/**
 * The credentials the flags give for Prometheus.
 * @throws NightowlError E_CONFIG when the password file cannot be read
 */
export function prometheusAuth(flags: PrometheusAuthFlags, log: Logger, readFile: (path: string) => string = (p) => readFileSync(p, "utf8")): PrometheusAuth {
  checkPrometheusAuth(flags);
  const named = flags.prometheusUsername !== undefined || flags.prometheusPassword !== undefined || flags.prometheusPasswordFile !== undefined;
  if (!named && (flags.username !== undefined || flags.password !== undefined)) {
    log.warn("--username/--password with --from-prometheus are deprecated: use --prometheus-username and --prometheus-password (or --prometheus-password-file); --username/--password name the portal account");
    return { username: flags.username, password: flags.password, bearerToken: flags.bearerToken };
  }
  // A secret on the command line is in the process list for every user of the machine to read.
  if (flags.prometheusPassword !== undefined) log.warn("--prometheus-password shows the secret to every user of this machine in the process list (ps); prefer --prometheus-password-file");
  if (flags.bearerToken !== undefined) log.warn("--bearer-token shows the secret to every user of this machine in the process list (ps); prefer --bearer-token-file");
  const password = flags.prometheusPasswordFile !== undefined ? secretFromFile("--prometheus-password-file", flags.prometheusPasswordFile, "password", readFile) : flags.prometheusPassword;
  const bearerToken = flags.bearerTokenFile !== undefined ? secretFromFile("--bearer-token-file", flags.bearerTokenFile, "bearer token", readFile) : flags.bearerToken;
  return { username: flags.prometheusUsername, password, bearerToken };
}

/** A secret read from a file, its trailing line break dropped; E_CONFIG naming the flag when unreadable. */
function secretFromFile(flag: string, path: string, what: string, readFile: (path: string) => string): string {
  try {
    return readFile(path).replace(/\r?\n$/, "");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new NightowlError("E_CONFIG", `${flag} ${JSON.stringify(path)} cannot be read (${reason}): expected a readable file holding the ${what}`, { cause: error });
  }
}
