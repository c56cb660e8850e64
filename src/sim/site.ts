/**
 * What makes one simulated well site differ from the next: equipment, sensors, household,
 * schedules. All derived from the seed, so the same seed builds the same fleet.
 */
import type { HouseholdPlan } from "./household.ts";
import { hash32, mulberry32, uniform, uuidFrom } from "./random.ts";
import type { VsdDrive } from "./vsd.ts";

/** A recurring lawn-irrigation schedule (local time). */
export interface IrrigationSchedule {
  /** Days of the week it runs, 0 = Sunday. */
  days: number[];
  /** Start, minutes after local midnight. */
  startMinute: number;
  minutes: number;
  /** Flow while it runs, gallons per minute. */
  gpm: number;
  /** Months it is in season, 1..12 inclusive. */
  fromMonth: number;
  toMonth: number;
}

/** Water-softener regeneration at night: about 50 gallons over 90 minutes. */
export interface SoftenerSchedule {
  everyDays: number;
  /** Which day modulo `everyDays` it runs on. */
  phase: number;
  /** Start, minutes after local midnight. */
  startMinute: number;
}

/** One simulated device (one well site). Units: gallons, gal/min, PSI, volts, amperes, feet. */
export interface SimDeviceSpec {
  id: string;
  name: string;
  type: string;
  accountIndex: number;
  deviceIndex: number;
  /** Integer identity mixed into every hash for this device. */
  hashId: number;
  /** Seconds between telemetry samples; must divide 3600. */
  sampleIntervalSeconds: number;
  /** Local time = UTC + this many hours. */
  tzOffsetHours: number;
  occupants: number;
  hasMeter: boolean;
  /** Gallons per meter pulse: the counter moves in these steps. */
  pulseGallons: number;
  /** Counter reading when the simulated history begins (a multiple of pulseGallons). */
  meterStartGallons: number;
  /** Atmospheric storage tank fed by the well, with a booster pump (P1) to the pressure tank. */
  hasTank: boolean;
  tankCapacityGallons: number;
  /** The well pump refills the storage tank below `tankLowPct` until `tankHighPct`. */
  tankLowPct: number;
  tankHighPct: number;
  wellPumpGpm: number;
  /** The well pump feeding the storage tank is monitored as P2 (only with a tank). */
  hasP2: boolean;
  hasS2: boolean;
  hasWellLevel: boolean;
  /** Static water column above the pump intake, feet. */
  wellStaticFt: number;
  /** Drawdown while the well pump runs, feet. */
  wellDrawdownFt: number;
  pressureTankGallons: number;
  prechargePsi: number;
  cutInPsi: number;
  cutOutPsi: number;
  /** Pump curve: flow = maxGpm × (1 − (P / shutoffPsi)²). */
  pumpMaxGpm: number;
  pumpShutoffPsi: number;
  /** Running current per phase at cut-out pressure, amperes. */
  pumpAmps: number;
  p2Amps: number;
  /** Idle phase voltages, volts. */
  phaseVolts: [number, number, number];
  /** Per-phase current unbalance factors (≈ 1). */
  phaseCurrentFactor: [number, number, number];
  irrigation: IrrigationSchedule | null;
  softener: SoftenerSchedule | null;
  pool: boolean;
  location: string;
  siteInfo: string;
  /** Epoch ms the device was registered (attribute timestamps). */
  createdTime: number;
  /**
   * Optional equipment beyond the demo profiles (absent: as before). A constant-pressure
   * variable-speed drive on P1 instead of a pressure switch.
   */
  drive?: VsdDrive;
  /** With a storage tank: the well pump that refills it is P1 and the booster is P2 (default the reverse). */
  wellPumpIsP1?: boolean;
  /** 1: single-phase pumps, one voltage and one current key each and no frequency key. Default 3. */
  phases?: 1 | 3;
  /** People in local wall-clock time (DST), and draws beyond the household's own. */
  household?: HouseholdPlan;
}

const TOWNS = ["Bend, OR", "Boise, ID", "Prescott, AZ", "Durango, CO", "Bozeman, MT", "Taos, NM", "Redding, CA", "Ely, MN"];
const TZ = [-8, -7, -7, -7, -7, -7, -8, -6];

/**
 * The spec of device `deviceIndex` of account `accountIndex`. The first three devices of
 * every account are fixed profiles so small fleets always show the variety (full sensors with
 * a 1-gallon meter; a 10-gallon meter without tank; no meter with tank and a monitored well
 * pump); later ones are drawn at random.
 */
export function deviceSpec(seed: number, accountIndex: number, deviceIndex: number): SimDeviceSpec {
  const rng = mulberry32(hash32(seed, accountIndex, deviceIndex, 0x517e));
  const hashId = hash32(seed, accountIndex, deviceIndex);
  const id = uuidFrom(rng);
  const name = String(3_700_000 + (hashId % 300_000));
  const town = Math.floor(rng() * TOWNS.length);
  const profile = deviceIndex < 3 ? deviceIndex : -1;
  const hasMeter = profile === 0 || profile === 1 || (profile === -1 && rng() < 0.75);
  const pulseGallons = profile === 0 ? 1 : profile === 1 ? 10 : rng() < 0.5 ? 1 : 10;
  const hasTank = profile === 0 || profile === 2 || (profile === -1 && rng() < 0.5);
  const hasP2 = hasTank && (profile === 2 || (profile === -1 && rng() < 0.5));
  const irrigationDays = rng() < 0.5 ? [1, 3, 5] : [0, 2, 4, 6];
  const hasIrrigation = profile === 0 || (profile !== 1 && rng() < 0.5);
  const hasSoftener = profile === 0 || profile === 1 || rng() < 0.4;
  const cutIn = [30, 40, 40, 40, 40][Math.floor(rng() * 5)];
  const volts = uniform(rng, 233, 239);
  return {
    id,
    name,
    type: "NightOwl Flex",
    accountIndex,
    deviceIndex,
    hashId,
    sampleIntervalSeconds: 60,
    tzOffsetHours: TZ[town],
    occupants: 1 + Math.floor(rng() * 5),
    hasMeter,
    pulseGallons,
    meterStartGallons: Math.round(uniform(rng, 20_000, 600_000) / 10) * 10,
    hasTank,
    tankCapacityGallons: Math.round(uniform(rng, 500, 2500) / 100) * 100,
    tankLowPct: Math.round(uniform(rng, 55, 70)),
    tankHighPct: Math.round(uniform(rng, 92, 98)),
    wellPumpGpm: Math.round(uniform(rng, 4, 9) * 10) / 10,
    hasP2,
    hasS2: profile === 0 || (profile === -1 && rng() < 0.4),
    hasWellLevel: profile === 0 || profile === 2 || rng() < 0.5,
    wellStaticFt: Math.round(uniform(rng, 60, 220)),
    wellDrawdownFt: Math.round(uniform(rng, 4, 25) * 10) / 10,
    pressureTankGallons: [20, 32, 44, 62, 86][Math.floor(rng() * 5)],
    prechargePsi: cutIn - 2,
    cutInPsi: cutIn,
    cutOutPsi: cutIn + 20,
    pumpMaxGpm: Math.round(uniform(rng, 11, 15) * 10) / 10,
    pumpShutoffPsi: Math.round(uniform(rng, 95, 120)),
    pumpAmps: Math.round(uniform(rng, 6.5, 11) * 10) / 10,
    p2Amps: Math.round(uniform(rng, 5, 9) * 10) / 10,
    phaseVolts: [volts + uniform(rng, -2, 2), volts + uniform(rng, -2, 2), volts + uniform(rng, -2, 2)],
    phaseCurrentFactor: [1 + uniform(rng, -0.04, 0.04), 1 + uniform(rng, -0.04, 0.04), 1 + uniform(rng, -0.04, 0.04)],
    irrigation: hasIrrigation
      ? { days: irrigationDays, startMinute: 5 * 60 + 30, minutes: 30, gpm: Math.round(uniform(rng, 4, 6) * 10) / 10, fromMonth: 4, toMonth: 9 }
      : null,
    softener: hasSoftener ? { everyDays: 3 + Math.floor(rng() * 5), phase: Math.floor(rng() * 3), startMinute: 2 * 60 + 30 } : null,
    pool: profile === -1 && rng() < 0.25,
    location: TOWNS[town],
    siteInfo: `${hasTank ? "Storage tank + booster" : "Submersible well pump"}, ${hasMeter ? `${pulseGallons} gal/pulse meter` : "no flow meter"}`,
    createdTime: Date.UTC(2023, 6, 28) + (hashId % 86_400_000),
  };
}

/** The telemetry keys this device reports; keys of absent equipment are simply not sent. */
export function deviceKeys(spec: SimDeviceSpec): string[] {
  const keys = ["S1"];
  if (spec.hasS2) keys.push("S2");
  keys.push(...pumpKeys(spec, "P1"));
  if (spec.hasP2) keys.push(...pumpKeys(spec, "P2"));
  if (spec.hasTank) keys.push("Level1_precent");
  if (spec.hasWellLevel) keys.push("Well_Level-1");
  if (spec.hasMeter) keys.push("Pulse_TotalGallons");
  return keys;
}

/** One pump's keys: a voltage and current per phase, and the frequency on three-phase drives. */
export function pumpKeys(spec: SimDeviceSpec, pump: "P1" | "P2"): string[] {
  if (spec.phases === 1) return [`${pump}V1`, `${pump}C1`];
  return [`${pump}V1`, `${pump}V2`, `${pump}V3`, `${pump}C1`, `${pump}C2`, `${pump}C3`, `${pump}Hz`];
}

/** Device attributes as the portal stores them (all strings). */
export function deviceAttributes(spec: SimDeviceSpec, customer: string): Record<string, string> {
  const attributes: Record<string, string> = {
    CustomerInfo: customer,
    Location: spec.location,
    SiteInfo: spec.siteInfo,
    active: "true",
    edgedata_status: "online",
    S1_name: "Pressure tank",
  };
  if (spec.hasS2) attributes.S2_name = "After filter";
  if (spec.hasTank) attributes.Level1_Name = "Storage tank";
  return attributes;
}

const FIRST = ["Dana", "Alex", "Morgan", "Casey", "Jamie", "Riley", "Taylor", "Jordan", "Avery", "Quinn"];
const LAST = ["Gorman", "Whitfield", "Okafor", "Lindqvist", "Marsh", "Delgado", "Brennan", "Hollis", "Nakamura", "Ferreira"];

/** A customer name for account `accountIndex` (distinct last names for the first ten). */
export function customerName(seed: number, accountIndex: number): string {
  const h = hash32(seed, accountIndex, 0xc057);
  const round = Math.floor(accountIndex / LAST.length);
  return `${FIRST[h % FIRST.length]} ${LAST[(accountIndex + (seed >>> 0)) % LAST.length]}${round > 0 ? round + 1 : ""}`;
}
