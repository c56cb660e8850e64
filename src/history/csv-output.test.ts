import { expect, test } from "bun:test";
import { csvHeaderText, writeCsvWindow } from "./csv-output.ts";

test("rows merge the keys by timestamp, in time order, empty where a key has no point", () => {
  const chunks = new Map([
    ["S1", { ts: new Float64Array([1000, 3000]), values: new Float64Array([50, 51]) }],
    ["S2", { ts: new Float64Array([2000, 3000]), values: new Float64Array([40, 41.5]) }],
  ]);
  const meta = { userLabel: "dgorman", deviceId: "d1", deviceName: "3701155", customer: "Dan Gorman", site: undefined };
  const out: string[] = [];
  const rows = writeCsvWindow(meta, ["S1", "S2", "P1Hz"], chunks, (t) => out.push(t));
  expect(rows).toBe(3);
  expect(csvHeaderText(["S1", "S2", "P1Hz"])).toBe("timestamp,datetime,user_label,device_id,device_name,customer,site,S1,S2,P1Hz\n");
  expect(out.join("").split("\n")).toEqual([
    "1000,1970-01-01T00:00:01.000Z,dgorman,d1,3701155,Dan Gorman,,50,,",
    "2000,1970-01-01T00:00:02.000Z,dgorman,d1,3701155,Dan Gorman,,,40,",
    "3000,1970-01-01T00:00:03.000Z,dgorman,d1,3701155,Dan Gorman,,51,41.5,",
    "",
  ]);
});
