/**
 * The five portal calls, shaped like ThingsBoard's answers (see the API contract): login,
 * refresh, entity data query, timeseries history and attributes. Each handler returns a
 * status and a JSON body text; the server adds faults and transport.
 */
import * as v from "valibot";
import { randomUUID } from "node:crypto";
import { signJwt, verifyJwt } from "./jwt.ts";
import type { SimAccount, SimDevice, SimWorld } from "./world.ts";

export interface ApiResult {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/** A ThingsBoard error body. */
export function apiError(status: number, message: string, errorCode: number): ApiResult {
  return { status, body: JSON.stringify({ status, message, errorCode, timestamp: Date.now() }) };
}

const ok = (value: unknown): ApiResult => ({ status: 200, body: JSON.stringify(value) });

function issueTokens(world: SimWorld, account: SimAccount): ApiResult {
  const iat = Math.floor(Date.now() / 1000);
  const exp = (ttl: number) => Math.ceil((Date.now() + ttl * 1000) / 1000);
  const common = { sub: account.username, userId: account.userId, sessionId: randomUUID(), iss: "thingsboard.io", iat, isPublic: false };
  const token = signJwt({ ...common, scopes: ["CUSTOMER_USER"], enabled: true, tenantId: "13814000-1dd2-11b2-8080-808080808080", customerId: account.customerId, exp: exp(world.tokenTtlSeconds) }, world.accessKey);
  const refreshToken = signJwt({ ...common, scopes: ["REFRESH_TOKEN"], jti: randomUUID(), exp: exp(world.refreshTtlSeconds) }, world.refreshKey);
  return ok({ token, refreshToken });
}

const LoginBody = v.object({ username: v.string(), password: v.string() });

export function login(world: SimWorld, body: unknown): ApiResult {
  const parsed = v.safeParse(LoginBody, body);
  if (!parsed.success) return apiError(400, "Invalid request body", 31);
  const account = world.accounts.find((a) => a.username === parsed.output.username && a.password === parsed.output.password);
  // reject_login: the password was changed on the portal.
  if (!account || world.faults.takeRejectLogin()) return apiError(401, "Invalid username or password", 10);
  return issueTokens(world, account);
}

const RefreshBody = v.object({ refreshToken: v.string() });

export function refresh(world: SimWorld, body: unknown): ApiResult {
  const parsed = v.safeParse(RefreshBody, body);
  if (!parsed.success) return apiError(400, "Invalid request body", 31);
  if (world.faults.takeRejectRefresh()) return apiError(401, "Token has expired", 11);
  const payload = verifyJwt(parsed.output.refreshToken, world.refreshKey, Date.now());
  if (payload === "expired") return apiError(401, "Token has expired", 11);
  if (payload === "invalid") return apiError(401, "Invalid refresh token", 10);
  const account = world.accounts.find((a) => a.username === payload.sub);
  if (!account) return apiError(401, "Invalid refresh token", 10);
  return issueTokens(world, account);
}

/** The account behind `X-Authorization: Bearer <token>`, or the 401 to answer. */
export function authenticate(world: SimWorld, header: string | null): SimAccount | ApiResult {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  if (!match) return apiError(401, "Authentication failed", 10);
  const payload = verifyJwt(match[1], world.accessKey, Date.now());
  // A token signed before expire_tokens rotated the key reads as expired, like a revoked session.
  if (payload === "expired" || payload === "invalid") return apiError(401, "Token has expired", 11);
  if (!Array.isArray(payload.scopes) || !payload.scopes.includes("CUSTOMER_USER")) return apiError(401, "Authentication failed", 10);
  return world.accounts.find((a) => a.username === payload.sub) ?? apiError(401, "Authentication failed", 10);
}

const KeySchema = v.object({ key: v.string(), type: v.string() });
const QueryBody = v.object({
  entityFilter: v.optional(v.unknown()),
  pageLink: v.object({
    page: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
    pageSize: v.pipe(v.number(), v.integer(), v.minValue(1)),
    textSearch: v.optional(v.nullable(v.string())),
    sortOrder: v.optional(v.nullable(v.object({ key: KeySchema, direction: v.optional(v.string()) }))),
  }),
  entityFields: v.optional(v.nullable(v.array(KeySchema)), []),
  latestValues: v.optional(v.nullable(v.array(KeySchema)), []),
});

/** Key types ThingsBoard answers attributes for, each under its own name in `latest`. */
const ATTRIBUTE_TYPES = new Set(["ATTRIBUTE", "SERVER_ATTRIBUTE", "CLIENT_ATTRIBUTE", "SHARED_ATTRIBUTE"]);

function formatLatest(value: number): string {
  return String(value);
}

export function entitiesQuery(world: SimWorld, accountIndex: number, body: unknown): ApiResult {
  const parsed = v.safeParse(QueryBody, body);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    return apiError(400, `Invalid request body: ${issue.path?.map((p) => String(p.key)).join(".") ?? ""} ${issue.message}`.trim(), 31);
  }
  const { pageLink, entityFields, latestValues } = parsed.output;
  const search = pageLink.textSearch?.toLowerCase() ?? "";
  let devices = world.devicesOf(accountIndex).filter((d) => !world.faults.isDropped(d.info.id) && d.info.name.toLowerCase().includes(search));
  devices = devices.sort((a, b) => a.info.name.localeCompare(b.info.name));
  if (pageLink.sortOrder?.direction?.toUpperCase() === "DESC") devices.reverse();
  const total = devices.length;
  const pageDevices = devices.slice(pageLink.page * pageLink.pageSize, (pageLink.page + 1) * pageLink.pageSize);
  const now = world.now();
  const data = pageDevices.map((device) => {
    const fields: Record<string, { ts: number; value: string }> = {};
    for (const f of entityFields ?? []) {
      const value = f.key === "name" ? device.info.name : f.key === "type" ? device.info.type : f.key === "createdTime" ? String(device.info.createdTime) : "";
      fields[f.key] = { ts: now, value };
    }
    const latest: Record<string, Record<string, { ts: number; value: unknown }>> = { ENTITY_FIELD: fields };
    const series = (latestValues ?? []).filter((k) => k.type === "TIME_SERIES");
    const attributes = (latestValues ?? []).filter((k) => ATTRIBUTE_TYPES.has(k.type));
    if (series.length) latest.TIME_SERIES = latestSeries(world, device, series.map((k) => k.key));
    for (const { key, type } of attributes) {
      const value = device.attributes[key];
      (latest[type] ??= {})[key] = value === undefined ? { ts: 0, value: "" } : { ts: device.info.createdTime, value };
    }
    return { entityId: { entityType: "DEVICE", id: device.info.id }, latest };
  });
  return ok({ data, totalPages: Math.ceil(total / pageLink.pageSize), totalElements: total, hasNext: (pageLink.page + 1) * pageLink.pageSize < total });
}

function latestSeries(world: SimWorld, device: SimDevice, keys: string[]): Record<string, { ts: number; value: unknown }> {
  const out: Record<string, { ts: number; value: unknown }> = {};
  const ts = world.latestTs(device);
  let frame = null;
  let row = 0;
  if (ts !== null) {
    const day = device.history.dayOf(ts);
    frame = device.history.day(day);
    row = Math.round((ts - device.history.dayStart(day)) / device.history.intervalMs);
  }
  for (const key of keys) {
    if (!frame || !device.history.hasKey(key)) {
      out[key] = { ts: 0, value: "" };
      continue;
    }
    const wrong = world.faults.takeWrongType(device.info.id, key);
    out[key] = { ts: ts!, value: wrong ? wrong.value : formatLatest(frame.columns[key][row]) };
  }
  return out;
}

const AGGREGATIONS = ["NONE", "AVG", "MIN", "MAX", "SUM", "COUNT"] as const;

/** GET …/values/timeseries: the first `limit` points per key, cut silently like the portal. */
export function timeseries(world: SimWorld, device: SimDevice, params: URLSearchParams): ApiResult {
  const keys = (params.get("keys") ?? "").split(",").map((k) => k.trim()).filter(Boolean);
  if (keys.length === 0) return apiError(400, "Required request parameter 'keys' is not present", 31);
  const num = (name: string, fallback?: number): number | undefined => {
    const text = params.get(name);
    if (text === null || text === "") return fallback;
    const n = Number(text);
    return Number.isFinite(n) ? n : Number.NaN;
  };
  const startTs = num("startTs");
  const endTs = num("endTs");
  const limit = num("limit", 100)!;
  const interval = num("interval", 0)!;
  if (startTs === undefined || endTs === undefined) return apiError(400, `Required request parameter '${startTs === undefined ? "startTs" : "endTs"}' is not present`, 31);
  if ([startTs, endTs, limit, interval].some(Number.isNaN)) return apiError(400, "Invalid request parameters: startTs, endTs, limit and interval must be numbers", 31);
  if (limit < 1) return apiError(400, `Invalid limit ${limit}: must be at least 1`, 31);
  const agg = (params.get("agg") ?? "NONE").toUpperCase() as (typeof AGGREGATIONS)[number];
  if (!AGGREGATIONS.includes(agg)) return apiError(400, `Invalid aggregation '${params.get("agg")}'`, 31);
  const orderBy = (params.get("orderBy") ?? "DESC").toUpperCase();
  if (orderBy !== "ASC" && orderBy !== "DESC") return apiError(400, `Invalid orderBy '${params.get("orderBy")}'`, 31);
  const strict = params.get("useStrictDataTypes") === "true";
  const descending = orderBy === "DESC";
  const toMs = Math.min(endTs, world.now() + 1);
  const present = keys.filter((k) => device.history.hasKey(k));
  const format = (x: number) => (strict ? String(x) : `"${x}"`);
  const parts: string[] = [];
  if (agg === "NONE") {
    const pieces: Record<string, string[]> = {};
    for (const k of present) pieces[k] = [];
    let n = 0;
    if (present.length) device.history.forEachSample(startTs, toMs, descending, (frame, r) => {
      const t = frame.ts[r];
      for (const k of present) pieces[k].push(`{"ts":${t},"value":${format(frame.columns[k][r])}}`);
      return ++n < limit;
    });
    for (const k of present) {
      if (pieces[k].length === 0) continue;
      const wrong = world.faults.takeWrongType(device.info.id, k);
      if (wrong) pieces[k][0] = JSON.stringify({ ts: JSON.parse(pieces[k][0]).ts, value: wrong.value });
      parts.push(`${JSON.stringify(k)}:[${pieces[k].join(",")}]`);
    }
    return { status: 200, body: `{${parts.join(",")}}` };
  }
  if (!(interval > 0)) return apiError(400, "Parameter 'interval' is required and must be > 0 when agg is not NONE", 31);
  if ((endTs - startTs) / interval > 100_000) return apiError(400, "Interval is too small for the requested range (more than 100000 intervals)", 31);
  const buckets = new Map<number, { n: number; sum: number; min: number; max: number }[]>();
  device.history.forEachSample(startTs, toMs, false, (frame, r) => {
    const b = Math.floor((frame.ts[r] - startTs) / interval);
    let acc = buckets.get(b);
    if (!acc) buckets.set(b, (acc = present.map(() => ({ n: 0, sum: 0, min: Infinity, max: -Infinity }))));
    present.forEach((k, i) => {
      const x = frame.columns[k][r];
      const a = acc![i];
      a.n++;
      a.sum += x;
      if (x < a.min) a.min = x;
      if (x > a.max) a.max = x;
    });
    return true;
  });
  let order = [...buckets.keys()].sort((a, b) => a - b);
  if (descending) order.reverse();
  order = order.slice(0, limit);
  present.forEach((k, i) => {
    const points = order.map((b) => {
      const a = buckets.get(b)![i];
      const lo = startTs + b * interval;
      const mid = lo + Math.floor((Math.min(lo + interval, endTs) - lo) / 2);
      const value = agg === "AVG" ? a.sum / a.n : agg === "SUM" ? a.sum : agg === "MIN" ? a.min : agg === "MAX" ? a.max : a.n;
      return `{"ts":${mid},"value":${format(Math.round(value * 1e6) / 1e6)}}`;
    });
    if (points.length) parts.push(`${JSON.stringify(k)}:[${points.join(",")}]`);
  });
  return { status: 200, body: `{${parts.join(",")}}` };
}

/** GET …/values/attributes: `[{key, value, lastUpdateTs}]` for the requested (or all) keys. */
export function attributes(device: SimDevice, params: URLSearchParams): ApiResult {
  const wanted = (params.get("keys") ?? "").split(",").map((k) => k.trim()).filter(Boolean);
  const keys = wanted.length ? wanted.filter((k) => k in device.attributes) : Object.keys(device.attributes);
  return ok(keys.map((key) => ({ key, value: device.attributes[key], lastUpdateTs: device.info.createdTime })));
}
