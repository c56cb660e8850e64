/**
 * One call to the portal: attempts (http-exchange.ts) retried as retry-policy.ts says, the
 * shared request gate, JSON parsing and schema validation, and errors that name the endpoint.
 *
 * ofetch builds the request (base URL, query, JSON body); the retry loop is our own because
 * ofetch's retry reuses an already-aborted timeout signal on the next attempt, does not retry a
 * body cut off mid-stream, and cannot honour `Retry-After`.
 */
import type { $Fetch } from "ofetch";
import * as v from "valibot";
import { NightowlError, type ErrorCode } from "../errors.ts";
import { silentLogger, type Logger } from "../log.ts";
import { authorizationSecrets, redactSecrets, splitUrlCredentials } from "../redact.ts";
import { aborted, createFetcher, DEFAULT_MAX_BODY_BYTES, exchange, type ExchangeLimits, type Outcome } from "./http-exchange.ts";
import type { RequestGate } from "./request-gate.ts";
import { RETRYABLE_STATUS, retryDelay, sleep, type RetryPolicy } from "./retry-policy.ts";
import { ErrorBodySchema } from "./schemas.ts";

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

/** An authenticated call as the endpoint modules make it: the session adds the token. */
export type PortalCall = <S extends v.GenericSchema>(req: Omit<HttpRequest, "token">, schema: S) => Promise<v.InferOutput<S>>;

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

export class HttpClient {
  private readonly fetcher: $Fetch;
  private readonly limits: ExchangeLimits;
  private readonly retries: number;
  private readonly policy: RetryPolicy;
  private readonly log: Logger;
  private readonly secrets: () => readonly (string | undefined)[];
  private readonly now: () => number;
  private readonly gate: RequestGate | undefined;

  constructor(options: HttpOptions) {
    this.retries = Math.max(0, options.retries ?? 3);
    this.now = options.now ?? Date.now;
    this.policy = {
      baseMs: options.retryBaseMs ?? 500,
      maxMs: options.retryMaxMs ?? 30_000,
      afterCapMs: options.retryAfterCapMs ?? 60_000,
      random: options.random ?? Math.random,
      now: this.now,
    };
    // Credentials in the base URL (http://user:pass@host, for a proxy in front of the portal)
    // become the Basic header fetch would have made of them, and leave the URL: the fetch
    // library's network errors quote the URL they asked.
    const base = splitUrlCredentials(new URL(options.baseUrl));
    this.limits = {
      origin: base.url.origin,
      timeoutMs: options.timeoutMs ?? 10_000,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    };
    this.log = options.log ?? silentLogger;
    const urlSecrets = authorizationSecrets(base.authorization);
    const secrets = options.secrets ?? (() => []);
    this.secrets = () => [...secrets(), ...urlSecrets];
    this.gate = options.gate;
    this.fetcher = createFetcher(base.url.href, base.authorization);
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
      const once = () => exchange(this.fetcher, req, endpoint, this.limits);
      const outcome = this.gate ? await this.gate.run(once, req.signal, endpoint) : await once();
      if (outcome.kind === "ok") {
        // `--log-level debug` shows every call, so a slow or odd portal can be seen call by call.
        this.log.debug(this.redact(`${endpoint}: HTTP ${outcome.status}, ${outcome.text.length} bytes in ${this.now() - startedAt} ms`));
        return this.parse(endpoint, outcome.text, schema);
      }

      const retryable = outcome.kind === "network" || RETRYABLE_STATUS.has(outcome.status);
      if (!retryable || attempt >= this.retries) throw this.failure(endpoint, outcome, attempt + 1);

      const wait = retryDelay(this.policy, attempt, outcome.kind === "status" ? outcome.retryAfter : null);
      // The portal's rate limit is the portal's, not this call's: every caller waits it out.
      if (outcome.kind === "status" && outcome.status === 429) this.gate?.pauseFor(wait);
      const what = outcome.kind === "network" ? outcome.message : `HTTP ${outcome.status}`;
      // Debug: the call either succeeds (nothing to report) or fails with one error line saying how many attempts it made.
      this.log.debug(this.redact(`${endpoint}: ${what}; retry ${attempt + 1}/${this.retries} in ${wait} ms`));
      await sleep(wait, req.signal, () => aborted(endpoint, req.signal?.reason));
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
