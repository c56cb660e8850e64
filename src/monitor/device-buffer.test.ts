import { expect, test } from "bun:test";
import { DeviceBuffer } from "./device-buffer.ts";
import { FrameScratch } from "./frame-scratch.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";

const MIN = 60_000;

test("one rule for every door: repeated, duplicate and out-of-order readings add no row", () => {
  const b = new DeviceBuffer("d", { retentionMs: 60 * MIN });
  expect(b.push([["S1", MIN, 50], ["P1C1", MIN, 3]])).toBe(MIN);
  expect(b.push([["S1", MIN, 50], ["P1C1", MIN, 3]])).toBeUndefined(); // the same poll again
  expect(b.push([["S1", 2 * MIN, 51]])).toBe(2 * MIN);
  // A key's late reading with another key's older one: the late one alone is new, but it would
  // date a row before the last: dropped and counted.
  expect(b.push([["P1C1", 1.5 * MIN, 4]])).toBeUndefined();
  expect(b.dropped).toBe(1);
  // A key silent for a while joins the next row; its old value is not repeated.
  expect(b.push([["S1", 3 * MIN, 52], ["P1C1", MIN, 3]])).toBe(3 * MIN);
  const f = b.frame();
  expect(Array.from(f.ts)).toEqual([MIN, 2 * MIN, 3 * MIN]);
  expect(Array.from(f.columns.P1C1!)).toEqual([3, Number.NaN, Number.NaN]);
  expect(b.push([["S1", 4 * MIN, Number.NaN]])).toBeUndefined(); // no value is no reading
});

test("rows older than the retention go, the columns stay contiguous and capacity stays bounded", () => {
  const b = new DeviceBuffer("d", { retentionMs: 100 * MIN });
  for (let i = 1; i <= 10_000; i++) b.pushFrameRow({ deviceId: "d", deviceName: "", userLabel: "", ts: Float64Array.of(i * MIN), columns: { S1: Float64Array.of(i) } }, 0);
  const recent = b.frame(b.lastTs - 100 * MIN);
  expect(recent.ts.length).toBe(101);
  expect(recent.columns.S1![0]).toBe(9_900);
  expect(recent.columns.S1![100]).toBe(10_000);
  // 101 rows in the retention: the arrays never grew past the initial 256 rows.
  expect(b.bytes()).toBeLessThanOrEqual(2 * 256 * 8);
});

test("a full retention is held in about an eighth more than its rows, in about 2 bytes a row for time and a reading", () => {
  const b = new DeviceBuffer("d", { retentionMs: 1680 * MIN });
  for (let i = 1; i <= 6_000; i++) b.pushFrameRow({ deviceId: "d", deviceName: "", userLabel: "", ts: Float64Array.of(i * MIN), columns: { S1: Float64Array.of(i) } }, 0);
  expect(b.frame(b.lastTs - 1680 * MIN).ts.length).toBe(1681);
  // Time (whole minutes: a byte a row and an 8-byte anchor a block of 32, and a block spare) and S1 (steps of 1,
  // half a byte each; the bound allows a byte): at most 1.125 × 1,681 rows (+1), where doubling gave 4,096 rows and Float64
  // 16 bytes a row.
  const capacity = Math.ceil(1681 * 1.125 + 1);
  expect(b.bytes()).toBeLessThanOrEqual((1 + 1) * capacity + 31 + 8 * Math.ceil((capacity + 31) / 32));
  expect(b.frame().columns.S1![b.length - 1]).toBe(6_000);
});

test("only the kept keys get a column; a row of other keys alone is no row", () => {
  const b = new DeviceBuffer("d", { retentionMs: 60 * MIN, keys: new Set(["S1"]) });
  expect(b.push([["S1", MIN, 50], ["P1Hz", MIN, 60]])).toBe(MIN);
  expect(b.push([["P1Hz", 2 * MIN, 60]])).toBeUndefined();
  expect(b.keys()).toEqual(["S1"]);
  expect(b.dropped).toBe(0);
});

test("what goes in comes out bit for bit, whatever the readings' decimals", () => {
  const b = new DeviceBuffer("d", { retentionMs: 300 * MIN });
  const t0 = Date.UTC(2026, 0, 1);
  const rows: Array<[number, number, number, number]> = [];
  for (let i = 0; i < 1_000; i++) {
    // Pressure to a tenth, a meter total, and a reading of full double precision now and then.
    const row: [number, number, number, number] = [t0 + i * MIN + (i % 7), Math.round(400 + 100 * Math.sin(i)) / 10, 572_000 + i * 3, i % 97 === 0 ? Math.sqrt(i) : i / 8];
    rows.push(row);
    b.push([["S1", row[0], row[1]], ["Pulse_TotalGallons", row[0], row[2]], ["P1C1", row[0], row[3]]]);
  }
  const f = b.frame(rows[700]![0]);
  expect(f.ts.length).toBe(300);
  rows.slice(700).forEach(([t, s1, gal, c], j) => {
    expect(f.ts[j]).toBe(t);
    expect(f.columns.S1![j]).toBe(s1);
    expect(f.columns.Pulse_TotalGallons![j]).toBe(gal);
    expect(f.columns.P1C1![j]).toBe(c);
  });
});

test("a frame row pushed whole is the same as its readings pushed one by one", () => {
  const keys = new Set(["S1", "P1C1", "Pulse_TotalGallons"]);
  const a = new DeviceBuffer("d", { retentionMs: 30 * MIN, keys });
  const b = new DeviceBuffer("d", { retentionMs: 30 * MIN, keys });
  // Repeats, a row back in time, rows with no reading, values that are no reading, a key not kept.
  const times = [1, 2, 2, 3, 2.5, 4, 5, 5, 6, Number.NaN, 7, ...Array.from({ length: 80 }, (_, i) => 8 + i)].map((m) => m * MIN);
  const at = (k: number, i: number) => [52.1 + i / 10, Number.NaN, Infinity, 0, -3][(i * k) % 5]!;
  const frame = {
    deviceId: "d", deviceName: "", userLabel: "", ts: Float64Array.from(times),
    columns: { S1: Float64Array.from(times, (_, i) => at(1, i)), P1C1: Float64Array.from(times, (_, i) => at(2, i + 1)), P1Hz: Float64Array.from(times, () => 60), Pulse_TotalGallons: Float64Array.from(times, (_, i) => (i % 4 === 3 ? Number.NaN : 1000 + i)) },
  };
  for (let i = 0; i < times.length; i++) {
    const readings = Object.entries(frame.columns).map(([k, c]) => [k, frame.ts[i]!, c[i]!] as const);
    expect(a.pushFrameRow(frame, i)).toBe(b.push(readings));
  }
  expect(a.dropped).toBe(b.dropped);
  expect(a.dropped).toBeGreaterThan(0);
  expect(a.keys()).toEqual(b.keys());
  expect(plain(a.frame())).toEqual(plain(b.frame()));
});

/** A frame as plain arrays (a typed array holding NaN never equals another in `toEqual`). */
function plain(f: HistoryFrame): unknown {
  return { ...f, ts: Array.from(f.ts), columns: Object.fromEntries(Object.entries(f.columns).map(([k, c]) => [k, Array.from(c)])) };
}

test("a frame decoded into a scratch reads the same, in the scratch's arrays", () => {
  const b = new DeviceBuffer("d", { retentionMs: 300 * MIN });
  for (let i = 0; i < 400; i++) b.push([["S1", i * MIN, 50 + (i % 9) / 10], ["P1C1", i * MIN, i % 5 ? 7.35 : Number.NaN]]);
  const scratch = new FrameScratch();
  const first = b.frame(b.lastTs - 200 * MIN, undefined, scratch);
  expect(plain(first)).toEqual(plain(b.frame(b.lastTs - 200 * MIN)));
  const again = b.frame(b.lastTs - 100 * MIN, undefined, scratch);
  expect(plain(again)).toEqual(plain(b.frame(b.lastTs - 100 * MIN)));
  // The second frame reuses the first one's storage: no new arrays per analysis.
  expect(again.ts.buffer).toBe(first.ts.buffer);
  expect(again.columns.S1!.buffer).toBe(first.columns.S1!.buffer);
  expect(scratch.bytes()).toBeLessThan(3 * 8 * 300);
});

test("reserving for a history whose last times are NaN reserves what its finite times need", () => {
  const ts = Float64Array.from({ length: 3_000 }, (_, i) => (i + 1) * MIN);
  const withNaN = Float64Array.from([...ts, Number.NaN, Number.NaN]);
  const a = new DeviceBuffer("a", { retentionMs: 100 * MIN });
  const b = new DeviceBuffer("b", { retentionMs: 100 * MIN });
  a.push([["S1", 0, 1]]);
  b.push([["S1", 0, 1]]);
  a.reserveFor(ts);
  b.reserveFor(withNaN);
  // 101 rows of the retention, an eighth over: not room for all 3,000.
  expect(b.bytes()).toBe(a.bytes());
  expect(a.bytes()).toBeLessThan(2 * 256 * 2);
});

test("keys are found by a short scan of the device's own arrays, in the order first seen, not in maps", () => {
  const b = new DeviceBuffer("d", { retentionMs: 3_600_000 });
  b.push([["S1", 60_000, 52.1], ["P1C1", 60_000, 0]]);
  b.push([["S1", 120_000, 52.3], ["Level1_precent", 120_000, 80], ["P1C1", 60_000, 7]]); // P1C1 repeated: no reading
  b.push([["P1C1", 180_000, 7.35]]);
  expect(b.keys()).toEqual(["S1", "P1C1", "Level1_precent"]);
  expect(Array.from(b.values("P1C1")!)).toEqual([0, Number.NaN, 7.35]);
  expect(b.values("S2")).toBeUndefined();
  expect(b.dropped).toBe(0);
  // A map's table was about 0.9 KiB a device, for a dozen keys.
  expect(Object.values(b).some((v) => v instanceof Map)).toBe(false);
});
