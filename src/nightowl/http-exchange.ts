/**
 * One attempt at one portal call: the request as ofetch builds it, redirects followed only
 * within the base URL's origin, a response body read up to a size limit, and the attempt's
 * timeout. What to do with the outcome (retry, fail, parse) is http.ts's.
 */
import { ofetch, type $Fetch } from "ofetch";
import { NightowlError } from "../errors.ts";
import type { HttpRequest } from "./http.ts";

/** What one attempt came to: a 2xx body, another status, or no answer at all. */
export type Outcome =
  | { kind: "ok"; status: number; text: string }
  | { kind: "status"; status: number; text: string; retryAfter: string | null; statusText: string }
  | { kind: "network"; message: string; cause: unknown };

/** Redirects followed within the base URL's origin before giving up. */
const MAX_REDIRECTS = 5;
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
export const DEFAULT_MAX_BODY_BYTES = 64 << 20;

export interface ExchangeLimits {
  /** The base URL's origin, the only one credentials are sent to. */
  origin: string;
  /** Per attempt, milliseconds. */
  timeoutMs: number;
  /** Largest response body read, in bytes after decompression. */
  maxBodyBytes: number;
}

/**
 * The fetcher every attempt uses: no retry of its own, errors as outcomes, redirects and bodies
 * left to us. `authorization` is the Basic header of credentials taken out of the base URL.
 */
export function createFetcher(baseUrl: string, authorization?: string): $Fetch {
  return ofetch.create({
    baseURL: baseUrl.replace(/\/+$/, ""),
    retry: false,
    ignoreResponseError: true,
    // Our own redirect handling: fetch would carry the password and the X-Authorization
    // token to whatever origin a Location names.
    redirect: "manual",
    // Read by `readBody`, which stops at `maxBodyBytes` (counted after decompression, so a
    // gzip bomb stops there too).
    responseType: "stream",
    headers: authorization ? { accept: "application/json", authorization } : { accept: "application/json" },
  });
}

/**
 * One attempt. Network failures and timeouts come back as outcomes (retryable); a redirect to
 * another origin, too many redirects, an oversized body and the caller's abort throw.
 */
export async function exchange(fetcher: $Fetch, req: HttpRequest, endpoint: string, limits: ExchangeLimits): Promise<Outcome> {
  if (req.signal?.aborted) throw aborted(endpoint, req.signal.reason);
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  const headers: Record<string, string> = {};
  if (req.token) headers["X-Authorization"] = `Bearer ${req.token}`;
  try {
    let target = req.path;
    let method: string = req.method;
    let body = req.body as Record<string, unknown> | undefined;
    let query = req.query;
    for (let hop = 0; ; hop++) {
      const response = await fetcher.raw<ReadableStream<Uint8Array> | undefined, "stream">(target, { method, query, body, headers, signal });
      const location = response.headers.get("location");
      if (REDIRECT_STATUS.has(response.status) && location !== null) {
        await response.body?.cancel().catch(() => {});
        const next = new URL(location, response.url || `${limits.origin}${req.path}`);
        if (next.origin !== limits.origin) {
          throw new NightowlError(
            "E_HTTP",
            `${endpoint}: the portal redirected to ${next.origin}, another origin than the base URL's ${limits.origin}; not following (credentials go to the base URL only)`,
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
      const text = await readBody(response.body, limits.maxBodyBytes, endpoint);
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
    if (timeout.aborted) return { kind: "network", message: `timed out after ${limits.timeoutMs} ms`, cause: error };
    return { kind: "network", message: networkMessage(error, limits.origin), cause: error };
  }
}

/** What a system error code means, for the few a wrong URL or a portal down give. */
const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: "connection refused: nothing listens there",
  ENOTFOUND: "no such host",
  EAI_AGAIN: "the host name could not be looked up now",
  ECONNRESET: "the connection was reset",
  EHOSTUNREACH: "no route to the host",
  ENETUNREACH: "the network is unreachable",
  ETIMEDOUT: "the connection timed out",
};

/**
 * A failed exchange in a few words: where, the system's code and what it means. The fetch
 * library's own sentence quotes the method and URL the endpoint already names, and adds advice
 * ("Is the computer able to access the url?"); it is kept only when the error has no code.
 */
function networkMessage(error: unknown, origin: string): string {
  const code = errorCode(error);
  if (code === undefined) return `network error: ${error instanceof Error ? error.message : String(error)}`;
  const words = NETWORK_WORDS[code];
  return `network error: ${origin}: ${code}${words ? ` (${words})` : ""}`;
}

/** The `code` of an error or of its cause (ofetch wraps the runtime's error as the cause). */
function errorCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === "string" && /^E[A-Z_]{2,30}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * The body as text, read chunk by chunk so that an endless or huge answer stops at `limit`
 * bytes instead of filling memory.
 * @throws NightowlError E_HTTP when the body exceeds `limit`
 */
export async function readBody(stream: ReadableStream<Uint8Array> | null | undefined, limit: number, endpoint: string): Promise<string> {
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

/** The caller gave up on the call (a stopping `run`). */
export function aborted(endpoint: string, cause: unknown): NightowlError {
  return new NightowlError("E_HTTP", `${endpoint}: aborted`, { cause });
}
