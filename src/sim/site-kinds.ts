/**
 * Site kinds beyond the demo profiles, for benchmarks and tests: the wells users have. Each is
 * a demo profile's spec with its equipment changed; `variant` draws other equipment sizes
 * (tanks, pumps, set points) for the same kind, so a benchmark can hold configurations out.
 */
import { hash32, mulberry32, uniform } from "./random.ts";
import { deviceSpec, type SimDeviceSpec } from "./site.ts";

export const SITE_KINDS = [
  "switch-1gal",
  "meterless-booster",
  "vsd-0.1gal",
  "cistern-p1-fill",
  "single-phase-10gal",
  "vsd-meterless",
  "single-phase-0.1gal",
] as const;
export type SiteKind = (typeof SITE_KINDS)[number];

export const SITE_KIND_LABELS: Record<SiteKind, string> = {
  "switch-1gal": "pressure switch, 3-phase, 1-gal meter, storage tank + booster",
  "meterless-booster": "no meter, storage tank, booster P1, well pump P2",
  "vsd-0.1gal": "constant-pressure drive, 0.1-gal meter, no storage tank",
  "cistern-p1-fill": "no meter, cistern filled by P1 on a float, booster P2",
  "single-phase-10gal": "pressure switch, single-phase, 10-gal meter",
  "vsd-meterless": "constant-pressure drive, no meter, single-phase well level",
  "single-phase-0.1gal": "pressure switch, single-phase, 0.1-gal meter",
};

/** The spec of a site of `kind`; the same (seed, kind, variant) gives the same site. */
export function siteOfKind(seed: number, kind: SiteKind, variant: number): SimDeviceSpec {
  const index = SITE_KINDS.indexOf(kind);
  // Account `variant`: every variant is a different household, town and equipment draw.
  const profile = kind === "meterless-booster" || kind === "cistern-p1-fill" ? 2 : kind === "switch-1gal" ? 0 : 1;
  const base = deviceSpec(seed, variant, profile);
  const rng = mulberry32(hash32(seed, variant, index, 0x5173));
  const spec: SimDeviceSpec = { ...base, hashId: hash32(base.hashId, index), id: `${base.id.slice(0, 30)}${String(index).padStart(6, "0")}`, name: `${base.name}-${index}`, irrigation: null, pool: false };
  const vsd = (): Partial<SimDeviceSpec> => {
    const setpoint = [50, 55, 60][Math.floor(rng() * 3)]!;
    return {
      drive: { setpointPsi: setpoint, minGpm: uniform(rng, 0.8, 1.5), sleepAfterSeconds: 60, boostPsi: 5, wakeDropPsi: uniform(rng, 5, 10), minHz: 30 },
      pressureTankGallons: [4.4, 8, 14][Math.floor(rng() * 3)]!,
      prechargePsi: Math.round(setpoint * 0.7),
      cutInPsi: setpoint - 10,
      cutOutPsi: setpoint + 5,
      hasTank: false,
      hasP2: false,
    };
  };
  const meter = (pulseGallons: number): Partial<SimDeviceSpec> => ({ hasMeter: true, pulseGallons });
  const noTank: Partial<SimDeviceSpec> = { hasTank: false, hasP2: false };
  const extra: Record<SiteKind, Partial<SimDeviceSpec>> = {
    "switch-1gal": {},
    "meterless-booster": {},
    "vsd-0.1gal": { ...vsd(), ...meter(0.1) },
    "cistern-p1-fill": { hasMeter: false, hasTank: true, hasP2: true, wellPumpIsP1: true, tankCapacityGallons: Math.round(uniform(rng, 3, 8)) * 100 },
    "single-phase-10gal": { ...noTank, ...meter(10), phases: 1 },
    "vsd-meterless": { ...vsd(), hasMeter: false, phases: 1, hasWellLevel: true },
    "single-phase-0.1gal": { ...noTank, ...meter(0.1), phases: 1 },
  };
  const site = { ...spec, ...extra[kind] };
  return { ...site, siteInfo: `${SITE_KIND_LABELS[kind]} (variant ${variant})` };
}
