/**
 * Streaming history into VictoriaMetrics (or anything speaking its import API): Prometheus
 * text lines with millisecond timestamps POSTed to `/api/v1/import/prometheus` in batches of
 * bounded size, retried with backoff on network errors, 429 and 5xx.
 */
import { NightowlError } from "../errors.ts";
import { authorizationSecrets, redactSecrets, splitUrlCredentials } from "../redact.ts";
import { OptionError } from "../option-error.ts";
import { DEFAULT_MAX_BODY_BYTES, readBody } from "../nightowl/http-exchange.ts";

export const VM_IMPORT_PATH = "/api/v1/import/prometheus";

export interface VmImportOptions {
  /** `http://host:8428` (the import path is added) or the full import URL. */
  url: string;
  /** Flush when the pending text reaches this many characters. Default 4 MiB. */
  batchChars?: number;
  /** Retries after the first attempt. Default 3. */
  retries?: number;
  /** Backoff base, milliseconds; attempt n waits base·2ⁿ. Default 500. */
  retryBaseMs?: number;
  /** Per attempt, milliseconds. Default 60 000. */
  timeoutMs?: number;
  /** Largest answer read, bytes after decompression (default 64 MiB, NIGHTOWL_MAX_RESPONSE_MB). */
  maxBodyBytes?: number;
  signal?: AbortSignal;
}

/**
 * The import URL for a user's `importUrl` (`--import-url`): a bare server URL gets the import path; user
 * and password in the URL become a basic-auth header (and leave the URL, so logs never show them).
 * @throws OptionError E_USAGE when it is not an http(s) URL
 */
export function importTarget(raw: string): { url: string; shown: string; headers: Record<string, string> } {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new OptionError("E_USAGE", (n) => `${n("importUrl")} ${JSON.stringify(raw)} is not a URL: expected e.g. http://127.0.0.1:8428`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new OptionError("E_USAGE", (n) => `${n("importUrl")} ${JSON.stringify(u.protocol)} is not allowed: expected an http:// or https:// URL`);
  }
  const headers: Record<string, string> = { "content-type": "text/plain" };
  const split = splitUrlCredentials(u);
  u = split.url;
  if (split.authorization) headers.authorization = split.authorization;
  if (u.pathname === "" || u.pathname === "/") u.pathname = VM_IMPORT_PATH;
  return { url: u.toString(), shown: `${u.origin}${u.pathname}`, headers };
}

/** One batcher; call `flush` before counting its lines as imported. */
export class VmImporter {
  private pending: string[] = [];
  private pendingChars = 0;
  private readonly target;
  private readonly batchChars: number;
  /** POSTs that succeeded. */
  requests = 0;

  constructor(private readonly options: VmImportOptions) {
    this.target = importTarget(options.url);
    this.batchChars = options.batchChars ?? 4 << 20;
  }

  /** Queues lines (each ending in a line break); sends a batch when enough is pending. */
  async add(text: string): Promise<void> {
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= this.batchChars) await this.flush();
  }

  /** Sends what is pending. */
  async flush(): Promise<void> {
    if (this.pendingChars === 0) return;
    const body = this.pending.join("");
    this.pending = [];
    this.pendingChars = 0;
    await this.post(body);
  }

  private async post(body: string): Promise<void> {
    const retries = this.options.retries ?? 3;
    const base = this.options.retryBaseMs ?? 500;
    let last = "";
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(base * 2 ** (attempt - 1), this.options.signal);
      if (this.options.signal?.aborted) throw new NightowlError("E_HTTP", `POST ${this.target.shown}: aborted`);
      const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 60_000);
      const signal = this.options.signal ? AbortSignal.any([this.options.signal, timeout]) : timeout;
      try {
        // No redirects: fetch would carry the Authorization header to whatever a Location names.
        const res = await fetch(this.target.url, { method: "POST", body, headers: this.target.headers, signal, redirect: "manual" });
        if (res.status >= 300 && res.status < 400) {
          await res.body?.cancel().catch(() => {});
          throw new NightowlError("E_HTTP", `POST ${this.target.shown} answered a redirect (HTTP ${res.status}); not following it with the credentials: give the final URL in --import-url`);
        }
        // The body only names the failure: its first 200 characters are enough, and a server
        // that echoes the request must not hand our credentials back into a message.
        const text = (await readBody(res.body, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, `POST ${this.target.shown}`)).slice(0, 200).trim();
        if (res.ok) {
          this.requests++;
          return;
        }
        last = `${res.status} ${redactSecrets(text, authorizationSecrets(this.target.headers.authorization))}`;
        if (res.status !== 429 && res.status < 500) break;
      } catch (error) {
        if (error instanceof NightowlError) throw error;
        if (this.options.signal?.aborted) throw new NightowlError("E_HTTP", `POST ${this.target.shown}: aborted`, { cause: error });
        last = (error as Error).message;
      }
    }
    throw new NightowlError("E_HTTP", `POST ${this.target.shown} failed: ${last}`);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
