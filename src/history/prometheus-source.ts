/**
 * History from Prometheus: `nightowl_telemetry_value` read with the `query_range` API (local
 * Prometheus, VictoriaMetrics, Grafana Cloud) and turned into one HistoryFrame per device, so
 * `train`, `score` and the warm-up of `run` read Prometheus exactly as they read a CSV.
 *
 * Prometheus refuses a range of more than 11,000 points per series, so long ranges are read
 * in windows of at most 10,000 steps and joined.
 */
import * as v from "valibot";
import { NightowlError } from "../errors.ts";
import { OptionError } from "../option-error.ts";
import { DEFAULT_MAX_BODY_BYTES, readBody } from "../nightowl/http-exchange.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { authorizationSecrets, redactSecrets, splitUrlCredentials } from "../redact.ts";
import type { RecentHistorySource } from "./recent-source.ts";

export interface PrometheusAuth {
  username?: string;
  password?: string;
  bearerToken?: string;
}

export interface PrometheusHistoryOptions {
  /** Base URL, e.g. http://localhost:9090 or https://…grafana.net/api/prom. */
  url: string;
  /** Range, epoch ms. */
  startMs: number;
  endMs: number;
  /** Resolution, seconds (default 60). */
  stepSeconds?: number;
  userLabel?: string;
  deviceId?: string;
  auth?: PrometheusAuth;
  /** Per request, ms (default 30,000). */
  timeoutMs?: number;
  /** Largest answer read, bytes after decompression (default 64 MiB, NIGHTOWL_MAX_RESPONSE_MB). */
  maxBodyBytes?: number;
  /** Injected by tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

const MAX_STEPS_PER_QUERY = 10_000;

const RangeResponseSchema = v.object({
  status: v.literal("success"),
  data: v.object({
    resultType: v.literal("matrix"),
    result: v.array(
      v.object({
        metric: v.record(v.string(), v.string()),
        values: v.array(v.tuple([v.number(), v.string()])),
      }),
    ),
  }),
});

/** A PromQL label value, quoted with the escapes PromQL string literals use. */
function quote(value: string): string {
  return JSON.stringify(value);
}

/** The selector for the telemetry family, narrowed to a user and device when given. */
export function telemetrySelector(userLabel?: string, deviceId?: string): string {
  const matchers: string[] = [];
  if (userLabel) matchers.push(`user_label=${quote(userLabel)}`);
  if (deviceId) matchers.push(`device_id=${quote(deviceId)}`);
  return `nightowl_telemetry_value{${matchers.join(",")}}`;
}

/** Reads the range and returns one frame per device, rows on the step grid, NaN where a key had no sample. */
export async function fetchPrometheusHistory(options: PrometheusHistoryOptions): Promise<HistoryFrame[]> {
  const step = options.stepSeconds ?? 60;
  if (!(step > 0)) throw new OptionError("E_USAGE", (n) => `${n("stepSeconds")} ${step} is not allowed: expected a positive number of seconds`);
  if (!(options.endMs > options.startMs)) throw new NightowlError("E_USAGE", `Prometheus range: end ${options.endMs} must be after start ${options.startMs}`);
  // Credentials in the URL (http://user:pass@host) become a header and leave every message.
  let inUrl: ReturnType<typeof splitUrlCredentials>;
  try {
    inUrl = splitUrlCredentials(new URL(options.url));
  } catch {
    throw new NightowlError("E_USAGE", `Prometheus URL ${JSON.stringify(options.url)} is not a URL: expected e.g. http://localhost:9090`);
  }
  const base = inUrl.url.href.replace(/\/+$/, "");
  const headers: Record<string, string> = { Accept: "application/json" };
  const auth = options.auth ?? {};
  if (auth.bearerToken) headers.Authorization = `Bearer ${auth.bearerToken}`;
  else if (auth.username !== undefined) headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ""}`).toString("base64")}`;
  else if (inUrl.authorization) headers.Authorization = inUrl.authorization;
  const doFetch = options.fetch ?? fetch;
  // Prometheus (or a proxy in front) may echo the request, Authorization header included.
  const secrets = [auth.bearerToken, auth.password, ...authorizationSecrets(headers.Authorization), ...authorizationSecrets(inUrl.authorization)];
  const clean = (text: string) => redactSecrets(text, secrets);
  const query = telemetrySelector(options.userLabel, options.deviceId);

  // device id → { meta, ts(ms) → key → value }
  const devices = new Map<string, { meta: Omit<HistoryFrame, "ts" | "columns">; rows: Map<number, Map<string, number>>; keys: Set<string> }>();
  const startS = Math.floor(options.startMs / 1000);
  const endS = Math.floor(options.endMs / 1000);
  for (let from = startS; from <= endS; from += MAX_STEPS_PER_QUERY * step) {
    const to = Math.min(endS, from + (MAX_STEPS_PER_QUERY - 1) * step);
    const params = new URLSearchParams({ query, start: String(from), end: String(to), step: String(step) });
    const endpoint = `${base}/api/v1/query_range`;
    let response: Response;
    try {
      response = await doFetch(`${endpoint}?${params}`, { headers, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000), redirect: "manual" });
    } catch (error) {
      throw new NightowlError("E_HTTP", clean(`Prometheus ${endpoint}: ${(error as Error).message}`), { cause: error });
    }
    if (response.status >= 300 && response.status < 400) {
      throw new NightowlError("E_HTTP", `Prometheus ${endpoint} answered a redirect (HTTP ${response.status}); not following it with the credentials: give the final URL`);
    }
    let text: string;
    try {
      text = await readBody(response.body, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, `Prometheus ${endpoint}`);
    } catch (error) {
      throw new NightowlError("E_HTTP", clean((error as Error).message), { cause: error });
    }
    if (!response.ok) {
      const denied = response.status === 401 || response.status === 403;
      throw new OptionError("E_HTTP", (n) => clean(`Prometheus ${endpoint} answered HTTP ${response.status}${denied ? ` (check ${n("auth")})` : ""}: ${text.slice(0, 200).trim()}`));
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new NightowlError("E_PARSE", clean(`Prometheus ${endpoint} did not answer JSON: ${text.slice(0, 120).trim()}`));
    }
    const parsed = v.safeParse(RangeResponseSchema, json);
    if (!parsed.success) {
      throw new NightowlError("E_PARSE", `Prometheus ${endpoint}: unexpected response (${v.getDotPath(parsed.issues[0]) ?? "(root)"}: ${parsed.issues[0].message})`);
    }
    for (const series of parsed.output.data.result) {
      const m = series.metric;
      const id = m.device_id;
      const key = m.key;
      if (!id || !key) continue;
      let device = devices.get(id);
      if (!device) {
        device = { meta: { deviceId: id, deviceName: m.device_name ?? id, userLabel: m.user_label ?? "unknown" }, rows: new Map(), keys: new Set() };
        devices.set(id, device);
      }
      device.keys.add(key);
      for (const [t, raw] of series.values) {
        const value = Number(raw);
        if (!Number.isFinite(value)) continue;
        const ms = Math.round(t * 1000);
        let row = device.rows.get(ms);
        if (!row) device.rows.set(ms, (row = new Map()));
        row.set(key, value);
      }
    }
  }

  const frames: HistoryFrame[] = [];
  for (const device of devices.values()) {
    const times = [...device.rows.keys()].sort((a, b) => a - b);
    const keys = [...device.keys].sort();
    const columns: Record<string, Float64Array> = {};
    for (const key of keys) columns[key] = new Float64Array(times.length).fill(Number.NaN);
    times.forEach((t, i) => {
      for (const [key, value] of device.rows.get(t)!) columns[key][i] = value;
    });
    frames.push({ ...device.meta, ts: Float64Array.from(times), columns });
  }
  frames.sort((a, b) => a.deviceId.localeCompare(b.deviceId));
  return frames;
}

/**
 * Prometheus as a warm-up source of `run` (NIGHTOWL_ML_PROMETHEUS_URL): one device's
 * telemetry at one-minute steps, for devices whose history the portal could not give.
 */
export function prometheusHistorySource(url: string): RecentHistorySource {
  return {
    name: "Prometheus",
    async read(device, startMs, endMs) {
      const frames = await fetchPrometheusHistory({ url, startMs, endMs, stepSeconds: 60, deviceId: device.id, timeoutMs: 10_000 });
      return frames.find((f) => f.deviceId === device.id);
    },
  };
}
