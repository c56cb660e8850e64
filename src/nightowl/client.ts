/**
 * The NightOwl portal client: one session (token reuse, refresh, re-login) and the calls the
 * monitor needs — devices with latest values, history, attributes. See the API contract for
 * the endpoints; every response is validated (schemas.ts) before it is read.
 */
import type * as v from "valibot";
import { isNightowlError, NightowlError } from "../errors.ts";
import { maskToken, silentLogger, type Logger } from "../log.ts";
import type { RequestGate } from "./request-gate.ts";
import { HttpClient, HttpStatusError, type HttpRequest } from "./http.ts";
import { userLabelFor } from "./keys.ts";
import {
  AttributesSchema,
  EntityDataPageSchema,
  TimeseriesSchema,
  TokenPairSchema,
  type EntityData,
  type PortalValue,
} from "./schemas.ts";
import { numericValue, type DeviceSnapshot, type RawValue, type Reading } from "./snapshot.ts";
import { TokenStore } from "./token-store.ts";
import { boundedText, isPlausibleTimestamp, isPortalId, PLAUSIBLE_RANGE, quotedText } from "./values.ts";

export interface ClientOptions {
  /** Portal base URL, e.g. `https://portal.watersystem.live`. */
  baseUrl: string;
  username: string;
  password: string;
  tenant?: string;
  /** Per HTTP attempt, milliseconds. Default 10 000. */
  timeoutMs?: number;
  /** Retries on network errors, 429 and 5xx. Default 3. */
  retries?: number;
  /** Backoff base in milliseconds. Default 500; small in tests. */
  retryBaseMs?: number;
  /** Refresh the access token this many seconds before its `exp`. Default 60. */
  refreshMarginSeconds?: number;
  log?: Logger;
  /** Current time in epoch milliseconds; injectable. */
  now?: () => number;
  /** Largest response body of one call, bytes. Default 64 MiB. */
  maxBodyBytes?: number;
  /** Shared bound on portal calls in flight (see RequestGate). */
  gate?: RequestGate;
}

export type Aggregation = "NONE" | "AVG" | "MIN" | "MAX" | "SUM" | "COUNT";

export interface TimeseriesOptions {
  /** Points per key at most (the portal cuts silently beyond it). Default 50 000. */
  limit?: number;
  agg?: Aggregation;
  /** Aggregation bucket in milliseconds (with `agg` other than NONE). */
  intervalMs?: number;
  orderBy?: "ASC" | "DESC";
  signal?: AbortSignal;
}

/** A numeric history point: epoch milliseconds and the value. */
export interface Point {
  ts: number;
  value: number;
}

/** One history call: numeric points per key, and the number of points the portal sent per key. */
export interface TimeseriesPage {
  points: Record<string, Point[]>;
  /** Points per key as sent, including those dropped as non-numeric; keys the portal left out are absent. */
  received: Record<string, number>;
}

/**
 * Safety stop for a portal whose `hasNext` never turns false while sending new devices on
 * every page: far beyond any real account (a thousand pages of up to a thousand devices).
 */
const MAX_PAGES = 1_000;

export class NightowlClient {
  private readonly http: HttpClient;
  private readonly tokens: TokenStore;
  private readonly log: Logger;
  private readonly now: () => number;
  /** The authentication under way, shared by concurrent callers. */
  private pending: Promise<void> | undefined;

  constructor(private readonly options: ClientOptions) {
    this.log = options.log ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.tokens = new TokenStore(options.refreshMarginSeconds ?? 60);
    this.http = new HttpClient({
      baseUrl: options.baseUrl,
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      retryBaseMs: options.retryBaseMs,
      maxBodyBytes: options.maxBodyBytes,
      gate: options.gate,
      log: this.log,
      now: this.now,
      secrets: () => [options.password, this.tokens.accessToken, this.tokens.refreshToken],
    });
  }

  /**
   * Ensures a usable token: reuse it until shortly before its `exp`, then refresh via
   * `/api/auth/token`, and log in again when there is no refresh token or refreshing fails.
   * @throws NightowlError E_AUTH when the portal refuses the credentials
   */
  authenticate(): Promise<void> {
    if (this.tokens.action(this.now()) === "use") return Promise.resolve();
    this.pending ??= this.renew().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Masked prefix of the current access token for logs ("eyJhbGci..."); undefined before login. */
  tokenPrefix(): string | undefined {
    const token = this.tokens.accessToken;
    return token === undefined ? undefined : maskToken(token);
  }

  /**
   * Every device with its latest values, following `hasNext` across pages (the original monitor
   * read page 0 only). Devices are sorted by name by the portal; a device listed on two pages
   * (the list changed between calls) is kept once.
   * @param query.pageSize devices per page (≥ 1)
   * @param query.signal cancels the poll (a stopping `run` must not wait for a slow portal)
   */
  async devices(query: {
    timeseriesKeys: readonly string[];
    attributeKeys: readonly string[];
    pageSize: number;
    signal?: AbortSignal;
  }): Promise<DeviceSnapshot[]> {
    const pageSize = Math.max(1, Math.floor(query.pageSize));
    const latestValues = [
      ...query.timeseriesKeys.map((key) => ({ key, type: "TIME_SERIES" })),
      ...query.attributeKeys.map((key) => ({ key, type: "ATTRIBUTE" })),
    ];
    const seen = new Set<string>();
    const devices: DeviceSnapshot[] = [];
    // The first page's totalPages bounds the walk (one more page allows for a device added meanwhile).
    let lastPage = MAX_PAGES - 1;
    for (let page = 0; ; page++) {
      if (page > lastPage) {
        this.log.warn(`POST /api/entitiesQuery/find: the portal still says hasNext after ${page} pages (totalPages ${lastPage === MAX_PAGES - 1 ? "beyond " + MAX_PAGES : lastPage}); stopped there`);
        break;
      }
      const body = {
        entityFilter: { type: "entityType", resolveMultiple: true, entityType: "DEVICE" },
        pageLink: {
          page,
          pageSize,
          textSearch: null,
          dynamic: false,
          sortOrder: { key: { key: "name", type: "ENTITY_FIELD" }, direction: "ASC" },
        },
        entityFields: [
          { key: "type", type: "ENTITY_FIELD" },
          { key: "name", type: "ENTITY_FIELD" },
        ],
        latestValues,
      };
      const result = await this.call({ method: "POST", path: "/api/entitiesQuery/find", body, signal: query.signal }, EntityDataPageSchema);
      if (page === 0 && Number.isSafeInteger(result.totalPages) && result.totalPages >= 1) lastPage = Math.min(lastPage, result.totalPages);
      let fresh = 0;
      for (const entity of result.data) {
        const id = entity.entityId.id;
        if (seen.has(id)) continue;
        seen.add(id);
        fresh++;
        if (!isPortalId(id)) {
          this.log.warn(`device id ${quotedText(id)} is not a UUID, the portal's id shape; skipped that device`);
          continue;
        }
        devices.push(snapshotOf(entity));
      }
      if (!result.hasNext || result.data.length === 0) break;
      if (fresh === 0) {
        this.log.warn(`POST /api/entitiesQuery/find: page ${page} says hasNext but repeats devices already read; stopped there`);
        break;
      }
    }
    return devices;
  }

  /**
   * One call of the history endpoint. Returns numeric points per key (strings parsed,
   * "true"/"false" as 1/0, empty and non-numeric strings dropped); keys with no points are absent.
   * The portal cuts each key at `limit` points without saying so, and dropped points make a
   * full page look short: a caller that splits windows should use `timeseriesPage` and compare
   * its `received` counts with `limit`.
   * @param startTs window start, epoch ms (inclusive)
   * @param endTs window end, epoch ms
   */
  async timeseries(
    deviceId: string,
    keys: readonly string[],
    startTs: number,
    endTs: number,
    options: TimeseriesOptions = {},
  ): Promise<Record<string, Point[]>> {
    return (await this.timeseriesPage(deviceId, keys, startTs, endTs, options)).points;
  }

  /**
   * `timeseries`, plus how many points the portal sent per key before non-numeric ones were
   * dropped: `received[key] >= limit` means the page was cut and the window must be split.
   */
  async timeseriesPage(
    deviceId: string,
    keys: readonly string[],
    startTs: number,
    endTs: number,
    options: TimeseriesOptions = {},
  ): Promise<TimeseriesPage> {
    const agg = options.agg ?? "NONE";
    const result = await this.call(
      {
        method: "GET",
        path: `/api/plugins/telemetry/DEVICE/${devicePathSegment(deviceId)}/values/timeseries`,
        query: {
          keys: keys.join(","),
          startTs: Math.floor(startTs),
          endTs: Math.floor(endTs),
          limit: options.limit ?? 50_000,
          agg,
          interval: agg !== "NONE" && options.intervalMs !== undefined ? Math.floor(options.intervalMs) : undefined,
          orderBy: options.orderBy ?? "ASC",
          useStrictDataTypes: true,
        },
        signal: options.signal,
      },
      TimeseriesSchema,
    );
    const points: Record<string, Point[]> = {};
    const received: Record<string, number> = {};
    for (const [key, raw] of Object.entries(result)) {
      received[key] = raw.length;
      const kept: Point[] = [];
      let text = 0;
      let badTime = 0;
      for (const point of raw) {
        const raw = rawOf(point.value);
        const value = numericValue(raw);
        if (value === null) text += raw === undefined ? 0 : 1;
        else if (!isPlausibleTimestamp(point.ts)) badTime++;
        else kept.push({ ts: point.ts, value });
      }
      if (text > 0) this.log.debug(`device ${deviceId} key ${key}: skipped ${text} value(s) that are not numbers`);
      if (badTime > 0) this.log.warn(`device ${deviceId} key ${key}: skipped ${badTime} point(s) whose ts is not ${PLAUSIBLE_RANGE}`);
      if (kept.length > 0) points[key] = kept;
    }
    return { points, received };
  }

  /** Server attributes of one device by key, leaving out keys without a value. */
  async attributes(deviceId: string, keys: readonly string[]): Promise<Record<string, RawValue>> {
    const result = await this.call(
      {
        method: "GET",
        path: `/api/plugins/telemetry/DEVICE/${devicePathSegment(deviceId)}/values/attributes`,
        query: { keys: keys.join(",") },
      },
      AttributesSchema,
    );
    const out: Record<string, RawValue> = {};
    for (const { key, value } of result) {
      const raw = value !== null && typeof value === "object" ? JSON.stringify(value) : rawOf(value);
      if (raw !== undefined) out[key] = raw;
    }
    return out;
  }

  /**
   * An authenticated call. A 401 with a token in hand means the portal dropped the token before
   * its `exp` (restart, clock skew, early expiry): renew once and repeat the call once.
   */
  private async call<S extends v.GenericSchema>(req: Omit<HttpRequest, "token">, schema: S): Promise<v.InferOutput<S>> {
    await this.authenticate();
    const token = this.tokens.accessToken;
    try {
      return await this.http.request({ ...req, token }, schema);
    } catch (error) {
      if (!(error instanceof HttpStatusError) || error.status !== 401) throw error;
      this.log.debug(`${error.endpoint}: token rejected; renewing and retrying once`);
      // Another caller may have renewed meanwhile; only drop the token this call used.
      if (this.tokens.accessToken === token) this.tokens.invalidateAccess();
      await this.authenticate();
      return await this.http.request({ ...req, token: this.tokens.accessToken }, schema);
    }
  }

  private async renew(): Promise<void> {
    if (this.tokens.action(this.now()) === "refresh") {
      try {
        await this.refresh();
        return;
      } catch (error) {
        const reason = isNightowlError(error) ? error.message : String(error);
        this.log.warn(`Token refresh failed; logging in again: ${reason}`);
        this.tokens.clear();
      }
    }
    await this.login();
  }

  private async login(): Promise<void> {
    const body: Record<string, string> = { username: this.options.username, password: this.options.password };
    if (this.options.tenant) body.tenant = this.options.tenant;
    const pair = await this.http.request({ method: "POST", path: "/api/auth/login", body }, TokenPairSchema);
    this.tokens.set(pair);
    this.log.debug(`Authenticated successfully; token prefix ${this.tokenPrefix()}`);
  }

  private async refresh(): Promise<void> {
    const refreshToken = this.tokens.refreshToken;
    const pair = await this.http.request(
      { method: "POST", path: "/api/auth/token", body: { refreshToken } },
      TokenPairSchema,
    );
    this.tokens.set(pair);
    this.log.debug(`Token refreshed; token prefix ${this.tokenPrefix()}`);
  }
}

/** A portal value as the snapshot keeps it: booleans as "true"/"false", null and "" as no value. */
function rawOf(value: PortalValue | null): RawValue | undefined {
  if (value === null) return undefined;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "string" && value.trim() === "") return undefined;
  return value;
}

/**
 * Readings with a value and a plausible time (a `ts` of 1e309 would make `last_seen` +Inf);
 * text cut to a bounded length, since it ends up in labels and log lines.
 */
function readingsOf(section: Record<string, { ts: number; value: PortalValue }> | undefined): Record<string, Reading> {
  const out: Record<string, Reading> = {};
  if (!section) return out;
  for (const [key, { ts, value }] of Object.entries(section)) {
    const raw = rawOf(value);
    if (raw !== undefined && isPlausibleTimestamp(ts)) out[key] = { ts, value: typeof raw === "string" ? boundedText(raw) : raw };
  }
  return out;
}

/**
 * A device id as one URL path segment. Ids come from the portal, which could send `..` or
 * `a/b`; `devices()` keeps only UUID-shaped ids, and this refuses anything else that reaches a URL.
 * @throws NightowlError E_DATA when `id` is not UUID-shaped
 */
export function devicePathSegment(id: string): string {
  if (!isPortalId(id)) throw new NightowlError("E_DATA", `device id ${quotedText(id)} is not a UUID, the portal's id shape; refusing to put it in a URL`);
  return encodeURIComponent(id);
}

/** The domain snapshot of one entity-data row. */
export function snapshotOf(entity: EntityData): DeviceSnapshot {
  const fields = entity.latest.ENTITY_FIELD ?? {};
  const attributes = readingsOf(entity.latest.ATTRIBUTE);
  const customer = attributes.CustomerInfo?.value;
  const name = fields.name ? rawOf(fields.name.value) : undefined;
  const type = fields.type ? rawOf(fields.type.value) : undefined;
  return {
    id: entity.entityId.id,
    name: boundedText(name === undefined ? entity.entityId.id : String(name)),
    type: boundedText(type === undefined ? "" : String(type)),
    userLabel: userLabelFor(customer === undefined ? undefined : String(customer)),
    telemetry: readingsOf(entity.latest.TIME_SERIES),
    attributes,
  };
}
