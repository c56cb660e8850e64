/**
 * A bound on portal calls in flight, shared by everything in the process that talks to one
 * portal (polls, warm-up history reads, every account's client): at most `limit` requests at
 * once, the rest wait their turn in order. When the portal answers 429 with `Retry-After`,
 * the whole gate holds off until then, so the other callers do not spend the portal's
 * patience while one of them waits out its rate limit.
 */
import { NightowlError } from "../errors.ts";

export class RequestGate {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  private pausedUntil = 0;
  private pauseTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param limit requests in flight at most (≥ 1)
   * @param now epoch milliseconds; injectable
   */
  constructor(
    readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(Number.isInteger(limit) && limit >= 1)) throw new RangeError(`limit must be a whole number ≥ 1, got ${limit}`);
  }

  /** Requests running now. */
  get inFlight(): number {
    return this.active;
  }

  /** Runs `task` once a slot is free and no pause holds; `signal` gives up the wait. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal, endpoint = "request"): Promise<T> {
    await this.acquire(signal, endpoint);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /** Holds every caller for `ms` from now (a longer pause already set stays). */
  pauseFor(ms: number): void {
    const until = this.now() + Math.max(0, ms);
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    clearTimeout(this.pauseTimer);
    this.pauseTimer = setTimeout(() => this.drain(), Math.max(0, ms));
  }

  private acquire(signal: AbortSignal | undefined, endpoint: string): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortedWait(endpoint));
    if (this.active < this.limit && this.queue.length === 0 && this.now() >= this.pausedUntil) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener("abort", onAbort);
        this.active++;
        resolve();
      };
      const onAbort = () => {
        const i = this.queue.indexOf(grant);
        if (i >= 0) this.queue.splice(i, 1);
        reject(abortedWait(endpoint));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.queue.push(grant);
    });
  }

  private release(): void {
    this.active--;
    this.drain();
  }

  private drain(): void {
    if (this.now() < this.pausedUntil) return;
    while (this.active < this.limit && this.queue.length > 0) this.queue.shift()!();
  }
}

function abortedWait(endpoint: string): NightowlError {
  return new NightowlError("E_HTTP", `${endpoint}: aborted while waiting for a free portal connection`);
}
