/**
 * The benchmark's sites and calendar, and the split: the seeds and equipment variants the
 * detector may be tuned on, and those held out. Held-out sites differ in seed (household,
 * draws, leak order and hours, faults) and in equipment variant (tank sizes, pump sizes, set
 * points, towns); one kind, `single-phase-0.1gal`, appears only in the held-out part.
 */
import { SITE_KINDS, siteOfKind, type SiteKind } from "../../src/sim/site-kinds.ts";
import type { SimDeviceSpec } from "../../src/sim/site.ts";
import type { TelemetryFaults } from "../../src/sim/telemetry-faults.ts";
import { hash32, mulberry32 } from "../../src/sim/random.ts";

export type Split = "tuning" | "tuning-more" | "held-out";

export interface BenchSite {
  kind: SiteKind;
  seed: number;
  variant: number;
}

const TUNING_KINDS = SITE_KINDS.filter((k) => k !== "single-phase-0.1gal");

/**
 * Tuning: seeds 11 and 12, variant 0; more tuning (a second look, other households and
 * equipment, never the held-out ones): seeds 13 and 14, variant 2. Held out: seeds 101 and 102,
 * variant 1.
 */
export const SPLIT: Record<Split, BenchSite[]> = {
  tuning: [11, 12].flatMap((seed) => TUNING_KINDS.map((kind) => ({ kind, seed, variant: 0 }))),
  "tuning-more": [13, 14].flatMap((seed) => TUNING_KINDS.map((kind) => ({ kind, seed, variant: 2 }))),
  "held-out": [101, 102].flatMap((seed) => SITE_KINDS.map((kind) => ({ kind, seed, variant: 1 }))),
};

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
/** A Monday four weeks before the spring DST change (2026-03-08), at 00:00 UTC. */
export const T0 = Date.UTC(2026, 1, 9);
export const TRAIN_DAYS = 21;
export const FA_DAYS = 21;
/** Leaks run one at a time, 24 h each, one every LEAK_EVERY_DAYS, after the leak-free weeks. */
export const LEAK_EVERY_DAYS = 3;
export const LEAK_HOURS = 24;

export type LeakKind = { label: string; kind: "leak" | "growing_leak" | "flapper"; size: number };
export const LEAKS: LeakKind[] = [
  ...[0.1, 0.25, 0.5, 1, 2, 5].map((size) => ({ label: `${size} gal/min`, kind: "leak" as const, size })),
  { label: "growing to 1 gal/min over 48 h", kind: "growing_leak", size: 1 },
  { label: "flapper 1.6 gal / ~20 min", kind: "flapper", size: 1.6 },
];

/**
 * When in the leak-free weeks each legitimate draw happens (local days from the start, hours),
 * to say what a false alarm coincided with; the first match wins.
 */
export const FA_CALENDAR: { label: string; from: [number, number]; to: [number, number] }[] = [
  { label: "pool fill (day 24) and the day after", from: [24, 9], to: [25, 17] },
  { label: "guests (days 22–24)", from: [22, 0], to: [25, 0] },
  { label: "first irrigation days (26–29)", from: [26, 0], to: [30, 0] },
  { label: "vacation week (30–36) and the day after", from: [30, 0], to: [38, 0] },
  { label: "hose during an outage (day 39)", from: [39, 13], to: [40, 0] },
];

const ZONES: Record<number, string> = { [-8]: "America/Los_Angeles", [-7]: "America/Denver", [-6]: "America/Chicago" };

/** One planned leak: when (epoch ms) and what. */
export interface PlannedLeak extends LeakKind {
  startMs: number;
}

/** A site's spec with its household plan, the leak schedule and its telemetry faults. */
export interface SiteSetup {
  site: BenchSite;
  spec: SimDeviceSpec;
  timeZone: string;
  trainEnd: number;
  faStart: number;
  faEnd: number;
  leaks: PlannedLeak[];
  end: number;
  faults: TelemetryFaults;
}

export function setupSite(site: BenchSite, leakKinds: readonly LeakKind[] = LEAKS): SiteSetup {
  const base = siteOfKind(site.seed, site.kind, site.variant);
  const timeZone = ZONES[base.tzOffsetHours] ?? "America/Denver";
  const rng = mulberry32(hash32(site.seed, site.variant, 0xbe7c));
  const localDay = (ms: number) => Math.floor((ms + base.tzOffsetHours * HOUR) / DAY);
  const d0 = localDay(T0);
  // Local standard time → epoch ms.
  const at = (day: number, hour: number) => (d0 + day) * DAY + (hour - base.tzOffsetHours) * HOUR;
  const faStart = at(TRAIN_DAYS, 0);
  const faEnd = at(TRAIN_DAYS + FA_DAYS, 0);
  const livestock = site.kind === "cistern-p1-fill" || site.kind === "vsd-meterless" || site.kind === "single-phase-10gal" || rng() < 0.3;
  const spec: SimDeviceSpec = {
    ...base,
    softener: base.softener ?? { everyDays: 3 + Math.floor(rng() * 4), phase: 0, startMinute: 150 },
    household: {
      timeZone,
      // Every legitimate draw falls in the leak-free weeks after training.
      vacations: [{ fromDay: d0 + 30, toDay: d0 + 37 }],
      guests: [{ fromDay: d0 + 22, toDay: d0 + 25, extra: 2 + Math.floor(rng() * 3) }],
      draws: {
        irrigation: { fromDay: d0 + 26, days: rng() < 0.5 ? [1, 3, 5] : [0, 2, 4, 6], startMinute: 330 + Math.floor(rng() * 4) * 30, minutes: 30, gpm: 4 + Math.round(rng() * 20) / 10 },
        poolFills: [{ day: d0 + 24, startMinute: 540, minutes: 480, gpm: 8 }],
        hoseSessions: [{ day: d0 + 39, startMinute: 15 * 60, minutes: 45, gpm: 5 }],
        hosePerWeek: 2,
        livestockGallonsPerDay: livestock ? 20 + Math.round(rng() * 40) : 0,
      },
    },
  };
  // The leak order and start hours are the seed's, so no leak size always meets the same hour.
  const order = leakKinds.map((l, i) => ({ l, r: rng(), i })).sort((a, b) => a.r - b.r);
  const hours = [2, 9, 14, 20, 23, 6, 11, 17];
  const leaks = order.map(({ l }, k) => ({ ...l, startMs: at(TRAIN_DAYS + FA_DAYS + 1 + LEAK_EVERY_DAYS * k, hours[(k + site.seed) % hours.length]!) + Math.floor(rng() * 60) * 60_000 }));
  const end = leaks.length ? leaks[leaks.length - 1]!.startMs + LEAK_HOURS * HOUR + DAY : faEnd;
  const faults: TelemetryFaults = {
    seed: hash32(site.seed, site.variant, 0xfa17),
    missingFraction: 0.02,
    duplicateFraction: 0.005,
    // The explicit hose session runs inside an outage; another outage in the leak weeks.
    outages: [{ startMs: at(39, 14), endMs: at(39, 18) }, { startMs: at(TRAIN_DAYS + FA_DAYS + 5, 1), endMs: at(TRAIN_DAYS + FA_DAYS + 5, 7) }],
    // 5-minute polling with jitter over the first leaks' starts and two leak-free days.
    polling: [
      { startMs: at(TRAIN_DAYS + FA_DAYS - 2, 0), endMs: at(TRAIN_DAYS + FA_DAYS + 8, 0), everyMinutes: 5, jitterSeconds: 40 },
    ],
  };
  return { site, spec, timeZone, trainEnd: faStart, faStart, faEnd, leaks, end, faults };
}
