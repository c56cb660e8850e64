/**
 * Leaks that are not a constant draw: one that grows (a corroding fitting, a crack that
 * widens) and a toilet flapper that lets the tank drain slowly, so the fill valve refills
 * about 1.6 gallons every 20 minutes or so, day and night.
 */
import { hash32 } from "./random.ts";

/** A growing leak reaches its full size this long after it starts. */
export const GROWING_LEAK_RAMP_MS = 48 * 3_600_000;
/** A flapper's refill cycle, nominal … */
export const FLAPPER_PERIOD_MS = 20 * 60_000;
/** … and the fill valve's flow while it refills, gal/min. */
export const FLAPPER_FILL_GPM = 2.5;

/** The flow of a growing leak `size` gal/min at its end of ramp, `elapsedMs` after it starts. */
export function growingLeakGpm(size: number, elapsedMs: number): number {
  if (elapsedMs < 0) return 0;
  return size * Math.min(1, elapsedMs / GROWING_LEAK_RAMP_MS);
}

/**
 * Start of refill `k` of a flapper that began at `startMs`, ms after its start: every 1.1
 * periods on average, each moved up to a tenth of a period either way as the flapper seats.
 */
function refillStart(startMs: number, k: number): number {
  return FLAPPER_PERIOD_MS * (1.1 * k + 0.1 + 0.2 * (hash32(startMs, k, 0xf1a9) / 4294967296 - 0.5));
}

/** The flow of a flapper refilling `gallons` each cycle, `elapsedMs` after it began. */
export function flapperGpm(startMs: number, gallons: number, elapsedMs: number): number {
  if (elapsedMs < 0) return 0;
  const fillMs = (gallons / FLAPPER_FILL_GPM) * 60_000;
  // Only the cycles next to this instant can cover it.
  const guess = Math.floor(elapsedMs / (FLAPPER_PERIOD_MS * 1.1));
  for (let k = Math.max(0, guess - 1); k <= guess + 1; k++) {
    const s = refillStart(startMs, k);
    if (elapsedMs >= s && elapsedMs < s + fillMs) return FLAPPER_FILL_GPM;
  }
  return 0;
}
