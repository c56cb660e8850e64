/**
 * The NightOwl portal client: one session (token reuse, refresh, re-login, one retry on a
 * dropped token) and the calls the monitor needs: the device list (device-list.ts), history and
 * attributes (device-values.ts). Every response is validated (schemas.ts) before it is read.
 */
import type * as v from "valibot";
import { isNightowlError } from "../errors.ts";
import { maskToken, silentLogger, type Logger } from "../log.ts";
import { listDevices, type DeviceQuery } from "./device-list.ts";
import { fetchAttributes, fetchTimeseriesPage, type Point, type TimeseriesOptions, type TimeseriesPage } from "./device-values.ts";
import { HttpClient, HttpStatusError, type HttpRequest, type PortalCall } from "./http.ts";
import type { RequestGate } from "./request-gate.ts";
import { TokenPairSchema } from "./schemas.ts";
import type { DeviceSnapshot, RawValue } from "./snapshot.ts";
import { TokenStore } from "./token-store.ts";

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

export class NightowlClient {
  private readonly http: HttpClient;
  private readonly tokens: TokenStore;
  private readonly log: Logger;
  private readonly now: () => number;
  /** The authentication under way, shared by concurrent callers. */
  private pending: Promise<void> | undefined;
  /** `call` as a function the endpoint modules take. */
  private readonly boundCall: PortalCall = (req, schema) => this.call(req, schema);

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
   * read page 0 only); a device listed on two pages is kept once. See device-list.ts.
   */
  devices(query: DeviceQuery): Promise<DeviceSnapshot[]> {
    return listDevices(this.boundCall, this.log, query);
  }

  /**
   * One call of the history endpoint: numeric points per key; keys with no points are absent.
   * The portal cuts each key at `limit` points without saying so, and dropped points make a
   * full page look short: a caller that splits windows should use `timeseriesPage` and compare
   * its `received` counts with `limit`.
   * @param startTs window start, epoch ms (inclusive)
   * @param endTs window end, epoch ms
   */
  async timeseries(deviceId: string, keys: readonly string[], startTs: number, endTs: number, options: TimeseriesOptions = {}): Promise<Record<string, Point[]>> {
    return (await this.timeseriesPage(deviceId, keys, startTs, endTs, options)).points;
  }

  /** `timeseries`, plus how many points the portal sent per key (device-values.ts). */
  timeseriesPage(deviceId: string, keys: readonly string[], startTs: number, endTs: number, options: TimeseriesOptions = {}): Promise<TimeseriesPage> {
    return fetchTimeseriesPage(this.boundCall, this.log, deviceId, keys, startTs, endTs, options);
  }

  /** Server attributes of one device by key, leaving out keys without a value. */
  attributes(deviceId: string, keys: readonly string[]): Promise<Record<string, RawValue>> {
    return fetchAttributes(this.boundCall, deviceId, keys);
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
