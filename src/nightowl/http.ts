/**
 * One HTTP exchange with the portal: timeout, retries with exponential backoff and jitter,
 * `Retry-After`, JSON parsing and schema validation, and errors that name the endpoint.
 *
 * ofetch builds the request (base URL, query, JSON body); the retry loop is our own because
 * ofetch's retry reuses an already-aborted timeout signal on the next attempt, does not retry a
 * body cut off mid-stream, and cannot honour `Retry-After`.
 */
import { ofetch } from "ofetch";
import * as v from "valibot";
import { NightowlError, type ErrorCode } from "../errors.ts";
import { silentLogger, type Logger } from "../log.ts";
import { ErrorBodySchema } from "./schemas.ts";
import { redactSecrets } from "../redact.ts";
import type { RequestGate } from "./request-gate.ts";

export interface HttpOptions {
  baseUrl: string;
  /** Per attempt, milliseconds. Default 10 000. */
  timeoutMs?: number;
  /** Retries after the first attempt on network errors, timeouts, 429 and 5xx. Default 3. */
  retries?: number;
  /** Backoff base in milliseconds: attempt n waits about base·2ⁿ. Default 500. */
  retryBaseMs?: number;
  /** Upper bound of one backoff wait, milliseconds. Default 30 000. */
  retryMaxMs?: number;
  /** Upper bound of a wait asked for by `Retry-After`, milliseconds. Default 60 000. */
  retryAfterCapMs?: number;
  log?: Logger;
  /** Strings that must never appear in an error or log message (password, tokens). */
  secrets?: () => readonly (string | undefined)[];
  /** Uniform [0, 1), injectable for tests of the jitter. */
  random?: () => number;
  /** Epoch ms, used to read a `Retry-After` given as an HTTP date. */
  now?: () => number;
  /** Largest response body read, in bytes after decompression; a larger one fails the call. Default 64 MiB. */
  maxBodyBytes?: number;
  /** Bounds the calls in flight, shared with other clients of the same portal; a 429's Retry-After pauses it. */
  gate?: RequestGate;
}

export interface HttpRequest {
  method: "GET" | "POST";
  /** Path below the base URL, e.g. `/api/auth/login`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Sent as `X-Authorization: Bearer <token>`. */
  token?: string;
  signal?: AbortSignal;
}

/** The portal answered with a 4xx/5xx status (after retries, for the retryable ones). */
export class HttpStatusError extends NightowlError {
  constructor(
    code: ErrorCode,
    message: string,
    /** HTTP status code. */
    readonly status: number,
    /** `METHOD /path`. */
    readonly endpoint: string,
  ) {
    super(code, message);
  }
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

type Outcome =
  | { kind: "ok"; status: number; text: string }
  | { kind: "status"; status: number; text: string; retryAfter: string | null; statusText: string }
  | { kind: "network"; message: string; cause: unknown };

/** Redirects followed within the base URL's origin before giving up. */
const MAX_REDIRECTS = 5;
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
export const DEFAULT_MAX_BODY_BYTES = 64 << 20;

export class HttpClient {
  private readonly fetcher;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly retryAfterCapMs: number;
  private readonly log: Logger;
  private readonly secrets: () => readonly (string | undefined)[];
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly origin: string;
  private readonly maxBodyBytes: number;
  private readonly gate: RequestGate | undefined;

  constructor(options: HttpOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retries = Math.max(0, options.retries ?? 3);
    this.retryBaseMs = options.retryBaseMs ?? 500;
    this.retryMaxMs = options.retryMaxMs ?? 30_000;
    this.retryAfterCapMs = options.retryAfterCapMs ?? 60_000;
    this.log = options.log ?? silentLogger;
    this.secrets = options.secrets ?? (() => []);
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.origin = new URL(options.baseUrl).origin;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.gate = options.gate;
    this.fetcher = ofetch.create({
      baseURL: options.baseUrl.replace(/\/+$/, ""),
      retry: false,
      ignoreResponseError: true,
      // Our own redirect handling: fetch would carry the password and the X-Authorization
      // token to whatever origin a Location names.
      redirect: "manual",
      // Read by `readBody`, which stops at `maxBodyBytes` (counted after decompression, so a
      // gzip bomb stops there too).
      responseType: "stream",
      headers: { accept: "application/json" },
    });
  }

  /**
   * Send the request, retrying what a retry can fix, and return the body validated by `schema`.
   * @throws NightowlError E_AUTH (401/403), E_HTTP (other statuses, network, timeout, abort),
   *   E_PARSE (not JSON, or not of the schema's shape).
   */
  async request<S extends v.GenericSchema>(req: HttpRequest, schema: S): Promise<v.InferOutput<S>> {
    const endpoint = `${req.method} ${req.path}`;
    for (let attempt = 0; ; attempt++) {
      const startedAt = this.now();
      const outcome = this.gate ? await this.gate.run(() => this.attempt(req, endpoint), req.signal, endpoint) : await this.attempt(req, endpoint);
      if (outcome.kind === "ok") {
        // `--log-level debug` shows every call, so a slow or odd portal can be seen call by call.
        this.log.debug(this.redact(`${endpoint}: HTTP ${outcome.status}, ${outcome.text.length} bytes in ${this.now() - startedAt} ms`));
        return this.parse(endpoint, outcome.text, schema);
      }

      const retryable = outcome.kind === "network" || RETRYABLE_STATUS.has(outcome.status);
      if (!retryable || attempt >= this.retries) throw this.failure(endpoint, outcome, attempt + 1);

      const wait = this.retryDelay(attempt, outcome.kind === "status" ? outcome.retryAfter : null);
      // The portal's rate limit is the portal's, not this call's: every caller waits it out.
      if (outcome.kind === "status" && outcome.status === 429) this.gate?.pauseFor(wait);
      const what = outcome.kind === "network" ? outcome.message : `HTTP ${outcome.status}`;
      // Debug: the call either succeeds (nothing to report) or fails with one error line saying how many attempts it made.
      this.log.debug(this.redact(`${endpoint}: ${what}; retry ${attempt + 1}/${this.retries} in ${wait} ms`));
      await sleep(wait, req.signal, endpoint);
    }
  }

  /**
   * Milliseconds to wait before retry number `attempt + 1`: `Retry-After` (seconds or an HTTP
   * date) capped at `retryAfterCapMs` when given, else "equal jitter" exponential backoff
   * (half fixed, half random) capped at `retryMaxMs`.
   */
  retryDelay(attempt: number, retryAfter: string | null): number {
    if (retryAfter !== null) {
      const asked = parseRetryAfter(retryAfter, this.now());
      if (asked !== undefined) return Math.min(this.retryAfterCapMs, asked);
    }
    const exp = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** attempt);
    return Math.round(exp / 2 + (this.random() * exp) / 2);
  }

  private async attempt(req: HttpRequest, endpoint: string): Promise<Outcome> {
    if (req.signal?.aborted) throw aborted(endpoint, req.signal.reason);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const headers: Record<string, string> = {};
    if (req.token) headers["X-Authorization"] = `Bearer ${req.token}`;
    try {
      let target = req.path;
      let method: string = req.method;
      let body = req.body as Record<string, unknown> | undefined;
      let query = req.query;
      for (let hop = 0; ; hop++) {
        const response = await this.fetcher.raw<ReadableStream<Uint8Array> | undefined, "stream">(target, { method, query, body, headers, signal });
        const location = response.headers.get("location");
        if (REDIRECT_STATUS.has(response.status) && location !== null) {
          await response.body?.cancel().catch(() => {});
          const next = new URL(location, response.url || `${this.origin}${req.path}`);
          if (next.origin !== this.origin) {
            throw new NightowlError(
              "E_HTTP",
              `${endpoint}: the portal redirected to ${next.origin}, another origin than the base URL's ${this.origin}; not following (credentials go to the base URL only)`,
            );
          }
          if (hop >= MAX_REDIRECTS) throw new NightowlError("E_HTTP", `${endpoint}: more than ${MAX_REDIRECTS} redirects`);
          target = next.href;
          query = undefined;
          if (response.status === 303) {
            method = "GET";
            body = undefined;
          }
          continue;
        }
        const text = await readBody(response.body, this.maxBodyBytes, endpoint);
        if (response.status >= 200 && response.status < 300) return { kind: "ok", status: response.status, text };
        return {
          kind: "status",
          status: response.status,
          text,
          retryAfter: response.headers.get("retry-after"),
          statusText: response.statusText,
        };
      }
    } catch (error) {
      if (error instanceof NightowlError) throw error;
      if (req.signal?.aborted) throw aborted(endpoint, error);
      if (timeout.aborted) return { kind: "network", message: `timed out after ${this.timeoutMs} ms`, cause: error };
      const message = error instanceof Error ? error.message : String(error);
      return { kind: "network", message: `network error: ${message}`, cause: error };
    }
  }

  private parse<S extends v.GenericSchema>(endpoint: string, text: string, schema: S): v.InferOutput<S> {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // Never echo the body: a login response holds tokens.
      throw new NightowlError("E_PARSE", this.redact(`${endpoint}: response is not valid JSON (${text.length} bytes): ${reason}`), {
        cause: error,
      });
    }
    const result = v.safeParse(schema, data);
    if (result.success) return result.output;
    const issue = result.issues[0];
    const path = v.getDotPath(issue) ?? "(root)";
    throw new NightowlError(
      "E_PARSE",
      this.redact(`${endpoint}: unexpected response at ${path}: expected ${issue.expected ?? "another value"}, received ${issue.received}`),
    );
  }

  private failure(endpoint: string, outcome: Exclude<Outcome, { kind: "ok" }>, attempts: number): NightowlError {
    const tries = attempts > 1 ? ` (after ${attempts} attempts)` : "";
    if (outcome.kind === "network") {
      return new NightowlError("E_HTTP", this.redact(`${endpoint}: ${outcome.message}${tries}`), { cause: outcome.cause });
    }
    const portalMessage = portalMessageOf(outcome.text) ?? outcome.statusText;
    const code: ErrorCode = outcome.status === 401 || outcome.status === 403 ? "E_AUTH" : "E_HTTP";
    const text = `${endpoint}: HTTP ${outcome.status}${portalMessage ? `: ${portalMessage}` : ""}${tries}`;
    return new HttpStatusError(code, this.redact(text), outcome.status, endpoint);
  }

  /** Replace every known secret in `text` by a mask. */
  redact(text: string): string {
    return redactSecrets(text, this.secrets());
  }
}

/**
 * The body as text, read chunk by chunk so that an endless or huge answer stops at `limit`
 * bytes instead of filling memory.
 * @throws NightowlError E_HTTP when the body exceeds `limit`
 */
async function readBody(stream: ReadableStream<Uint8Array> | null | undefined, limit: number, endpoint: string): Promise<string> {
  if (!stream) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new NightowlError("E_HTTP", `${endpoint}: response body exceeds ${limit} bytes (NIGHTOWL_MAX_RESPONSE_MB); refusing to read more`);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks, size));
}

/** The `message` of a portal error body, trimmed to one short line; undefined when there is none. */
function portalMessageOf(text: string): string | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const body = v.safeParse(ErrorBodySchema, data);
  const message = body.success ? body.output.message?.replace(/\s+/g, " ").trim() : undefined;
  if (!message) return undefined;
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}

/**
 * `Retry-After` in milliseconds from now: delta-seconds or an HTTP date (RFC 9110 §10.2.3);
 * undefined when unreadable.
 */
export function parseRetryAfter(value: string, nowMs: number): number | undefined {
  const s = value.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  // An HTTP date names its weekday or month; this also keeps "-5" from parsing as a year.
  const date = /[a-z]/i.test(s) ? Date.parse(s) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

function aborted(endpoint: string, cause: unknown): NightowlError {
  return new NightowlError("E_HTTP", `${endpoint}: aborted`, { cause });
}

function sleep(ms: number, signal: AbortSignal | undefined, endpoint: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted(endpoint, signal.reason));
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted(endpoint, signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
