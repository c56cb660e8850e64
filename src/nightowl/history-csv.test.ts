import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isNightowlError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { HistoryFrame } from "./history-frame.ts";
import {
  HISTORY_FIXED_COLUMNS,
  createHistoryCsvWriter,
  historyCsvHeader,
  historyCsvRow,
  readHistoryCsv,
  readHistoryCsvRows,
  writeHistoryCsv,
} from "./history-csv.ts";

const dir = mkdtempSync(join(tmpdir(), "nightowl-history-csv-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
function file(text: string): string {
  const path = join(dir, `f${++fileNo}.csv`);
  writeFileSync(path, text);
  return path;
}
const HEAD = HISTORY_FIXED_COLUMNS.join(",");
const T0 = Date.UTC(2024, 5, 1);

function frame(deviceId: string, ts: number[], columns: Record<string, number[]>, meta: Partial<HistoryFrame> = {}): HistoryFrame {
  return {
    deviceId,
    deviceName: `Well ${deviceId}`,
    userLabel: "dgorman",
    ...meta,
    ts: Float64Array.from(ts),
    columns: Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, Float64Array.from(v)])),
  };
}

/** Plain arrays, since toEqual treats NaN inside typed arrays as unequal. */
function plain(f: HistoryFrame | undefined): unknown {
  return f && { ...f, ts: [...f.ts], columns: Object.fromEntries(Object.entries(f.columns).map(([k, v]) => [k, [...v]])) };
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (!isNightowlError(error, "E_DATA")) throw error;
    return error.message;
  }
  throw new Error("expected an E_DATA error");
}

test("header and row: fixed columns, ISO datetime, empty cells, RFC 4180 quoting", () => {
  expect(historyCsvHeader(["S1", "odd,key"])).toBe(`${HEAD},S1,"odd,key"`);
  const meta = { userLabel: "dgorman", deviceId: "3701155", deviceName: 'Well "North", 2', customer: "Dan Gorman", site: "Line1\nLine2" };
  expect(historyCsvRow(meta, T0, [52.5, NaN, 0])).toBe(
    `${T0},2024-06-01T00:00:00.000Z,dgorman,3701155,"Well ""North"", 2",Dan Gorman,"Line1\nLine2",52.5,,0`,
  );
  expect(historyCsvRow({ userLabel: "u", deviceId: "d", deviceName: "n" }, 0, [])).toBe("0,1970-01-01T00:00:00.000Z,u,d,n,,");
});

test("round trip: two devices with awkward names, NaN gaps, exact doubles", async () => {
  const a = frame("A", [T0, T0 + 60_000, T0 + 120_000], { S1: [52.123456789012345, NaN, 1e-7], Pulse_TotalGallons: [10, 11, 12] }, {
    deviceName: 'Pump "A", barn',
    customer: "Dan\nGorman",
    site: "Ranch",
  });
  const b = frame("B", [T0 + 30_000], { S1: [-3.5] });
  const path = join(dir, "round.csv");
  await writeHistoryCsv(path, [a, b]);
  expect(readdirSync(dir).filter((f) => f.includes(".tmp"))).toEqual([]);
  const [ra, rb] = await readHistoryCsv(path);
  expect(plain(ra)).toEqual(plain(a));
  expect(rb!.deviceId).toBe("B");
  expect(rb!.ts).toEqual(Float64Array.from([T0 + 30_000]));
  expect([...rb!.columns.S1!]).toEqual([-3.5]);
  expect([...rb!.columns.Pulse_TotalGallons!]).toEqual([NaN]);
  expect(rb!.customer).toBeUndefined();
});

test("rows are streamed one object per line with file line numbers", async () => {
  const path = file(`${HEAD},S1\n${T0},x,u,"multi\nline id",n,,,1\n${T0 + 1},x,u,B,n,,,\n`);
  const rows = [];
  for await (const row of readHistoryCsvRows(path)) rows.push(row);
  expect(rows.map((r) => [r.line, r.deviceId, r.ts, [...r.values]])).toEqual([
    [2, "multi\nline id", T0, [1]],
    [4, "B", T0 + 1, [NaN]],
  ]);
});

test("interleaved devices are split; fixed columns may come in any order", async () => {
  const path = file(`S1,site,customer,device_name,device_id,user_label,datetime,timestamp
1,,,n,A,u,,${T0}
2,,,n,B,u,,${T0}
3,,,n,A,u,,${T0 + 60_000}
`);
  const frames = await readHistoryCsv(path);
  expect(frames.map((f) => [f.deviceId, [...f.ts], [...f.columns.S1!]])).toEqual([
    ["A", [T0, T0 + 60_000], [1, 3]],
    ["B", [T0], [2]],
  ]);
});

test("rows out of order are sorted, with one warning", async () => {
  const warnings: string[] = [];
  const log: Logger = { error() {}, info() {}, debug() {}, warn: (m) => warnings.push(m) };
  const path = file(`${HEAD},S1\n${T0 + 120_000},,u,A,n,,,3\n${T0},,u,A,n,,,1\n${T0 + 60_000},,u,A,n,,,2\n`);
  const [f] = await readHistoryCsv(path, { log });
  expect([...f!.ts]).toEqual([T0, T0 + 60_000, T0 + 120_000]);
  expect([...f!.columns.S1!]).toEqual([1, 2, 3]);
  expect(warnings).toEqual([`${path}: rows of device A are not in time order; sorted them`]);
});

test("several files merge per device: union of keys, overlap merged, later file wins", async () => {
  const first = file(`${HEAD},S1,S2\n${T0},,u,A,n,,,1,10\n${T0 + 60_000},,u,A,n,,,2,\n`);
  const second = file(`${HEAD},S1,Level1_precent\n${T0 + 60_000},,u,A,n,c,s,20,50\n${T0 + 120_000},,u,A,n,,,3,51\n`);
  const [f] = await readHistoryCsv([first, second]);
  expect([...f!.ts]).toEqual([T0, T0 + 60_000, T0 + 120_000]);
  expect([...f!.columns.S1!]).toEqual([1, 20, 3]);
  expect([...f!.columns.S2!]).toEqual([10, NaN, NaN]);
  expect([...f!.columns.Level1_precent!]).toEqual([NaN, 50, 51]);
  expect([f!.customer, f!.site]).toEqual(["c", "s"]);
});

test.each([
  ["too few cells", `${HEAD},S1\n${T0},,u,A,n,,\n`, ":2: 7 cells where the header has 8"],
  ["too many cells", `${HEAD},S1\n${T0},,u,A,n,,,1\n${T0 + 1},,u,A,n,,,1,2\n`, ":3: 9 cells where the header has 8"],
  ["non-numeric value", `${HEAD},S1\n${T0},,u,A,n,,,52.x\n`, ':2: column "S1" has "52.x", which is not a number'],
  ["hex value", `${HEAD},S1\n${T0},,u,A,n,,,0x1f\n`, ':2: column "S1" has "0x1f", which is not a number'],
  ["infinite value", `${HEAD},S1\n${T0},,u,A,n,,,Infinity\n`, ':2: column "S1" has "Infinity", which is not a number'],
  ["bad timestamp", `${HEAD},S1\n2024-06-01,,u,A,n,,,1\n`, ':2: timestamp "2024-06-01" is not epoch milliseconds'],
  ["empty timestamp", `${HEAD},S1\n,,u,A,n,,,1\n`, ':2: timestamp "" is not epoch milliseconds'],
  ["empty device_id", `${HEAD},S1\n${T0},,u,,n,,,1\n`, ":2: device_id is empty"],
  [
    "header without fixed columns",
    "timestamp,S1,S2\n1,2,3\n",
    ":1: the header lacks datetime, user_label, device_id, device_name, customer, site; a history CSV starts with timestamp,datetime,user_label,device_id,device_name,customer,site",
  ],
  ["unnamed column", `${HEAD},S1,\n`, ":1: column 9 of the header has no name"],
  ["duplicate column", `${HEAD},S1,S1\n`, ':1: column "S1" appears twice in the header'],
  ["unclosed quote", `${HEAD},S1\n${T0},,u,"A,n,,,1\n`, ":2: a quoted field is not closed before the end of the file"],
])("error: %s", async (_name, text, suffix) => {
  const path = file(text);
  expect(await failure(readHistoryCsv(path))).toBe(path + suffix);
});

test("an empty file and a missing file are clear errors", async () => {
  const empty = file("");
  expect(await failure(readHistoryCsv(empty))).toBe(`${empty}: empty file, expected a header line starting ${HEAD}`);
  const missing = join(dir, "nope.csv");
  await expect(readHistoryCsv(missing)).rejects.toMatchObject({ code: "E_IO", message: `cannot read ${missing} (ENOENT)` });
});

test("blank cells and whitespace are no value; zero stays zero", async () => {
  const path = file(`${HEAD},S1,S2,S3\r\n${T0},,u,A,n,,, ,0,-0.0\r\n`);
  const [f] = await readHistoryCsv(path);
  expect([f!.columns.S1![0], f!.columns.S2![0], f!.columns.S3![0]]).toEqual([NaN, 0, -0]);
});

test("an aborted writer leaves the destination untouched; infinite values are refused", async () => {
  const path = join(dir, "keep.csv");
  writeFileSync(path, "old");
  const writer = await createHistoryCsvWriter(path, ["S1"]);
  await writer.writeRow({ userLabel: "u", deviceId: "A", deviceName: "n" }, T0, [1]);
  await writer.abort();
  expect(await readFile(path, "utf8")).toBe("old");
  await expect(writeHistoryCsv(path, [frame("A", [T0], { S1: [Infinity] })])).rejects.toMatchObject({ code: "E_DATA" });
  expect(await readFile(path, "utf8")).toBe("old");
  expect(readdirSync(dir).filter((f) => f.includes(".tmp"))).toEqual([]);
});

test("a large file crosses chunk boundaries without losing rows", async () => {
  const n = 40_000;
  const ts = Array.from({ length: n }, (_, i) => T0 + i * 60_000);
  const s1 = ts.map((_, i) => (i % 7 === 0 ? NaN : 40 + (i % 13) / 4));
  const a = frame("A", ts, { S1: s1, Pulse_TotalGallons: ts.map((_, i) => i * 0.5) }, { deviceName: "Name, with comma" });
  const path = join(dir, "large.csv");
  await writeHistoryCsv(path, [a]);
  const [f] = await readHistoryCsv(path);
  expect(plain(f)).toEqual(plain(a));
});

test("numbers parse exactly as Number() does, on the fast path and off it", async () => {
  const cells = ["52.4", "-0.5", ".5", "1.", "+5", "1e3", "-2.5E-3", "0.1234567890123456789", "123456789012345678", "7", "-0", " 8 "];
  const header = `${HEAD},${cells.map((_, i) => `k${i}`).join(",")}`;
  const path = file(`${header}\n${T0},,u,A,n,,,${cells.join(",")}\n`);
  const [f] = await readHistoryCsv(path);
  expect(cells.map((_, i) => f!.columns[`k${i}`]![0])).toEqual(cells.map((c) => Number(c)));
  const rnd = [0.1, 0.7, 1 / 3, 123.456, 99999.99999, 5e-324, 1.7976931348623157e308];
  const g = frame("B", rnd.map((_, i) => T0 + i), { x: rnd });
  const out = join(dir, "exact.csv");
  await writeHistoryCsv(out, [g]);
  const [back] = await readHistoryCsv(out);
  expect([...back!.columns.x!]).toEqual(rnd);
});

test("quoted cells: numbers, escapes, CRLF, and line numbers after a multi-line record", async () => {
  const text = `${HEAD},S1\r\n${T0},,u,"A ""x""","Bozeman, MT",,,"52.5"\r\n${T0 + 1},,u,B,"two\r\nlines",,,1\r\n${T0 + 2},,u,B,n,,,oops\r\n`;
  const path = file(text);
  expect(await failure(readHistoryCsv(path))).toBe(`${path}:5: column "S1" has "oops", which is not a number`);
  const ok = file(text.replace("oops", "2"));
  const frames = await readHistoryCsv(ok);
  expect(frames.map((f) => [f.deviceId, f.deviceName, [...f.columns.S1!]])).toEqual([
    ['A "x"', "Bozeman, MT", [52.5]],
    ["B", "two\r\nlines", [1, 2]],
  ]);
  const junk = file(`${HEAD},S1\n${T0},,u,A,"n"x,,,1\n`);
  expect(await failure(readHistoryCsv(junk))).toBe(`${junk}:2: unexpected "x" after a closing quote`);
});

test("a file with only a header has no devices; a device missing from one file keeps its rows from the other", async () => {
  const empty = file(`${HEAD},S1\n`);
  expect(await readHistoryCsv(empty)).toEqual([]);
  const a = file(`${HEAD},S1\n${T0},,u,A,n,,,1\n${T0},,u,B,n,,,2\n`);
  const frames = await readHistoryCsv([empty, a]);
  expect(frames.map((f) => [f.deviceId, [...f.columns.S1!]])).toEqual([
    ["A", [1]],
    ["B", [2]],
  ]);
});

test("a row repeated exactly is dropped, a repeat with other values keeps the last row: one warning each, with the count", async () => {
  const path = file(
    `${HEAD},S1,S2\n` +
      `${T0},,u,A,n,,,1,\n${T0},,u,A,n,,,1,\n` + // exact copy, empty cell and all
      `${T0 + 60_000},,u,B,n,,,5,5\n` +
      `${T0 + 60_000},,u,A,n,,,2,2\n${T0 + 60_000},,u,A,n,,,3,\n` + // conflict: the last wins, empty cell included
      `${T0 + 120_000},,u,A,n,,,4,4\n${T0 + 120_000},,u,A,n,,,4,4\n${T0 + 120_000},,u,A,n,,,9,9\n` + // a copy, then a conflict
      `${T0 + 60_000},,u,B,n,,,6,6\n`, // B conflicts too, out of order with A's rows between
  );
  const warnings: string[] = [];
  const log: Logger = { error() {}, warn: (m) => warnings.push(m), info() {}, debug() {} };
  const [a, b] = await readHistoryCsv(path, { log });
  expect(Array.from(a!.ts)).toEqual([T0, T0 + 60_000, T0 + 120_000]);
  expect(Array.from(a!.columns.S1!)).toEqual([1, 3, 9]);
  expect(Array.from(a!.columns.S2!)).toEqual([NaN, NaN, 9]);
  expect([Array.from(b!.ts), Array.from(b!.columns.S1!)]).toEqual([[T0 + 60_000], [6]]);
  expect(warnings).toEqual([
    "dropped 2 exact duplicate row(s): the same device, timestamp and values twice in a file",
    `3 row(s) repeat a device's timestamp with other values (first at ${path}:6, device A); kept the last row of each timestamp`,
  ]);
});

test("a repeat inside one file is resolved before files merge: the later file's non-empty cells still win", async () => {
  const first = file(`${HEAD},S1,S2\n${T0},,u,A,n,,,1,1\n${T0},,u,A,n,,,2,\n`);
  const second = file(`${HEAD},S1,S2\n${T0},,u,A,n,,,,7\n`);
  const [a] = await readHistoryCsv([first, second]);
  expect([a!.columns.S1![0], a!.columns.S2![0]]).toEqual([2, 7]);
});
