/**
 * The settings table: every setting's variable, flag, help, default and accepted values (one
 * valibot schema per row), and the `Config` type they make. How the sources are read and merged
 * is load-config.ts; the flags a command offers, setting-flags.ts.
 *
 * Every setting of the original monitor keeps its variable name, default and bound, so an
 * existing deployment switches by changing its image only.
 */
import * as v from "valibot";
import { isIP } from "node:net";
import { describeNumber, notAllowedMessage, parseNumber, type NumberRule } from "./number-rule.ts";
import { isShardSpec } from "./shard.ts";
import { MAX_PAGES, MAX_PAGE_SIZE } from "./nightowl/device-list.ts";
import { DEFAULT_ATTRIBUTE_KEYS, DEFAULT_SUMMARY_KEYS, DEFAULT_TIMESERIES_KEYS } from "./nightowl/keys.ts";
import { isTimeZone } from "./physics/zone-offsets.ts";

const text = () => v.pipe(v.string(), v.trim());
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
/** A bind address: an IP literal or a host name (RFC 1123); dotted numbers must be an IPv4 address (999.1.1.1 is neither, and Bun's error for it named no cause). */
const bindHost = () =>
  v.pipe(text(), v.check((h) => isIP(h) !== 0 || (!/^[\d.]+$/.test(h) && HOST_NAME.test(h)), "an IP address (IPv4 parts 0 to 255, or IPv6) or a host name of letters, digits, '-' and '.'"));

/** A number setting: the one rule of number-rule.ts, its bounds in the row. */
const numberSetting = (rule: NumberRule) =>
  v.pipe(
    v.string(),
    v.check((s) => parseNumber(s, rule) !== undefined, describeNumber(rule)),
    v.transform((s) => parseNumber(s, rule)!),
  );

const wholeNumber = (min: number, max: number, unit?: string) => numberSetting({ integer: true, min, max, unit });

/**
 * A whole-number row's help and schema from one pair of bounds, so `--help` and
 * docs/configuration.md state the range the validation enforces: `help` gets it as "10–86400".
 */
const bounded = (help: (range: string) => string, min: number, max: number, unit?: string) => ({
  help: help(`${min}–${max}`),
  schema: wholeNumber(min, max, unit),
});

const keyList = () =>
  v.pipe(
    v.string(),
    v.transform((s) => s.split(",").map((k) => k.trim()).filter(Boolean)),
    v.array(v.string()),
    v.minLength(1, "a comma-separated list of at least one key"),
  );

const boolean = () =>
  v.pipe(
    v.string(),
    v.trim(),
    v.toLowerCase(),
    v.picklist(["true", "false", "1", "0", "yes", "no", "on", "off"], "true or false"),
    v.transform((s) => s === "true" || s === "1" || s === "yes" || s === "on"),
  );

const url = () => v.pipe(v.string(), v.trim(), v.url("an http:// or https:// URL"), v.regex(/^https?:\/\//i, "an http:// or https:// URL"));

/**
 * NIGHTOWL_NOTIFY_URL: URLs separated by commas (or white space, as one a line in its file),
 * each optionally prefixed `ntfy+` or `json+`.
 */
const notifyUrlList = () =>
  v.pipe(
    v.string(),
    v.transform((s) => s.split(/[\s,]+/).filter(Boolean)),
    v.array(v.pipe(v.string(), v.regex(/^(?:(?:ntfy|json)\+)?https?:\/\/[^\s/?#]+/i, "http(s) URLs, each optionally prefixed ntfy+ or json+, separated by commas"))),
    v.minLength(1, "at least one http(s) URL"),
  );

const timeZone = () =>
  v.pipe(
    v.string(),
    v.trim(),
    v.check(isTimeZone, "an IANA time zone such as UTC or America/Chicago"),
  );

export { MAX_PAGE_SIZE };

/** The per-device family groups NIGHTOWL_METRICS_EXCLUDE may name (src/metrics/exclude.ts). */
export const METRIC_GROUPS = ["telemetry", "attributes", "analytics", "ml", "ml_features"] as const;
export type MetricGroup = (typeof METRIC_GROUPS)[number];

/** One row per setting: where it comes from, its default, and what it accepts. */
export const SETTINGS = {
  username: { env: "NIGHTOWL_USERNAME", flag: "--username <email>", help: "NightOwl account username", schema: text() },
  password: { env: "NIGHTOWL_PASSWORD", flag: "--password <password>", help: "NightOwl account password (prefer --password-file)", schema: v.string(), secret: true },
  passwordFile: { env: "NIGHTOWL_PASSWORD_FILE", flag: "--password-file <path>", help: "read the password from a file (systemd credentials, Kubernetes secrets)", schema: text() },
  accountsFile: { env: "NIGHTOWL_ACCOUNTS_FILE", flag: "--accounts-file <path>", help: "run: watch many accounts, a JSON list of {label, username, passwordFile, baseUrl?, tenant?} (docs/fleet.md); in place of the username and password", schema: v.pipe(text(), v.nonEmpty("the path of a JSON file")) },
  tenant: { env: "NIGHTOWL_TENANT", flag: "--tenant <tenant>", help: "tenant identifier, if the account needs one", schema: text() },
  baseUrl: { env: "NIGHTOWL_BASE_URL", flag: "--base-url <url>", help: "portal API base URL", schema: url(), default: "https://portal.watersystem.live" },
  pollIntervalSeconds: { env: "NIGHTOWL_POLL_INTERVAL_SECONDS", flag: "--poll-interval <seconds>", ...bounded((r) => `seconds between polls (${r})`, 10, 86_400, "seconds"), default: "60" },
  pageSize: { env: "NIGHTOWL_PAGE_SIZE", flag: "--page-size <n>", ...bounded((r) => `devices per page of the device query (${r}); a poll reads up to ${MAX_PAGES.toLocaleString("en-US")} pages, so big fleets want big pages`, 1, MAX_PAGE_SIZE), default: "5" },
  shard: { env: "NIGHTOWL_SHARD", flag: "--shard <i/n>", help: "poll only shard i of n (0-based; by a stable hash of the device id); auto/n takes i from the host name's ordinal (StatefulSet pod nightowl-2 → 2)", schema: v.pipe(text(), v.check(isShardSpec, "i/n with 0 ≤ i < n ≤ 1024, or auto/n")) },
  portalConcurrency: { env: "NIGHTOWL_PORTAL_CONCURRENCY", flag: "--portal-concurrency <n>", ...bounded((r) => `portal calls in flight at most (${r}), over every account and the warm-up; a 429's Retry-After pauses them all`, 1, 64, "calls"), default: "4" },
  timeseriesKeys: { env: "NIGHTOWL_TIMESERIES_KEYS", flag: "--timeseries-keys <keys>", help: "comma-separated telemetry keys", schema: keyList(), default: DEFAULT_TIMESERIES_KEYS.join(",") },
  attributeKeys: { env: "NIGHTOWL_ATTRIBUTE_KEYS", flag: "--attribute-keys <keys>", help: "comma-separated attribute keys", schema: keyList(), default: DEFAULT_ATTRIBUTE_KEYS.join(",") },
  summaryKeys: { env: "NIGHTOWL_SUMMARY_KEYS", flag: "--summary-keys <keys>", help: "comma-separated keys for the report's summary", schema: keyList(), default: DEFAULT_SUMMARY_KEYS.join(",") },
  maxResponseMb: { env: "NIGHTOWL_MAX_RESPONSE_MB", flag: "--max-response-mb <MiB>", ...bounded((r) => `largest answer read from the portal, Prometheus (--from-prometheus) or an --import-url server, in MiB after decompression (${r}); a larger one fails that call`, 1, 4096, "MiB"), default: "64" },
  maxMemoryMb: { env: "NIGHTOWL_MAX_MEMORY_MB", flag: "--max-memory-mb <MiB>", ...bounded((r) => `train, score, report: the memory a history file may need, estimated before reading it (docs/benchmarks.md), in MiB (${r}); more stops with one line. Default: half of this machine's memory`, 64, 16_777_216, "MiB") },
  requestTimeoutSeconds: { env: "NIGHTOWL_REQUEST_TIMEOUT_SECONDS", flag: "--request-timeout <seconds>", ...bounded((r) => `timeout of one API request, seconds (${r})`, 1, 600, "seconds"), default: "30" },
  metricsHost: { env: "NIGHTOWL_METRICS_HOST", flag: "--metrics-host <host>", help: "bind address of the metrics server", schema: bindHost(), default: "0.0.0.0" },
  metricsPort: { env: "NIGHTOWL_METRICS_PORT", flag: "--metrics-port <port>", ...bounded((r) => `TCP port of the metrics server (${r}; 0 picks a free one)`, 0, 65_535), default: "8010" },
  metricsAuthBearerToken: { env: "NIGHTOWL_METRICS_AUTH_BEARER_TOKEN", flag: "--metrics-auth-bearer-token <token>", help: "require this bearer token on /metrics (prefer --metrics-auth-bearer-token-file)", schema: v.pipe(text(), v.nonEmpty("a non-empty token")), secret: true },
  metricsAuthBearerTokenFile: { env: "NIGHTOWL_METRICS_AUTH_BEARER_TOKEN_FILE", flag: "--metrics-auth-bearer-token-file <path>", help: "read the /metrics bearer token from a file", schema: text() },
  metricsAuthUsername: { env: "NIGHTOWL_METRICS_AUTH_USERNAME", flag: "--metrics-auth-username <user>", help: "require basic auth on /metrics with this user", schema: v.pipe(text(), v.nonEmpty("a non-empty user name")) },
  metricsAuthPassword: { env: "NIGHTOWL_METRICS_AUTH_PASSWORD", flag: "--metrics-auth-password <password>", help: "the basic-auth password for /metrics (prefer --metrics-auth-password-file)", schema: v.pipe(v.string(), v.nonEmpty("a non-empty password")), secret: true },
  metricsAuthPasswordFile: { env: "NIGHTOWL_METRICS_AUTH_PASSWORD_FILE", flag: "--metrics-auth-password-file <path>", help: "read the /metrics basic-auth password from a file", schema: text() },
  metricsExclude: { env: "NIGHTOWL_METRICS_EXCLUDE", flag: "--metrics-exclude <groups>", help: `per-device families left out of /metrics, comma-separated: ${METRIC_GROUPS.join(", ")} (series per device: docs/fleet.md)`, schema: v.pipe(keyList(), v.array(v.picklist(METRIC_GROUPS, `a comma-separated list of ${METRIC_GROUPS.join(", ")}`))) },
  mlEnabled: { env: "NIGHTOWL_ML_ENABLED", flag: "--ml-enabled <bool>", help: "score every device with the leak model", schema: boolean(), default: "false" },
  mlModelPath: { env: "NIGHTOWL_ML_MODEL_PATH", flag: "--model-path <file>", help: "model file; default: models/users/{user_label}/ then models/global/", schema: text() },
  mlEmbeddedModel: { env: "NIGHTOWL_ML_EMBEDDED_MODEL", flag: "--ml-embedded-model <bool>", help: "when no model file is found, use the global model carried in the program", schema: boolean(), default: "true" },
  mlModelsDir: { env: "NIGHTOWL_ML_MODELS_DIR", flag: "--models-dir <dir>", help: "folder holding users/ and global/ models", schema: text(), default: "models" },
  mlPrometheusUrl: { env: "NIGHTOWL_ML_PROMETHEUS_URL", flag: "--ml-prometheus-url <url>", help: "Prometheus to read a device's warm-up history (NIGHTOWL_WARMUP_HOURS) from when the portal cannot give it", schema: url() },
  mlInferenceInterval: { env: "NIGHTOWL_ML_INFERENCE_INTERVAL", flag: "--ml-inference-interval <polls>", ...bounded((r) => `score every N polls (${r})`, 1, 10_000, "polls"), default: "5" },
  warmupHours: { env: "NIGHTOWL_WARMUP_HOURS", flag: "--warmup-hours <hours>", ...bounded((r) => `hours of history read per device at start to fill the analytics and ML windows (${r}; 0 = none)`, 0, 360, "hours"), default: "48" },
  stateDir: { env: "NIGHTOWL_STATE_DIR", flag: "--state-dir <dir>", help: "folder of what nightowl keeps between runs: events.json, the owner's events (docs/events.md)", schema: text(), default: "state" },
  timezone: { env: "NIGHTOWL_TIMEZONE", flag: "--timezone <tz>", help: "the sites' IANA time zone, for night, weekday and day boundaries in every command; local = the machine's (TZ, else /etc/localtime, else UTC); unset with --demo, the demo sites' America/Denver; never the leak model's (one trained in another zone is warned of)", schema: timeZone(), default: "local" },
  powerFactor: { env: "NIGHTOWL_POWER_FACTOR", flag: "--power-factor <pf>", help: "pump power factor for energy (0–1]", schema: numberSetting({ integer: false, min: 0, max: 1, minExclusive: true }), default: "0.8" },
  notifyUrls: {
    env: "NIGHTOWL_NOTIFY_URL",
    flag: "--notify-url <url>",
    help: "post a message here when a device's verdict turns to possible leak or pump fault and when it ends; comma-separated or a repeated flag; ntfy+https://… for ntfy's text form, json+https://… (or a plain URL) for JSON webhooks",
    schema: notifyUrlList(),
    secret: true,
    repeatable: true,
  },
  notifyUrlsFile: { env: "NIGHTOWL_NOTIFY_URL_FILE", flag: "--notify-url-file <path>", help: "read the notification URLs from a file, one a line (they hold the topic or token that lets anyone post)", schema: text() },
  publicUrl: { env: "NIGHTOWL_PUBLIC_URL", flag: "--public-url <url>", help: "where people reach the status page (e.g. https://well.example.org), for the link in notifications", schema: url() },
  logFormat: { env: "NIGHTOWL_LOG_FORMAT", flag: "--log-format <format>", help: "text or json (for journald and log shippers)", schema: v.pipe(text(), v.picklist(["text", "json"], "text or json")), default: "text" },
  logLevel: { env: "NIGHTOWL_LOG_LEVEL", flag: "--log-level <level>", help: "error, warn, info or debug", schema: v.pipe(text(), v.picklist(["error", "warn", "info", "debug"], "error, warn, info or debug")), default: "info" },
} as const;

export type SettingName = keyof typeof SETTINGS;

export const ConfigSchema = v.object(
  Object.fromEntries(Object.entries(SETTINGS).map(([name, s]) => [name, v.optional(s.schema)])) as {
    [K in SettingName]: v.OptionalSchema<(typeof SETTINGS)[K]["schema"], undefined>;
  },
);

type Parsed = v.InferOutput<typeof ConfigSchema>;

/** The validated settings. Settings with a default are always present. */
export type Config = Omit<Parsed, DefaultedName | "password"> & {
  [K in DefaultedName]-?: NonNullable<Parsed[K]>;
} & {
  /** From NIGHTOWL_PASSWORD or the file named by NIGHTOWL_PASSWORD_FILE. */
  password?: string;
};

type DefaultedName = {
  [K in SettingName]: (typeof SETTINGS)[K] extends { default: string } ? K : never;
}[SettingName];

/** Each secret setting and the setting naming a file that holds it (systemd credentials, Kubernetes secrets). */
export const SECRET_FILES = {
  password: "passwordFile",
  metricsAuthBearerToken: "metricsAuthBearerTokenFile",
  metricsAuthPassword: "metricsAuthPasswordFile",
  notifyUrls: "notifyUrlsFile",
} as const satisfies Partial<Record<SettingName, SettingName>>;

/** The settings every portal-talking command offers as flags. */
export const PORTAL_SETTINGS: readonly SettingName[] = [
  "username", "password", "passwordFile", "tenant", "baseUrl", "pageSize",
  "timeseriesKeys", "attributeKeys", "requestTimeoutSeconds", "maxResponseMb", "logFormat", "logLevel",
];
