import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../log.ts";
import type { DeviceSnapshot } from "../nightowl/snapshot.ts";
import { knownDevicesRecorder, loadKnownDevices } from "./known-devices.ts";

const dir = mkdtempSync(join(tmpdir(), "nightowl-known-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const device = (id: string, name: string): DeviceSnapshot => ({ id, name, type: "NightOwl Flex", userLabel: "u", telemetry: {}, attributes: {} });
const poll = (...devices: DeviceSnapshot[]) => ({ ok: true as const, devices, startedAt: 0, durationMs: 0 });

test("the polled devices are written when they change, only into a state folder that exists", () => {
  const state = join(dir, "state");
  const path = join(state, "devices.json");
  const recorder = knownDevicesRecorder({ path, log: silentLogger, now: () => Date.UTC(2026, 6, 4) });
  recorder.observe(poll(device("b", "Barn"), device("a", "House")));
  expect(loadKnownDevices(path)).toBeUndefined(); // no folder: none made
  mkdirSync(state);
  recorder.observe(poll(device("b", "Barn"), device("a", "House")));
  expect(loadKnownDevices(path)).toEqual({ version: 1, saved_at: "2026-07-04T00:00:00.000Z", devices: [{ id: "a", name: "House" }, { id: "b", name: "Barn" }] });
  const written = statSync(path).mtimeMs;
  recorder.observe(poll(device("a", "House"), device("b", "Barn")));
  recorder.observe({ ok: false, error: new Error("down"), startedAt: 0, durationMs: 0 });
  expect(statSync(path).mtimeMs).toBe(written);
  recorder.observe(poll(device("a", "House")));
  expect(JSON.parse(readFileSync(path, "utf8")).devices).toEqual([{ id: "a", name: "House" }]);
  writeFileSync(path, "not json");
  expect(loadKnownDevices(path)).toBeUndefined();
});
