import { describe, expect, test } from "bun:test";
import { Command } from "commander";
import { SETTINGS } from "./config.ts";
import { givenSetting, loadConfig, parseDotenv, requireCredentials, secretFlagWarnings, timeZoneOrigin, unknownVariables } from "./load-config.ts";
import { addSettingOptions, settingFlags } from "./setting-flags.ts";
import { NightowlError } from "./errors.ts";

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(NightowlError);
    expect((error as NightowlError).code).toBe("E_CONFIG");
    return (error as Error).message;
  }
  throw new Error("expected an E_CONFIG error");
}

describe("defaults", () => {
  test("match the original monitor", () => {
    const c = loadConfig({ env: {} });
    expect(c.baseUrl).toBe("https://portal.watersystem.live");
    expect(c.pollIntervalSeconds).toBe(60);
    expect(c.pageSize).toBe(5);
    expect(c.metricsHost).toBe("0.0.0.0");
    expect(c.metricsPort).toBe(8010);
    expect(c.mlEnabled).toBe(false);
    expect(c.mlInferenceInterval).toBe(5);
    expect(c.summaryKeys).toEqual(["Well_Level-1", "Level1_precent", "Pulse_TotalGallons"]);
    expect(c.timeseriesKeys).toHaveLength(26);
    expect(c.attributeKeys).toContain("CustomerInfo");
  });

  test("the time zone is the machine's unless set; NIGHTOWL_TIMEZONE=local says so explicitly", () => {
    expect(loadConfig({ env: {} }).timezone).toBe("UTC");
    expect(loadConfig({ env: {}, localTimeZone: "America/Denver" }).timezone).toBe("America/Denver");
    expect(loadConfig({ env: { NIGHTOWL_TIMEZONE: "local" }, localTimeZone: "Europe/Paris" }).timezone).toBe("Europe/Paris");
    expect(loadConfig({ env: { NIGHTOWL_TIMEZONE: "Asia/Tokyo" }, localTimeZone: "America/Denver" }).timezone).toBe("Asia/Tokyo");
  });

  test.each([
    ["the flag", { NIGHTOWL_TIMEZONE: "America/Chicago" }, { timezone: "Asia/Tokyo" }, "", "Asia/Tokyo", "setting"],
    ["the variable", { NIGHTOWL_TIMEZONE: "America/Chicago" }, {}, "", "America/Chicago", "setting"],
    ["the variable from .env", {}, {}, "NIGHTOWL_TIMEZONE=America/Boise", "America/Boise", "setting"],
    ["the known sites' zone when none is named", {}, {}, "", "America/Denver", "sites"],
    ["the machine's when the variable says local, even for known sites", { NIGHTOWL_TIMEZONE: "local" }, {}, "", "Europe/Paris", "machine"],
  ] as const)("the sites' zone by the one rule: %s", (_name, env, flags, dotenv, zone, origin) => {
    const config = loadConfig({ env: { ...env }, flags: { ...flags }, dotenv, localTimeZone: "Europe/Paris", sitesTimeZone: "America/Denver" });
    expect([config.timezone, timeZoneOrigin(config)]).toEqual([zone, origin]);
  });

  test("without known sites, the machine's zone, and it says so", () => {
    const config = loadConfig({ env: {}, localTimeZone: "Europe/Paris" });
    expect([config.timezone, timeZoneOrigin(config)]).toEqual(["Europe/Paris", "machine"]);
  });

  test("accept the bounds themselves", () => {
    const c = loadConfig({ env: { NIGHTOWL_POLL_INTERVAL_SECONDS: "10", NIGHTOWL_PAGE_SIZE: "1", NIGHTOWL_METRICS_PORT: "65535" } });
    expect([c.pollIntervalSeconds, c.pageSize, c.metricsPort]).toEqual([10, 1, 65535]);
  });
});

describe("bad values name the variable, the value and what is allowed", () => {
  test.each([
    [{ NIGHTOWL_POLL_INTERVAL_SECONDS: "" }, 'NIGHTOWL_POLL_INTERVAL_SECONDS="" is not allowed: expected a whole number from 10 to 86400 (seconds)'],
    [{ NIGHTOWL_POLL_INTERVAL_SECONDS: "abc" }, 'NIGHTOWL_POLL_INTERVAL_SECONDS="abc" is not allowed: expected a whole number from 10 to 86400 (seconds)'],
    [{ NIGHTOWL_POLL_INTERVAL_SECONDS: "9" }, 'NIGHTOWL_POLL_INTERVAL_SECONDS="9" is not allowed: expected a whole number from 10 to 86400 (seconds)'],
    [{ NIGHTOWL_POLL_INTERVAL_SECONDS: "12.5" }, 'NIGHTOWL_POLL_INTERVAL_SECONDS="12.5" is not allowed: expected a whole number from 10 to 86400 (seconds)'],
    [{ NIGHTOWL_PAGE_SIZE: "0" }, 'NIGHTOWL_PAGE_SIZE="0" is not allowed: expected a whole number from 1 to 1000'],
    [{ NIGHTOWL_PAGE_SIZE: "-3" }, 'NIGHTOWL_PAGE_SIZE="-3" is not allowed: expected a whole number from 1 to 1000'],
    [{ NIGHTOWL_PAGE_SIZE: "1e1" }, 'NIGHTOWL_PAGE_SIZE="1e1" is not allowed: expected a whole number from 1 to 1000'],
    [{ NIGHTOWL_PAGE_SIZE: "0x10" }, 'NIGHTOWL_PAGE_SIZE="0x10" is not allowed: expected a whole number from 1 to 1000'],
    [{ NIGHTOWL_METRICS_PORT: "70000" }, 'NIGHTOWL_METRICS_PORT="70000" is not allowed: expected a whole number from 0 to 65535'],
    [{ NIGHTOWL_METRICS_PORT: "http" }, 'NIGHTOWL_METRICS_PORT="http" is not allowed: expected a whole number from 0 to 65535'],
    [{ NIGHTOWL_METRICS_HOST: "" }, `NIGHTOWL_METRICS_HOST="" is not allowed: expected an IP address (IPv4 parts 0 to 255, or IPv6) or a host name of letters, digits, '-' and '.'`],
    [{ NIGHTOWL_BASE_URL: "ftp://portal" }, 'NIGHTOWL_BASE_URL="ftp://portal" is not allowed: expected an http:// or https:// URL'],
    [{ NIGHTOWL_BASE_URL: "portal.watersystem.live" }, 'NIGHTOWL_BASE_URL="portal.watersystem.live" is not allowed: expected an http:// or https:// URL'],
    [{ NIGHTOWL_BASE_URL: "" }, 'NIGHTOWL_BASE_URL="" is not allowed: expected an http:// or https:// URL'],
    [{ NIGHTOWL_TIMESERIES_KEYS: " , " }, 'NIGHTOWL_TIMESERIES_KEYS=" , " is not allowed: expected a comma-separated list of at least one key'],
    [{ NIGHTOWL_ATTRIBUTE_KEYS: "" }, 'NIGHTOWL_ATTRIBUTE_KEYS="" is not allowed: expected a comma-separated list of at least one key'],
    [{ NIGHTOWL_SUMMARY_KEYS: "," }, 'NIGHTOWL_SUMMARY_KEYS="," is not allowed: expected a comma-separated list of at least one key'],
    [{ NIGHTOWL_ML_ENABLED: "maybe" }, 'NIGHTOWL_ML_ENABLED="maybe" is not allowed: expected true or false'],
    [{ NIGHTOWL_ML_INFERENCE_INTERVAL: "0" }, 'NIGHTOWL_ML_INFERENCE_INTERVAL="0" is not allowed: expected a whole number from 1 to 10000 (polls)'],
    [{ NIGHTOWL_ML_PROMETHEUS_URL: "prometheus:9090" }, 'NIGHTOWL_ML_PROMETHEUS_URL="prometheus:9090" is not allowed: expected an http:// or https:// URL'],
    [{ NIGHTOWL_REQUEST_TIMEOUT_SECONDS: "0" }, 'NIGHTOWL_REQUEST_TIMEOUT_SECONDS="0" is not allowed: expected a whole number from 1 to 600 (seconds)'],
    [{ NIGHTOWL_TIMEZONE: "Mars/Olympus" }, 'NIGHTOWL_TIMEZONE="Mars/Olympus" is not allowed: expected an IANA time zone such as UTC or America/Chicago'],
    [{ NIGHTOWL_POWER_FACTOR: "1.5" }, 'NIGHTOWL_POWER_FACTOR="1.5" is not allowed: expected a number in (0, 1]'],
    [{ NIGHTOWL_POWER_FACTOR: "0" }, 'NIGHTOWL_POWER_FACTOR="0" is not allowed: expected a number in (0, 1]'],
    [{ NIGHTOWL_LOG_FORMAT: "xml" }, 'NIGHTOWL_LOG_FORMAT="xml" is not allowed: expected text or json'],
    [{ NIGHTOWL_LOG_LEVEL: "verbose" }, 'NIGHTOWL_LOG_LEVEL="verbose" is not allowed: expected error, warn, info or debug'],
    [{ NIGHTOWL_METRICS_AUTH_BEARER_TOKEN: "" }, "NIGHTOWL_METRICS_AUTH_BEARER_TOKEN=(hidden) is not allowed: expected a non-empty token"],
  ])("%o", (env, expected) => {
    expect(messageOf(() => loadConfig({ env }))).toBe(expected);
  });

  test("flags are named by their flag, and win over the environment", () => {
    expect(messageOf(() => loadConfig({ env: { NIGHTOWL_PAGE_SIZE: "3" }, flags: { pageSize: "0" } }))).toBe(
      '--page-size "0" is not allowed: expected a whole number from 1 to 1000',
    );
    expect(loadConfig({ env: { NIGHTOWL_PAGE_SIZE: "3" }, flags: { pageSize: "9" } }).pageSize).toBe(9);
  });

  test("a value from .env says so", () => {
    expect(messageOf(() => loadConfig({ env: {}, dotenv: "NIGHTOWL_PAGE_SIZE=zero\n" }))).toBe(
      'NIGHTOWL_PAGE_SIZE="zero" (from .env) is not allowed: expected a whole number from 1 to 1000',
    );
  });

  test("basic auth for /metrics needs both halves", () => {
    expect(messageOf(() => loadConfig({ env: { NIGHTOWL_METRICS_AUTH_USERNAME: "prom" } }))).toBe(
      "NIGHTOWL_METRICS_AUTH_USERNAME and NIGHTOWL_METRICS_AUTH_PASSWORD go together: set both or neither",
    );
  });
});

test.each([
  [{ env: {}, flags: { maxMemoryMb: "64" } }, "--max-memory-mb 64"],
  [{ env: { NIGHTOWL_MAX_MEMORY_MB: "64" } }, "NIGHTOWL_MAX_MEMORY_MB=64"],
  [{ env: {}, dotenv: "NIGHTOWL_MAX_MEMORY_MB=64" }, "NIGHTOWL_MAX_MEMORY_MB=64 (from .env)"],
  [{ env: {} }, "NIGHTOWL_MAX_MEMORY_MB=64"],
])("a setting is named in messages as the user gave it: %p", (sources, named) => {
  expect(givenSetting(loadConfig(sources), "maxMemoryMb", "64")).toBe(named);
});

test.each([
  ["pollIntervalSeconds", 10, 86_400, "10–86400"],
  ["requestTimeoutSeconds", 1, 600, "1–600"],
  ["warmupHours", 0, 360, "0–360"],
  ["portalConcurrency", 1, 64, "1–64"],
  ["maxResponseMb", 1, 4096, "1–4096"],
  ["pageSize", 1, 1000, "1–1000"],
] as const)("%s: the help states the bounds the validation enforces", (name, min, max, range) => {
  expect(SETTINGS[name].help).toContain(`(${range}`);
  for (const ok of [min, max]) expect(loadConfig({ env: {}, flags: { [name]: String(ok) } })[name]).toBe(ok);
  for (const bad of [min - 1, max + 1]) expect(messageOf(() => loadConfig({ env: {}, flags: { [name]: String(bad) } }))).toContain(`from ${min} to ${max}`);
});

describe("secrets", () => {
  test("a bad secret value is never echoed", () => {
    const message = messageOf(() => loadConfig({ env: { NIGHTOWL_METRICS_AUTH_USERNAME: "p", NIGHTOWL_METRICS_AUTH_PASSWORD: "" } }));
    expect(message).toBe("NIGHTOWL_METRICS_AUTH_PASSWORD=(hidden) is not allowed: expected a non-empty password");
  });

  test("the password file is read, its trailing newline dropped", () => {
    const c = loadConfig({ env: { NIGHTOWL_PASSWORD_FILE: "/run/credentials/pw" }, readFile: () => "s3cret\n" });
    expect(c.password).toBe("s3cret");
  });

  test.each([
    [{ env: { NIGHTOWL_PASSWORD: "direct", NIGHTOWL_PASSWORD_FILE: "/x" } }, "NIGHTOWL_PASSWORD and NIGHTOWL_PASSWORD_FILE are both set: expected one of them, the password or the file holding it"],
    [{ env: { NIGHTOWL_PASSWORD_FILE: "/x" }, flags: { password: "direct" } }, "--password and NIGHTOWL_PASSWORD_FILE are both set: expected one of them, the password or the file holding it"],
    [{ env: { NIGHTOWL_METRICS_AUTH_BEARER_TOKEN: "t0ken" }, dotenv: "NIGHTOWL_METRICS_AUTH_BEARER_TOKEN_FILE=/x" }, "NIGHTOWL_METRICS_AUTH_BEARER_TOKEN and NIGHTOWL_METRICS_AUTH_BEARER_TOKEN_FILE (from .env) are both set: expected one of them, the bearer token for /metrics or the file holding it"],
    [{ env: { NIGHTOWL_METRICS_AUTH_USERNAME: "p", NIGHTOWL_METRICS_AUTH_PASSWORD: "pw", NIGHTOWL_METRICS_AUTH_PASSWORD_FILE: "/x" } }, "NIGHTOWL_METRICS_AUTH_PASSWORD and NIGHTOWL_METRICS_AUTH_PASSWORD_FILE are both set: expected one of them, the basic-auth password for /metrics or the file holding it"],
  ])("a secret and its file both set are refused: %p", (sources, message) => {
    expect(messageOf(() => loadConfig({ ...sources, readFile: () => "file" }))).toBe(message);
  });

  test.each([
    ["NIGHTOWL_PASSWORD_FILE", "password"],
    ["NIGHTOWL_METRICS_AUTH_BEARER_TOKEN_FILE", "bearer token for /metrics"],
  ])("an empty %s is named as empty", (variable, what) => {
    expect(messageOf(() => loadConfig({ env: { [variable]: "/run/credentials/x" }, readFile: () => "\n" }))).toBe(`${variable}="/run/credentials/x" is empty: expected a file holding the ${what}`);
  });

  test("a missing password file is named with the reason", () => {
    expect(messageOf(() => loadConfig({ env: { NIGHTOWL_PASSWORD_FILE: "/nonexistent/nightowl-password" } }))).toBe(
      'NIGHTOWL_PASSWORD_FILE="/nonexistent/nightowl-password" cannot be read (ENOENT): expected a readable file holding the password',
    );
  });

  test("a password file given by the flag is quoted as the flag was typed", () => {
    expect(messageOf(() => loadConfig({ env: {}, flags: { passwordFile: "/nonexistent/pw" } }))).toBe(
      '--password-file "/nonexistent/pw" cannot be read (ENOENT): expected a readable file holding the password',
    );
  });

  test("an unreadable password file (a directory) is named with the reason", () => {
    expect(messageOf(() => loadConfig({ env: { NIGHTOWL_PASSWORD_FILE: "." } }))).toBe(
      'NIGHTOWL_PASSWORD_FILE="." cannot be read (EISDIR): expected a readable file holding the password',
    );
  });

  test("the notification URLs come from their file, one a line, and meet the variable's rule without being shown", () => {
    const c = loadConfig({ env: { NIGHTOWL_NOTIFY_URL_FILE: "/run/credentials/notify" }, readFile: () => "ntfy+https://ntfy.sh/s3cret-topic\nhttps://hooks.example.org/t0ken\n" });
    expect(c.notifyUrls).toEqual(["ntfy+https://ntfy.sh/s3cret-topic", "https://hooks.example.org/t0ken"]);
    const message = messageOf(() => loadConfig({ env: { NIGHTOWL_NOTIFY_URL_FILE: "/x" }, readFile: () => "ftp://s3cret\n" }));
    expect(message).toBe('NIGHTOWL_NOTIFY_URL_FILE="/x" holds a value that is not allowed (not shown: a secret): expected http(s) URLs, each optionally prefixed ntfy+ or json+, separated by commas');
    expect(messageOf(() => loadConfig({ env: { NIGHTOWL_NOTIFY_URL_FILE: "/x" }, flags: { notifyUrls: ["https://a.example"] }, readFile: () => "https://b.example" }))).toBe(
      "--notify-url and NIGHTOWL_NOTIFY_URL_FILE are both set: expected one of them, the notification URLs or the file holding it",
    );
  });

  test.each([
    [{ password: "p" }, "--password shows the secret to every user of this machine in the process list (ps); prefer --password-file or NIGHTOWL_PASSWORD_FILE (or NIGHTOWL_PASSWORD in the environment)"],
    [{ notifyUrls: ["https://ntfy.sh/topic"] }, "--notify-url shows the secret to every user of this machine in the process list (ps); prefer --notify-url-file or NIGHTOWL_NOTIFY_URL_FILE (or NIGHTOWL_NOTIFY_URL in the environment)"],
  ])("a secret given as a flag warns: %p", (flags, warning) => {
    expect(secretFlagWarnings(flags)).toEqual([warning]);
  });

  test("missing credentials say which variable to set", () => {
    expect(messageOf(() => requireCredentials(loadConfig({ env: {} })))).toBe(
      "NIGHTOWL_USERNAME is not set: expected the NightOwl account's user name (or --username)",
    );
    expect(messageOf(() => requireCredentials(loadConfig({ env: { NIGHTOWL_USERNAME: "a@b.c" } })))).toBe(
      "NIGHTOWL_PASSWORD is not set: expected the password, or NIGHTOWL_PASSWORD_FILE naming a file that holds it",
    );
    // Set to nothing (an unquoted `NIGHTOWL_PASSWORD=` in a unit file) is not the same mistake as forgetting it.
    expect(messageOf(() => requireCredentials(loadConfig({ env: { NIGHTOWL_USERNAME: "a@b.c", NIGHTOWL_PASSWORD: "" } })))).toBe(
      "NIGHTOWL_PASSWORD is empty: expected the password, or NIGHTOWL_PASSWORD_FILE naming a file that holds it",
    );
    expect(requireCredentials(loadConfig({ env: { NIGHTOWL_USERNAME: "a@b.c", NIGHTOWL_PASSWORD: "p", NIGHTOWL_TENANT: "" } }))).toEqual({
      username: "a@b.c",
      password: "p",
      tenant: undefined,
    });
  });
});

describe(".env", () => {
  test.each([
    ["A=1", { A: "1" }],
    ["export A=1", { A: "1" }],
    ["A='x y' # comment", { A: "x y" }],
    ['A="x#y"', { A: "x#y" }],
    ["A=x # comment", { A: "x" }],
    ["# only a comment\n\nB = 2 ", { B: "2" }],
    ["not a line", {}],
  ])("%p", (source, expected) => {
    expect(parseDotenv(source)).toEqual(expected);
  });

  test("the environment wins over .env", () => {
    expect(loadConfig({ env: { NIGHTOWL_PAGE_SIZE: "4" }, dotenv: "NIGHTOWL_PAGE_SIZE=8" }).pageSize).toBe(4);
    expect(loadConfig({ env: {}, dotenv: "NIGHTOWL_PAGE_SIZE=8" }).pageSize).toBe(8);
  });
});

test("unknown NIGHTOWL_ variables are reported, known and foreign ones are not", () => {
  expect(unknownVariables({ NIGHTOWL_POLL_INTERVAL: "60", NIGHTOWL_PAGE_SIZE: "5", HOME: "/root" })).toEqual(["NIGHTOWL_POLL_INTERVAL"]);
});

test("NIGHTOWL_NOTIFY_URL takes a comma-separated list, --notify-url repeated, and never shows a bad value", () => {
  expect(loadConfig({ env: { NIGHTOWL_NOTIFY_URL: "ntfy+https://ntfy.example.org/well, https://hooks.example.com/t0ken" } }).notifyUrls).toEqual(["ntfy+https://ntfy.example.org/well", "https://hooks.example.com/t0ken"]);
  const command = addSettingOptions(new Command().exitOverride(), ["notifyUrls"]);
  command.parse(["--notify-url", "https://a.example/1", "--notify-url", "json+https://b.example/2"], { from: "user" });
  expect(loadConfig({ env: {}, flags: settingFlags(command.opts()) }).notifyUrls).toEqual(["https://a.example/1", "json+https://b.example/2"]);
  expect(() => loadConfig({ env: { NIGHTOWL_NOTIFY_URL: "smtp://s3cret@mail" } })).toThrow("NIGHTOWL_NOTIFY_URL=(hidden) is not allowed: expected http(s) URLs");
});

describe("the metrics server's bind address", () => {
  test.each(["0.0.0.0", "127.0.0.1", "::", "::1", "localhost", "well-7.lan"])("%p is taken", (host) => {
    expect(loadConfig({ env: {}, flags: { metricsHost: host } }).metricsHost).toBe(host);
  });
  test.each(["999.1.1.1", "1.2.3", "bad host", "-x.lan", "[::1]"])("%p is refused in one line naming the flag", (host) => {
    expect(messageOf(() => loadConfig({ env: {}, flags: { metricsHost: host } }))).toBe(
      `--metrics-host "${host}" is not allowed: expected an IP address (IPv4 parts 0 to 255, or IPv6) or a host name of letters, digits, '-' and '.'`,
    );
  });
});
