import { expect, test } from "bun:test";
import type { DeviceSnapshot } from "../nightowl/snapshot.ts";
import type { PollResult } from "../nightowl/poll-result.ts";
import { registerPollMetrics } from "./poll.ts";
import { createRegistry } from "./registry.ts";

const device = (userLabel: string): DeviceSnapshot => ({ id: "d1", name: "Pump", type: "NightOwl Flex", userLabel, telemetry: {}, attributes: {} });
const ok = (startedAt: number, devices = [device("dgorman")]): PollResult => ({ ok: true, devices, startedAt, durationMs: 250 });
const failed = (startedAt: number): PollResult => ({ ok: false, error: new Error("503"), startedAt, durationMs: 1500 });

/** The exposition's samples as "name{labels} value" lines, without comments. */
async function samples(registry: ReturnType<typeof createRegistry>, prefix: string) {
  return (await registry.metrics()).split("\n").filter((l) => l.startsWith(prefix));
}

test("before a poll returns a device the label is 'unknown', failures are counted under it", async () => {
  const registry = createRegistry();
  const metrics = registerPollMetrics(registry);
  metrics.observe(failed(1_700_000_000_000));
  expect(metrics.userLabel()).toBe("unknown");
  expect(await samples(registry, "nightowl_last_poll")).toEqual([
    'nightowl_last_poll_success{user_label="unknown"} 0',
    // No poll has succeeded: 0, as the original monitor exported before its first success.
    'nightowl_last_poll_timestamp{user_label="unknown"} 0',
  ]);
  expect(await samples(registry, "nightowl_poll_attempts_total")).toEqual([
    'nightowl_poll_attempts_total{user_label="unknown",status="failure"} 1',
    'nightowl_poll_attempts_total{user_label="unknown",status="success"} 0',
  ]);
  expect(await samples(registry, "nightowl_last_success_timestamp_seconds")).toEqual([]);
});

test("a success switches to the account's label, drops the old gauges and keeps counting", async () => {
  const registry = createRegistry();
  const metrics = registerPollMetrics(registry);
  metrics.observe(failed(1_000_000));
  metrics.observe(ok(1_010_000));
  metrics.observe(failed(1_020_000));
  metrics.observe(ok(1_030_000, [device("dgorman"), device("dgorman")]));
  expect(metrics.userLabel()).toBe("dgorman");
  expect(await samples(registry, "nightowl_last_poll_success")).toEqual(['nightowl_last_poll_success{user_label="dgorman"} 1']);
  expect(await samples(registry, "nightowl_last_success_timestamp_seconds")).toEqual(['nightowl_last_success_timestamp_seconds{user_label="dgorman"} 1030.25']);
  expect(await samples(registry, "nightowl_devices")).toEqual(['nightowl_devices{user_label="dgorman"} 2']);
  expect(await samples(registry, "nightowl_poll_attempts_total")).toEqual([
    'nightowl_poll_attempts_total{user_label="unknown",status="failure"} 1',
    'nightowl_poll_attempts_total{user_label="unknown",status="success"} 0',
    'nightowl_poll_attempts_total{user_label="dgorman",status="success"} 2',
    'nightowl_poll_attempts_total{user_label="dgorman",status="failure"} 1',
  ]);
  expect(await samples(registry, "nightowl_poll_duration_seconds_count")).toEqual(["nightowl_poll_duration_seconds_count 4"]);
  expect(await samples(registry, 'nightowl_poll_duration_seconds_bucket{le="0.25"}')).toEqual(['nightowl_poll_duration_seconds_bucket{le="0.25"} 2']);
});

test("an empty device list keeps the last known label", () => {
  const registry = createRegistry();
  const metrics = registerPollMetrics(registry);
  metrics.observe(ok(0));
  metrics.observe(ok(1, []));
  expect(metrics.userLabel()).toBe("dgorman");
});

test("nightowl_last_poll_timestamp is the end of the last successful poll: a failure leaves it, so staleness alerts fire", async () => {
  const registry = createRegistry();
  const metrics = registerPollMetrics(registry);
  const timestamp = async () => samples(registry, "nightowl_last_poll_timestamp");
  metrics.observe(failed(1_000_000));
  expect(await timestamp()).toEqual(['nightowl_last_poll_timestamp{user_label="unknown"} 0']);
  metrics.observe(ok(1_010_000));
  expect(await timestamp()).toEqual(['nightowl_last_poll_timestamp{user_label="dgorman"} 1010.25']);
  metrics.observe(failed(1_070_000));
  metrics.observe(failed(1_130_000));
  expect(await samples(registry, "nightowl_last_poll_success")).toEqual(['nightowl_last_poll_success{user_label="dgorman"} 0']);
  expect(await timestamp()).toEqual(['nightowl_last_poll_timestamp{user_label="dgorman"} 1010.25']);
  metrics.observe(ok(1_190_000));
  expect(await timestamp()).toEqual(['nightowl_last_poll_timestamp{user_label="dgorman"} 1190.25']);
  // It stays beside nightowl's own name for the same instant.
  expect(await samples(registry, "nightowl_last_success_timestamp_seconds")).toEqual(['nightowl_last_success_timestamp_seconds{user_label="dgorman"} 1190.25']);
});

test("a one-poll process started from the previous textfile: a failure keeps its label and last success", async () => {
  const registry = createRegistry();
  const metrics = registerPollMetrics(registry, { userLabel: "dgorman", lastSuccessSeconds: 1_700_000_000.5 });
  metrics.observe(failed(1_700_000_600_000));
  expect(metrics.userLabel()).toBe("dgorman");
  expect(await samples(registry, "nightowl_last_")).toEqual([
    'nightowl_last_poll_success{user_label="dgorman"} 0',
    'nightowl_last_poll_timestamp{user_label="dgorman"} 1700000000.5',
    'nightowl_last_success_timestamp_seconds{user_label="dgorman"} 1700000000.5',
  ]);
  // A label known but no success yet: no time is made up.
  const fresh = createRegistry();
  registerPollMetrics(fresh, { userLabel: "dgorman" }).observe(failed(1_700_000_600_000));
  expect(await samples(fresh, "nightowl_last_")).toEqual(['nightowl_last_poll_success{user_label="dgorman"} 0', 'nightowl_last_poll_timestamp{user_label="dgorman"} 0']);
});
