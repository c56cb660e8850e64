import { expect, test } from "bun:test";
import { silentLogger, type Logger } from "./log.ts";
import type { DeviceSnapshot } from "./nightowl/snapshot.ts";
import type { PollObserver, PollResult } from "./nightowl/poll-result.ts";
import { pollReadiness, realSleep, startPollLoop, type PollLoop, type Sleep } from "./poll-loop.ts";
import { SLICE_MS } from "./yield-to-server.ts";

const device: DeviceSnapshot = { id: "d1", name: "Pump", type: "NightOwl Flex", userLabel: "dgorman", telemetry: {}, attributes: {} };

/** A fake clock: sleeping advances it, polls advance it by their duration. */
function fakeClock() {
  let t = 1_000_000;
  const sleeps: number[] = [];
  const sleep: Sleep = async (ms) => {
    sleeps.push(ms);
    t += ms;
  };
  return { now: () => t, advance: (ms: number) => (t += ms), sleep, sleeps };
}

/** Runs a loop until `count` results arrived, then stops it and returns them. */
async function runUntil(count: number, options: { poll: (n: number) => Promise<DeviceSnapshot[]>; clock: ReturnType<typeof fakeClock>; intervalMs: number; extraObserver?: (r: PollResult) => void }) {
  const results: PollResult[] = [];
  let n = 0;
  let handle!: PollLoop;
  const done = new Promise<void>((resolve) => {
    handle = startPollLoop({
      poll: () => options.poll(n++),
      intervalMs: options.intervalMs,
      now: options.clock.now,
      sleep: options.clock.sleep,
      log: silentLogger,
      observers: [
        {
          observe(r) {
            options.extraObserver?.(r);
            results.push(r);
            if (results.length === count) {
              void handle.stop();
              resolve();
            }
          },
        },
      ],
    });
  });
  await done;
  return { results, handle };
}

test("polls start a fixed interval apart, whatever each poll takes", async () => {
  const clock = fakeClock();
  const durations = [200, 3_000, 0, 9_999];
  const { results } = await runUntil(4, {
    clock,
    intervalMs: 10_000,
    poll: async (n) => {
      clock.advance(durations[n]!);
      return [device];
    },
  });
  const starts = results.map((r) => r.startedAt - results[0]!.startedAt);
  expect(starts).toEqual([0, 10_000, 20_000, 30_000]);
  expect(results.map((r) => r.durationMs)).toEqual(durations);
});

test("failing polls never poll faster than the interval and never stop the loop", async () => {
  const clock = fakeClock();
  const { results, handle } = await runUntil(5, {
    clock,
    intervalMs: 10_000,
    poll: async (n) => {
      clock.advance(5);
      if (n < 3) throw new Error(`portal down #${n}`);
      return [device];
    },
  });
  expect(results.map((r) => r.ok)).toEqual([false, false, false, true, true]);
  const gaps = results.slice(1).map((r, i) => r.startedAt - results[i]!.startedAt);
  expect(gaps.every((g) => g >= 10_000)).toBe(true);
  expect(results[0]!.ok ? null : (results[0]!.error as Error).message).toBe("portal down #0");
  expect(handle.polls).toBe(5);
  expect(handle.lastSuccessAt).toBe(results[4]!.startedAt + 5);
});

test("a poll that overruns its slot is followed at once, never by two polls at the same time", async () => {
  const clock = fakeClock();
  let inFlight = 0;
  let maxInFlight = 0;
  const { results } = await runUntil(3, {
    clock,
    intervalMs: 10_000,
    poll: async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      clock.advance(15_000);
      await Promise.resolve();
      inFlight--;
      return [];
    },
  });
  expect(results.map((r) => r.startedAt - results[0]!.startedAt)).toEqual([0, 15_000, 30_000]);
  expect(maxInFlight).toBe(1);
  expect(clock.sleeps).toEqual([]);
});

test("a timer that wakes early is slept on: polls never start closer than the interval", async () => {
  const clock = fakeClock();
  const sleep = clock.sleep;
  // The first sleep of each wait wakes 3 ms early, as a real timer can by the wall clock.
  let early = true;
  clock.sleep = async (ms, signal) => {
    await sleep(early ? ms - 3 : ms, signal);
    early = !early;
  };
  const { results } = await runUntil(3, { clock, intervalMs: 250, poll: async () => [device] });
  expect(results.map((r) => r.startedAt - results[0]!.startedAt)).toEqual([0, 250, 500]);
  expect(clock.sleeps).toEqual([247, 3, 247, 3]);
});

/** Polls on a fake clock with the observers `make` returns until one of them calls `done`, then stops. */
async function pollUntil(make: (done: () => void) => PollObserver[], log: Logger = silentLogger): Promise<void> {
  const clock = fakeClock();
  let handle!: PollLoop;
  await new Promise<void>((resolve) => {
    handle = startPollLoop({ poll: async () => [device], intervalMs: 1_000, now: clock.now, sleep: clock.sleep, log, observers: make(resolve) });
  });
  await handle.stop();
}

test("a throwing observer is logged and later observers still see the result", async () => {
  const errors: string[] = [];
  const seen: boolean[] = [];
  await pollUntil(
    (done) => [
      { observe: () => Promise.reject(new Error("scorer exploded")) },
      {
        observe(r) {
          seen.push(r.ok);
          if (seen.length === 2) done();
        },
      },
    ],
    { ...silentLogger, error: (m) => errors.push(m) },
  );
  expect(seen).toEqual([true, true]);
  expect(errors[0]).toBe("poll observer failed: scorer exploded");
});

test("after an observer that spends a slice of work, the next starts in a turn of its own; cheap ones share one turn", async () => {
  /** The order of the second observer and of a "request" due at the turn after the first observer. */
  const orderAfter = async (workMs: number) => {
    const order: string[] = [];
    await pollUntil((done) => [
      {
        // Synchronous, as the status source's pass over the fleet is.
        observe() {
          setImmediate(() => order.push("request"));
          for (const end = performance.now() + workMs; performance.now() < end; );
        },
      },
      {
        observe() {
          order.push("second observer");
          done();
        },
      },
    ]);
    return order.slice(0, 2);
  };
  expect(await orderAfter(SLICE_MS + 2)).toEqual(["request", "second observer"]);
  expect((await orderAfter(0))[0]).toBe("second observer");
});

test("stop() ends a real sleep at once and no poll starts afterwards", async () => {
  let polls = 0;
  let first!: () => void;
  const firstDone = new Promise<void>((r) => (first = r));
  const handle = startPollLoop({
    poll: async () => {
      polls++;
      return [];
    },
    intervalMs: 60_000,
    log: silentLogger,
    observers: [{ observe: () => first() }],
  });
  await firstDone;
  const stopped = await Promise.race([handle.stop().then(() => "stopped"), Bun.sleep(1_000).then(() => "hung")]);
  expect(stopped).toBe("stopped");
  expect(polls).toBe(1);
});

test("stop() gives up on a hung poll after the grace period, and its result reaches no observer", async () => {
  const seen: PollResult[] = [];
  let release!: () => void;
  let started!: () => void;
  const pollStarted = new Promise<void>((r) => (started = r));
  const handle = startPollLoop({
    poll: () =>
      new Promise<DeviceSnapshot[]>((resolve) => {
        started();
        release = () => resolve([device]);
      }),
    intervalMs: 60_000,
    log: silentLogger,
    stopGraceMs: 50,
    observers: [{ observe: (r) => void seen.push(r) }],
  });
  await pollStarted;
  const stopped = await Promise.race([handle.stop().then(() => "stopped"), Bun.sleep(1_000).then(() => "hung")]);
  expect(stopped).toBe("stopped");
  release();
  await Bun.sleep(5);
  expect(seen).toEqual([]);
  expect(handle.lastSuccessAt).toBeUndefined();
});

test("realSleep resolves when aborted", async () => {
  const aborter = new AbortController();
  const slept = realSleep(60_000, aborter.signal);
  aborter.abort();
  expect(await Promise.race([slept.then(() => "woke"), Bun.sleep(500).then(() => "slept on")])).toBe("woke");
});

test.each([
  [undefined, 0, false, "no successful poll yet"],
  [0, 119_000, true, "last successful poll 119.0 s ago"],
  [0, 120_000, true, "last successful poll 120.0 s ago"],
  [0, 120_001, false, "last successful poll 120.0 s ago, more than 2 intervals (120.0 s)"],
] as const)("readiness after a success at %p, checked at %p ms (interval 60 s)", (last, at, ready, reason) => {
  expect(pollReadiness(last, 60_000, at)).toEqual({ ready, reason });
});

test("startPollLoop rejects a non-positive interval", () => {
  expect(() => startPollLoop({ poll: async () => [], intervalMs: 0, observers: [], log: silentLogger })).toThrow("intervalMs must be > 0, got 0");
});
