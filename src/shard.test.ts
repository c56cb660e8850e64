import { describe, expect, test } from "bun:test";
import { isShardSpec, parseShard, shardFilter, shardOf } from "./shard.ts";

/** Ids shaped like the portal's (UUIDs), deterministic. */
const ids = Array.from({ length: 4000 }, (_, i) => `${(0x784f3940 + i * 7919).toString(16).padStart(8, "0")}-2f08-11ee-b9a4-0d0f8ad6c9c1`);

describe("shardOf", () => {
  test("is stable: the same id always lands on the same shard", () => {
    const first = ids.map((id) => shardOf(id, 5));
    expect(ids.map((id) => shardOf(id, 5))).toEqual(first);
    // Pinned: a change of hash would move every deployed device.
    expect(["a", "device-1", "784f3940-2f08-11ee-b9a4-0d0f8ad6c9c1"].map((id) => shardOf(id, 3))).toEqual([0, 2, 1]);
    expect(["a", "device-1", "x-9"].map((id) => shardOf(id, 10))).toEqual([0, 2, 7]);
  });

  test.each([2, 3, 4, 7])("with %i shards the filters are disjoint, cover every device, and share about equally", (count) => {
    const parts = Array.from({ length: count }, (_, index) => shardFilter({ index, count })(ids.map((id) => ({ id }))));
    const all = parts.flat().map((d) => d.id);
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual([...ids].sort());
    for (const part of parts) {
      expect(part.length).toBeGreaterThan((ids.length / count) * 0.85);
      expect(part.length).toBeLessThan((ids.length / count) * 1.15);
    }
  });

  test.each([
    [1, 2],
    [2, 3],
    [3, 4],
    [4, 5],
    [9, 10],
  ])("going from %i to %i shards moves about 1/(n+1) of the devices, only to the new shard", (from, to) => {
    const moved = ids.filter((id) => shardOf(id, from) !== shardOf(id, to));
    const share = moved.length / ids.length;
    expect(share).toBeGreaterThan((1 / to) * 0.8);
    expect(share).toBeLessThan((1 / to) * 1.2);
    for (const id of moved) expect(shardOf(id, to)).toBe(to - 1);
  });

  test("a plain modulo would move most devices from 3 to 4 shards: the comparison the design rests on", () => {
    const modulo = (id: string, n: number) => Number.parseInt(id.slice(0, 8), 16) % n;
    expect(ids.filter((id) => modulo(id, 3) !== modulo(id, 4)).length / ids.length).toBeGreaterThan(0.6);
  });
});

describe("parseShard", () => {
  test.each([
    ["0/1", "x", { index: 0, count: 1 }],
    ["2/3", "x", { index: 2, count: 3 }],
    [" 1/4 ", "x", { index: 1, count: 4 }],
    ["auto/3", "nightowl-2", { index: 2, count: 3 }],
    ["auto/10", "nightowl-fleet-0", { index: 0, count: 10 }],
  ])("%p on host %p", (text, host, shard) => {
    expect(isShardSpec(text)).toBe(true);
    expect(parseShard(text, host)).toEqual(shard);
  });

  test.each(["3/3", "1/0", "-1/3", "1/3/4", "a/3", "1", "", "1/2000", "0x1/3", "1.0/3"])("%p is refused in one line naming the setting", (text) => {
    expect(isShardSpec(text)).toBe(false);
    expect(() => parseShard(text, "nightowl-0")).toThrow(`NIGHTOWL_SHARD=${JSON.stringify(text)} is not allowed: expected i/n with 0 ≤ i < n ≤ 1024, or auto/n`);
  });

  test("auto/n needs a host name ending in an ordinal below n", () => {
    expect(() => parseShard("auto/3", "nightowl", '--shard "auto/3"')).toThrow('--shard "auto/3" takes the shard from the host name\'s ordinal, but the host name "nightowl" does not end in -<number>');
    expect(() => parseShard("auto/3", "nightowl-3")).toThrow("ends in 3, not below 3");
  });
});
