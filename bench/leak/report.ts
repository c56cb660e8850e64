/**
 * The benchmark's tables: time to first alarm per site and leak, false-alarm episodes per
 * device-month with what raised them, and each target's verdict on the sites measured.
 */
import { SITE_KIND_LABELS } from "../../src/sim/site-kinds.ts";
import type { SiteOutcome } from "./site-run.ts";
import { localClock } from "../../src/analytics/local-time.ts";
import { LEAKS, TRAIN_DAYS } from "./split.ts";

const DEVICE_MONTH_DAYS = 30;

export function formatMinutes(m: number | null): string {
  if (m === null) return "—";
  return m >= 90 ? `${(m / 60).toFixed(1)} h` : `${Math.round(m)} min`;
}

/** The metered kinds (a flapper's target applies only where there is a meter). */
const metered = (o: SiteOutcome) => o.setup.spec.hasMeter;

export interface Target {
  name: string;
  met: number;
  total: number;
  detail: string;
}

export function targets(outcomes: readonly SiteOutcome[]): Target[] {
  const leaks = outcomes.flatMap((o) => o.leaks.map((l) => ({ o, l, size: LEAKS.find((x) => x.label === l.label)! })));
  const check = (name: string, pick: typeof leaks, withinMin: number): Target => {
    const met = pick.filter((x) => x.l.minutes !== null && x.l.minutes <= withinMin);
    const misses = pick.filter((x) => !met.includes(x)).map((x) => `${x.o.setup.site.kind}/${x.o.setup.site.seed} ${x.l.label}: ${formatMinutes(x.l.minutes)}`);
    return { name, met: met.length, total: pick.length, detail: misses.length ? `missed: ${misses.join("; ")}` : "all met" };
  };
  const episodes = outcomes.reduce((n, o) => n + o.faEpisodes, 0);
  const days = outcomes.reduce((n, o) => n + o.faDays, 0);
  const rate = (episodes * DEVICE_MONTH_DAYS) / days;
  return [
    check("every leak ≥ 2 gal/min alarmed within 1 h", leaks.filter((x) => x.size.kind === "leak" && x.size.size >= 2), 60),
    check("every leak ≥ 0.25 gal/min alarmed within 24 h", leaks.filter((x) => x.size.kind === "leak" && x.size.size >= 0.25), 24 * 60),
    check("a flapper alarmed within 24 h where there is a meter", leaks.filter((x) => x.size.kind === "flapper" && metered(x.o)), 24 * 60),
    { name: "≤ 1 false-alarm episode per device-month", met: rate <= 1 ? 1 : 0, total: 1, detail: `${rate.toFixed(1)} episodes per device-month (${episodes} over ${days} leak-free device-days)` },
  ];
}

/** Markdown: one row per site, one column per leak, then false alarms and their causes. */
export function markdown(outcomes: readonly SiteOutcome[]): string {
  const out: string[] = [];
  out.push(`| site kind (seed) | ${LEAKS.map((l) => l.label).join(" | ")} | false-alarm episodes / device-month | after a leak ended (1–48 h) |`);
  out.push(`| --- | ${LEAKS.map(() => "---:").join(" | ")} | ---: | ---: |`);
  for (const o of outcomes) {
    const cells = LEAKS.map((l) => {
      const leak = o.leaks.find((x) => x.label === l.label);
      const marks = leak ? `${leak.polled ? "ᵖ" : ""}${leak.outage ? "ᵒ" : ""}${leak.alreadyAlarming ? " ‡" : ""}` : "";
      return leak ? `${formatMinutes(leak.minutes)}${marks}` : "";
    });
    const month = (o.faEpisodes * DEVICE_MONTH_DAYS) / o.faDays;
    out.push(`| ${o.setup.site.kind} (${o.setup.site.seed}) | ${cells.join(" | ")} | ${month.toFixed(1)} | ${o.afterLeakEpisodes} |`);
  }
  const causes = new Map<string, number>();
  for (const o of outcomes) for (const c of o.faCauses) causes.set(c, (causes.get(c) ?? 0) + 1);
  out.push("");
  out.push("ᵖ began during 5-minute polling; ᵒ a 6-hour outage fell within its 24 h; ‡ the device was already alarming (a false alarm still open) when the leak began, and the time counts it as found.");
  out.push("");
  out.push(`False-alarm episodes by what raised them (first alarmed row): ${[...causes].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(", ") || "none"}.`);
  const when = new Map<string, number>();
  for (const o of outcomes) for (const c of o.faWhen) when.set(c, (when.get(c) ?? 0) + 1);
  out.push("");
  out.push(`False-alarm episodes by when they began: ${[...when].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(", ") || "none"}.`);
  out.push("");
  out.push("| target | met | detail |");
  out.push("| --- | ---: | --- |");
  for (const t of targets(outcomes)) out.push(`| ${t.name} | ${t.met}/${t.total} | ${t.detail} |`);
  return out.join("\n");
}

/**
 * Every false-alarm episode, one line each (`--explain`): site, local day and time it began
 * (days counted from the first training day), how long it lasted, what raised it, the rules
 * seen while it lasted, how many of its alarmed rows the forest alone raised, and what it coincided with.
 */
export function explain(outcomes: readonly SiteOutcome[]): string {
  const out: string[] = [];
  for (const o of outcomes) {
    const clock = localClock(o.setup.timeZone);
    const first = clock.dayIndex(o.setup.faStart) - TRAIN_DAYS;
    for (const f of o.faDetail) {
      const hour = clock.hourOfDay(f.startMs);
      const hhmm = `${String(Math.floor(hour)).padStart(2, "0")}:${String(Math.floor((hour % 1) * 60)).padStart(2, "0")}`;
      const minutes = Math.round((f.endMs - f.startMs) / 60_000);
      out.push(`${o.setup.site.kind} (${o.setup.site.seed}) day ${clock.dayIndex(f.startMs) - first} ${hhmm} ${minutes} min: ${f.cause}; rules ${f.rules.join(",") || "none"}; forest alone ${f.forestRows}/${f.rows} rows; ${f.when}`);
    }
    out.push(`${o.setup.site.kind} (${o.setup.site.seed}) leaks found first by: ${o.leaks.map((l) => `${l.label} ${l.cause || "—"}`).join("; ")}`);
  }
  return out.join("\n");
}

/** The kinds measured, with what each is. */
export function kindLegend(outcomes: readonly SiteOutcome[]): string {
  const kinds = [...new Set(outcomes.map((o) => o.setup.site.kind))];
  return kinds.map((k) => `- \`${k}\`: ${SITE_KIND_LABELS[k]}`).join("\n");
}
