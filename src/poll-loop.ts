/**
 * The poll loop of `nightowl run`: one poll per interval at a fixed cadence, each result
 * handed to every observer (metrics, the device report, live scoring, analytics).
 *
 * Polls start `intervalMs` apart — never closer, even while every poll fails, so a portal
 * outage never turns into a retry storm — and a poll that overruns its slot starts the next
 * one as soon as it ends. A failing poll or a throwing observer is logged and the loop goes
 * on; only `stop()` ends it.
 */
import type { Logger } from "./log.ts";
import { describeError, isNightowlError } from "./errors.ts";
import type { PollObserver, PollResult } from "./nightowl/poll-result.ts";
import type { DeviceSnapshot } from "./nightowl/snapshot.ts";
import { slicer } from "./yield-to-server.ts";

/** Sleeps `ms` milliseconds, or resolves early when `signal` aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface PollLoopOptions {
  /**
   * One poll: the devices with their latest values; throws on failure. `signal` aborts when
   * `stop()` is called, so a poll that passes it on to its requests ends at once.
   */
  poll: (signal: AbortSignal) => Promise<DeviceSnapshot[]>;
  /** Time between poll starts, milliseconds (> 0). */
  intervalMs: number;
  observers: readonly PollObserver[];
  log: Logger;
  /** Epoch milliseconds; injected by tests. */
  now?: () => number;
  /** Injected by tests to run the cadence without waiting. */
  sleep?: Sleep;
  /** How long `stop()` waits for a poll in flight before giving up on it, milliseconds. Default 1500. */
  stopGraceMs?: number;
}

export interface PollLoop {
  /** Epoch milliseconds at which the last successful poll finished; undefined before one. */
  readonly lastSuccessAt: number | undefined;
  /** The last poll's result; undefined before the first poll settles. */
  readonly lastResult: PollResult | undefined;
  /** Number of polls that have settled (successful or not). */
  readonly polls: number;
  /**
   * Ends the loop: no poll starts after it is called, and no observer sees a poll settling
   * later. Resolves once the loop is idle, or after `stopGraceMs` if a poll is still in flight.
   */
  stop(): Promise<void>;
}

/** Sleeps with setTimeout; an abort resolves at once and clears the timer. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });

/** Starts polling at once and returns the handle that stops it. */
export function startPollLoop(options: PollLoopOptions): PollLoop {
  const { poll, intervalMs, observers, log } = options;
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be > 0, got ${intervalMs}`);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const stopGraceMs = options.stopGraceMs ?? 1500;
  const aborter = new AbortController();
  let lastSuccessAt: number | undefined;
  let lastResult: PollResult | undefined;
  let polls = 0;

  async function cycle(): Promise<void> {
    const startedAt = now();
    let result: PollResult;
    try {
      const devices = await poll(aborter.signal);
      result = { ok: true, devices, startedAt, durationMs: now() - startedAt };
    } catch (error) {
      result = { ok: false, error, startedAt, durationMs: now() - startedAt };
    }
    if (aborter.signal.aborted) return;
    polls++;
    lastResult = result;
    if (result.ok) lastSuccessAt = startedAt + result.durationMs;
    // A refused login (a changed password) will not mend by itself the way an outage does: ERROR.
    else if (isNightowlError(result.error, "E_AUTH")) log.error(`poll failed: ${describeError(result.error)}`, { durationMs: Math.round(result.durationMs) });
    else log.warn(`poll failed: ${describeError(result.error)}`, { durationMs: Math.round(result.durationMs) });
    // A turn of the event loop between observers once a slice of work is spent: observers that
    // make their pass over the fleet in one piece (the status source, the log's summary) are
    // then each a stretch of their own, not one with the next observers' too, which a scrape
    // arriving meanwhile waited for. Scrapes are served the page rendered after the last
    // observer; only a scrape before any page was rendered renders the registry as it stands,
    // and one arriving during the first poll's observers can see that poll half observed.
    const pause = slicer();
    for (const observer of observers) {
      await pause();
      if (aborter.signal.aborted) return;
      try {
        await observer.observe(result);
      } catch (error) {
        log.error(`poll observer failed: ${describeError(error)}`);
      }
    }
  }

  async function loop(): Promise<void> {
    while (!aborter.signal.aborted) {
      const startedAt = now();
      await cycle();
      if (aborter.signal.aborted) break;
      const due = startedAt + intervalMs;
      // A timer may wake a few milliseconds early by the wall clock: sleep on until the interval is up.
      for (let wait = due - now(); wait > 0 && !aborter.signal.aborted; wait = due - now()) await sleep(wait, aborter.signal);
    }
  }

  const running = loop().catch((error) => log.error(`poll loop ended unexpectedly: ${describeError(error)}`));

  return {
    get lastSuccessAt() {
      return lastSuccessAt;
    },
    get lastResult() {
      return lastResult;
    },
    get polls() {
      return polls;
    },
    async stop() {
      aborter.abort();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, stopGraceMs);
      });
      await Promise.race([running, grace]);
      clearTimeout(timer);
    },
  };
}

/**
 * Whether the loop is fresh enough to be called ready: its last successful poll finished
 * within `2 × intervalMs` of `nowMs`. The reason names what is wrong, for `/readyz`.
 */
export function pollReadiness(lastSuccessAt: number | undefined, intervalMs: number, nowMs: number): { ready: boolean; reason: string } {
  if (lastSuccessAt === undefined) return { ready: false, reason: "no successful poll yet" };
  const ageMs = nowMs - lastSuccessAt;
  if (ageMs > 2 * intervalMs) {
    return { ready: false, reason: `last successful poll ${(ageMs / 1000).toFixed(1)} s ago, more than 2 intervals (${((2 * intervalMs) / 1000).toFixed(1)} s)` };
  }
  return { ready: true, reason: `last successful poll ${(ageMs / 1000).toFixed(1)} s ago` };
}
