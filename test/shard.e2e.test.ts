/**
 * Sharding as it is deployed: three `run` processes with `--shard 0/3`, `1/3`, `2/3` and one
 * unsharded, all polling one simulator over loopback. Between them the shards serve exactly
 * the unsharded run's device series, and no device is served by two shards.
 */
import { afterEach, expect, test } from "bun:test";
import { startSimulator, type Simulator } from "../src/sim/server.ts";
import { shardOf } from "../src/shard.ts";
import { parseExposition, startCli, type LongRunning } from "./cli-process.ts";

const running: LongRunning[] = [];
const sims: Simulator[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) r.kill();
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

/** Every series carrying a device_id, as "name{labels}" with the labels sorted; values left out. */
async function deviceSeries(url: string): Promise<Map<string, string>> {
  const series = new Map<string, string>();
  for (const s of parseExposition(await (await fetch(url)).text())) {
    if (s.labels.device_id === undefined) continue;
    const labels = Object.entries(s.labels).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    series.set(`${s.name}{${labels.join(",")}}`, s.labels.device_id);
  }
  return series;
}

test("3 shards poll disjoint devices whose series together are the unsharded run's", async () => {
  const sim = await startSimulator({ port: 0, devices: 12, seed: 7 });
  sims.push(sim);
  const account = sim.accounts[0]!;
  const env = { NIGHTOWL_USERNAME: account.username, NIGHTOWL_PASSWORD: account.password, NIGHTOWL_WARMUP_HOURS: "0", NIGHTOWL_PAGE_SIZE: "5" };
  const start = (shard?: string) => {
    const run = startCli(["run", "--base-url", sim.url, "--metrics-host", "127.0.0.1", "--metrics-port", "0", ...(shard ? ["--shard", shard] : [])], env);
    running.push(run);
    return run;
  };
  const runs = [start(), start("0/3"), start("1/3"), start("2/3")];
  const urls = await Promise.all(runs.map(async (r) => (await r.waitFor(/Serving metrics on (http:\/\/\S+\/metrics)/))[1]!));
  const polled = await Promise.all(runs.map(async (r) => Number((await r.waitFor(/Polled (\d+) device\(s\)/))[1])));
  expect(runs[2]!.stderr()).toContain("(shard 1/3: its devices only)");

  // "Polled" is logged before the analytics observers run: scrape until every run has served
  // its first poll whole (the union matches), or give up after 10 s and compare what is there.
  const scrapeAll = () => Promise.all(urls.map(deviceSeries));
  const unionOf = (shards: Map<string, string>[]) => [...new Set(shards.flatMap((series) => [...series.keys()]))].sort();
  let [whole, ...shards] = await scrapeAll();
  for (const end = Date.now() + 10_000; Date.now() < end && unionOf(shards).join() !== [...whole!.keys()].sort().join(); ) {
    await Bun.sleep(100);
    [whole, ...shards] = await scrapeAll();
  }
  expect(polled[0]).toBe(12);
  expect(polled.slice(1).reduce((a, b) => a + b, 0)).toBe(12);

  const devicesOf = (series: Map<string, string>) => new Set(series.values());
  shards.forEach((series, index) => {
    // Each shard serves exactly the devices the hash gives it, and at least one (12 over 3).
    const expected = sim.devices.filter((d) => shardOf(d.id, 3) === index).map((d) => d.id).sort();
    expect([...devicesOf(series)].sort()).toEqual(expected);
  });
  const owners = shards.flatMap((series) => [...devicesOf(series)]);
  expect(new Set(owners).size).toBe(owners.length);

  expect(unionOf(shards)).toEqual([...whole!.keys()].sort());
  expect(whole!.size).toBeGreaterThan(12 * 10);
});
