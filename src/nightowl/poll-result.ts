/**
 * What one poll of the portal produced, and the interface of whatever wants every poll's
 * result: the types the poll loop hands to the monitor, the metrics and the status page.
 */
import type { DeviceSnapshot } from "./snapshot.ts";

/** What one poll produced. Times are epoch milliseconds, durations milliseconds. */
export type PollResult =
  | { ok: true; devices: DeviceSnapshot[]; startedAt: number; durationMs: number }
  | { ok: false; error: unknown; startedAt: number; durationMs: number };

/**
 * Anything that wants every poll's result: give one to `startPollLoop({ observers })`.
 *
 * `observe` is called once per poll, in the order the observers were given, after the poll
 * settles; the loop awaits a returned promise before the next observer, so keep it short
 * (metrics, a log line, a model score). A throw is logged and does not reach other observers'
 * results or the loop. A failed poll is delivered too (`ok: false`), so an observer can
 * count failures; devices of the last good poll are not repeated.
 */
export interface PollObserver {
  observe(result: PollResult): void | Promise<void>;
}
