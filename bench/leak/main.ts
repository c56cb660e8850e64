/**
 * Leak detection on site kinds, held out: per split, every site simulated over 21 training
 * days, 21 leak-free days with every legitimate draw (a pool fill, guests, late-starting
 * irrigation, a vacation week, hoses — one of them during a telemetry outage — stock
 * waterers, softener regeneration, the spring DST change) and then eight leaks, one at a
 * time, each running 24 h: 0.1, 0.25, 0.5, 1, 2 and 5 gal/min, one growing to 1 gal/min over
 * 48 h and a toilet flapper; telemetry with missing minutes, repeated rows, two outages and
 * ten days of 5-minute polling with jitter. Scored causally through `score`'s replay.
 *
 *   bun bench/leak-detection.ts [--split held-out|tuning|tuning-more|all-tuning|both] [--quick] [--json] [--events] [--explain]
 *
 * `--quick`: the first seed of each split only. Tune on `--split tuning`; report held-out.
 * `--events`: the owner's events section instead (bench/leak/events.ts).
 * `--explain`: after the tables, every false-alarm episode on one line (what raised it, when).
 */
import { eventsMarkdown, runEventsSite } from "./events.ts";
import { explain, kindLegend, markdown } from "./report.ts";
import { runSite, type SiteOutcome } from "./site-run.ts";
import { setupSite, SPLIT, type Split } from "./split.ts";

export function main(args: readonly string[]): void {
  const i = args.indexOf("--split");
  const which = i >= 0 ? args[i + 1] : "held-out";
  const named: Record<string, Split[]> = {
    both: ["tuning", "held-out"],
    tuning: ["tuning"],
    "tuning-more": ["tuning-more"],
    "all-tuning": ["tuning", "tuning-more"],
    "held-out": ["held-out"],
  };
  const splits = named[which ?? ""];
  if (!splits) throw new Error(`--split must be one of ${Object.keys(named).join(", ")}; got ${which}`);
  const quick = args.includes("--quick");
  const json: Record<string, unknown[]> = {};
  for (const split of splits) {
    let sites = SPLIT[split];
    if (quick) sites = sites.filter((s) => s.seed === sites[0]!.seed);
    const started = performance.now();
    if (args.includes("--events")) {
      const outcomes = sites.map(runEventsSite);
      console.log(`\n### Events, ${split} split: ${sites.length} sites (${((performance.now() - started) / 1000).toFixed(0)} s)\n\n${eventsMarkdown(outcomes)}`);
      continue;
    }
    const outcomes: SiteOutcome[] = sites.map((s) => runSite(setupSite(s)));
    const seconds = (performance.now() - started) / 1000;
    if (args.includes("--json")) {
      json[split] = outcomes.map((o) => ({ site: o.setup.site, faEpisodes: o.faEpisodes, faDays: o.faDays, faCauses: o.faCauses, faWhen: o.faWhen, afterLeakEpisodes: o.afterLeakEpisodes, leaks: o.leaks }));
      continue;
    }
    console.log(`\n### ${split} split: ${sites.length} sites, seeds ${[...new Set(sites.map((s) => s.seed))].join(", ")}, variant ${sites[0]!.variant} (${seconds.toFixed(0)} s)\n`);
    console.log("Time from each leak's start to its first alarm (— : none within the 24 h it ran):\n");
    console.log(markdown(outcomes));
    console.log(`\nSite kinds:\n${kindLegend(outcomes)}`);
    if (args.includes("--explain")) console.log(`\nFalse-alarm episodes:\n\n${explain(outcomes)}`);
  }
  if (args.includes("--json")) console.log(JSON.stringify(json));
}
