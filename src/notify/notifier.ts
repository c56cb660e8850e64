/**
 * Notifications without Prometheus: a poll observer that turns the status source's verdicts
 * into episode messages and posts them to every NIGHTOWL_NOTIFY_URL target.
 *
 * Delivery never holds a poll: `observe` only queues. Each target has its own bounded queue
 * and one sender, so a slow or dead target delays nobody else; a failed attempt is retried
 * with doubling backoff, then given up, and every failure is counted. Targets are named in
 * logs by scheme and host only, and any error text is scrubbed of the URL's secret parts.
 */
import type { Logger } from "../log.ts";
import { describeError } from "../errors.ts";
import type { PollObserver, PollResult } from "../nightowl/poll-result.ts";
import { realSleep } from "../poll-loop.ts";
import { redactSecrets } from "../redact.ts";
import type { DeviceVerdict, StatusSource } from "../status/source.ts";
import { ruleTitle } from "../status/verdict.ts";
import { EpisodeTracker, type EpisodeChange } from "./episodes.ts";
import { request, title, type EpisodeEvent } from "./message.ts";
import type { NotifyMetrics } from "../metrics/notify.ts";
import type { NotifyTarget } from "./target.ts";
import { forEachSliced, slicer } from "../yield-to-server.ts";

export interface NotifierOptions {
  targets: readonly NotifyTarget[];
  source: StatusSource;
  metrics: NotifyMetrics;
  log: Logger;
  /** The sites' zone (NIGHTOWL_TIMEZONE): times in the messages are local. Default UTC. */
  timeZone?: string;
  /** NIGHTOWL_PUBLIC_URL: the messages link to `<publicUrl>/device/<id>`. */
  publicUrl?: string;
  /** Attempts per message (default 4) and the first retry's wait, ms (default 2000, doubling). */
  attempts?: number;
  backoffMs?: number;
  /** One attempt's time limit, ms (default 10 000). */
  timeoutMs?: number;
  /** Messages waiting per target before the oldest is dropped (default 50). */
  maxQueue?: number;
  /** Quiet reading time before an episode ends, ms (see EpisodeTracker). */
  quietMs?: number;
  fetch?: typeof fetch;
  /** Makes each poll's pause for its pass over the fleet (default `slicer()`); tests slice by count. */
  pauses?: () => () => Promise<void> | undefined;
}

export interface Notifier extends PollObserver {
  /** Resolves when every queue is empty (tests). */
  idle(): Promise<void>;
  /** Abandons queued messages and attempts in flight. */
  stop(): void;
}

export function createNotifier(options: NotifierOptions): Notifier {
  const { metrics, log } = options;
  const doFetch = options.fetch ?? fetch;
  const attempts = options.attempts ?? 4;
  const backoffMs = options.backoffMs ?? 2000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxQueue = options.maxQueue ?? 50;
  const tracker = new EpisodeTracker(options.quietMs);
  const stopper = new AbortController();
  const senders = options.targets.map((target) => ({ target, queue: [] as EpisodeEvent[], running: undefined as Promise<void> | undefined }));

  function eventOf(change: EpisodeChange): EpisodeEvent {
    const reasons = options.source.reasons(change.device.id).filter((r) => (change.alarm === "pump") === (r.rule === "dry_run" || r.rule === "short_cycling"));
    const first = reasons[0];
    const sentence = first ? `${ruleTitle(first.rule)}: ${first.sentence}` : change.alarm === "leak" ? "the leak model's alarm" : "a pump rule";
    const link = options.publicUrl ? `${options.publicUrl.replace(/\/+$/, "")}/device/${encodeURIComponent(change.device.id)}` : undefined;
    return { ...change, sentence, timeZone: options.timeZone ?? "UTC", ...(link ? { link } : {}) };
  }

  async function attempt(target: NotifyTarget, event: EpisodeEvent): Promise<string | null> {
    const { headers, body } = request(event, target);
    try {
      const signal = AbortSignal.any([stopper.signal, AbortSignal.timeout(timeoutMs)]);
      const response = await doFetch(target.url, { method: "POST", headers, body, signal, redirect: "manual" });
      await response.arrayBuffer().catch(() => undefined);
      return response.ok ? null : `HTTP ${response.status}`;
    } catch (error) {
      return describeError(error);
    }
  }

  async function deliver(target: NotifyTarget, event: EpisodeEvent): Promise<void> {
    for (let n = 1; ; n++) {
      const failure = await attempt(target, event);
      if (stopper.signal.aborted) return;
      if (failure === null) {
        metrics.outcome("sent");
        log.info(`notification sent to ${target.display}: ${title(event)}`);
        return;
      }
      metrics.attemptFailed();
      const why = redactSecrets(failure, target.secrets);
      if (n >= attempts) {
        metrics.outcome("failed");
        log.warn(`notification to ${target.display} failed after ${attempts} attempt(s), given up: ${why} (${title(event)})`);
        return;
      }
      log.debug(`notification to ${target.display} failed (${why}); retrying`, { attempt: n });
      await realSleep(backoffMs * 2 ** (n - 1), stopper.signal);
      if (stopper.signal.aborted) return;
    }
  }

  function enqueue(sender: (typeof senders)[number], event: EpisodeEvent): void {
    if (sender.queue.length >= maxQueue) {
      sender.queue.shift();
      metrics.outcome("dropped");
      log.warn(`notification queue for ${sender.target.display} is full: the oldest message was dropped`);
    }
    sender.queue.push(event);
    sender.running ??= (async () => {
      while (sender.queue.length > 0 && !stopper.signal.aborted) await deliver(sender.target, sender.queue.shift()!);
      sender.running = undefined;
    })();
  }

  function notify(verdicts: readonly DeviceVerdict[]): void {
    for (const change of tracker.update(verdicts)) {
      const event = eventOf(change);
      for (const sender of senders) enqueue(sender, event);
    }
  }

  return {
    // The fleet's verdicts in slices that yield, as the status source's bookkeeping and the log
    // summary go: at 10,000 devices they were one stretch a scrape waited for.
    observe(result: PollResult) {
      if (!result.ok || senders.length === 0) return;
      const { source } = options;
      const verdicts: DeviceVerdict[] = [];
      const pass = forEachSliced(source.deviceIds(), (id) => {
        const verdict = source.deviceVerdict(id);
        if (verdict) verdicts.push(verdict);
      }, options.pauses?.() ?? slicer());
      if (!pass) return notify(verdicts);
      return pass.then(() => notify(verdicts));
    },
    async idle() {
      while (senders.some((s) => s.running)) await Promise.all(senders.map((s) => s.running));
    },
    stop() {
      stopper.abort();
      for (const s of senders) s.queue.length = 0;
    },
  };
}
