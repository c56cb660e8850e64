/**
 * When a failed portal call is tried again, and after how long: network errors, timeouts, 408,
 * 429 and 5xx are retried with "equal jitter" exponential backoff, or after the `Retry-After`
 * the portal asks for (capped).
 */

/** Statuses a retry can fix: the portal was busy, slow or briefly down. */
export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

export interface RetryPolicy {
  /** Backoff base in milliseconds: attempt n waits about base·2ⁿ. */
  baseMs: number;
  /** Upper bound of one backoff wait, milliseconds. */
  maxMs: number;
  /** Upper bound of a wait asked for by `Retry-After`, milliseconds. */
  afterCapMs: number;
  /** Uniform [0, 1). */
  random: () => number;
  /** Epoch ms, to read a `Retry-After` given as an HTTP date. */
  now: () => number;
}

/**
 * Milliseconds to wait before retry number `attempt + 1`: `Retry-After` (seconds or an HTTP
 * date) capped at `afterCapMs` when given and readable, else equal-jitter exponential backoff
 * (half fixed, half random) capped at `maxMs`.
 */
export function retryDelay(policy: RetryPolicy, attempt: number, retryAfter: string | null): number {
  if (retryAfter !== null) {
    const asked = parseRetryAfter(retryAfter, policy.now());
    if (asked !== undefined) return Math.min(policy.afterCapMs, asked);
  }
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
  return Math.round(exp / 2 + (policy.random() * exp) / 2);
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

/** Waits `ms`; rejects with `abortError()` as soon as `signal` aborts (a stopping `run` does not wait out a backoff). */
export function sleep(ms: number, signal: AbortSignal | undefined, abortError: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
