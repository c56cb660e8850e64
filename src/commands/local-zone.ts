/**
 * The machine's local time zone as cron and systemd see it: `TZ`, else the zone
 * `/etc/localtime` links to (or `/etc/timezone` names, on older Debian), else UTC. The CLI
 * reads it and hands it to the configuration, which never reads the environment itself.
 */
import { readFileSync, readlinkSync } from "node:fs";
import { isTimeZone as isKnownZone } from "../physics/zone-offsets.ts";

export interface LocalZone {
  /** An IANA name Intl accepts, e.g. "America/Denver". */
  timeZone: string;
  /** Where it came from, for the log: "TZ", "/etc/localtime", "/etc/timezone" or "default". */
  source: string;
}

/** What the resolver reads; injected so tests need no real files. */
export interface LocalZoneSources {
  env: Record<string, string | undefined>;
  readlink?: (path: string) => string;
  readFile?: (path: string) => string;
}

/** Resolves the machine's zone; anything unreadable or unknown falls through to the next source. */
export function localTimeZone(sources: LocalZoneSources): LocalZone {
  const readlink = sources.readlink ?? ((path: string) => readlinkSync(path));
  const readFile = sources.readFile ?? ((path: string) => readFileSync(path, "utf8"));
  // glibc allows TZ=":America/Denver"; a POSIX rule such as "MST7MDT" is also an IANA link name.
  const tz = sources.env.TZ?.trim().replace(/^:/, "");
  if (tz) {
    const fromTz = tz.startsWith("/") ? zoneFromPath(tz) : tz;
    if (fromTz && isKnownZone(fromTz)) return { timeZone: fromTz, source: "TZ" };
  }
  const linked = attempt(() => zoneFromPath(readlink("/etc/localtime")));
  if (linked && isKnownZone(linked)) return { timeZone: linked, source: "/etc/localtime" };
  const named = attempt(() => readFile("/etc/timezone").trim());
  if (named && isKnownZone(named)) return { timeZone: named, source: "/etc/timezone" };
  return { timeZone: "UTC", source: "default" };
}

/** "/usr/share/zoneinfo/America/Denver" → "America/Denver"; undefined when not under zoneinfo/. */
function zoneFromPath(path: string): string | undefined {
  const at = path.indexOf("zoneinfo/");
  return at < 0 ? undefined : path.slice(at + "zoneinfo/".length).replace(/^(posix|right)\//, "");
}

function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
