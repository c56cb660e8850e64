/**
 * A constant-pressure variable-speed drive: the pump's speed follows demand so the pressure
 * stays at the set point, and below a minimum flow the drive boosts the small pressure tank a
 * few PSI above the set point and sleeps until the pressure falls to its wake level. A small
 * steady draw (a softener's brine rinse, a leak) therefore makes short, regular run/sleep
 * cycles that are the drive's normal behaviour, not a failing pressure switch.
 */

/** The drive's settings (PSI, gal/min, Hz). */
export interface VsdDrive {
  setpointPsi: number;
  /** Below this flow for `sleepAfterSeconds` the drive boosts and sleeps. */
  minGpm: number;
  sleepAfterSeconds: number;
  /** The boost before sleep: this many PSI above the set point. */
  boostPsi: number;
  /** Wakes when the pressure falls this many PSI below the set point. */
  wakeDropPsi: number;
  /** The lowest speed the drive runs at. */
  minHz: number;
}

/** The part of the well's state a drive reads and changes. */
export interface VsdState {
  psi: number;
  pumpOn: boolean;
  /** Motor frequency, Hz (0 asleep). */
  hz: number;
  /** Seconds the flow has been below the drive's minimum. */
  lowFlowSeconds: number;
  boosting: boolean;
}

/** The pressure tank the drive works against. */
export interface VsdTank {
  gallons: number;
  prechargePsi: number;
  /** Pump at full speed: flow = maxGpm × (1 − (P / shutoffPsi)²). */
  pumpMaxGpm: number;
  pumpShutoffPsi: number;
}

const ATM = 14.7;
/** Sub-steps per physics step: a small tank moves several PSI per gallon. */
const SUB = 10;

/** PSI per gallon stored at `psi` (Boyle's law on the tank's air). */
function psiPerGallon(tank: VsdTank, psi: number): number {
  return Math.pow(psi + ATM, 2) / ((tank.prechargePsi + ATM) * tank.gallons);
}

/**
 * Advances the drive and tank by `minutes` with the house drawing `wantGpm` (`dry`: the pump
 * turns but lifts nothing; `available`: gallons the pump can reach, for a storage-tank feed).
 * Returns the gallons delivered to the house and pumped.
 */
export function vsdStep(drive: VsdDrive, tank: VsdTank, state: VsdState, wantGpm: number, minutes: number, dry: boolean, available = Number.POSITIVE_INFINITY): { delivered: number; pumped: number } {
  const h = minutes / SUB;
  let delivered = 0;
  let pumped = 0;
  for (let j = 0; j < SUB; j++) {
    if (!state.pumpOn && state.psi <= drive.setpointPsi - drive.wakeDropPsi) {
      state.pumpOn = true;
      state.boosting = false;
      state.lowFlowSeconds = 0;
    }
    let supply = 0;
    if (state.pumpOn) {
      const r = Math.min(1, Math.max(0, state.psi) / tank.pumpShutoffPsi);
      const maxGpm = tank.pumpMaxGpm * (1 - r * r);
      if (state.boosting) supply = maxGpm;
      else {
        // Hold the set point: replace what the house draws and close the gap in one sub-step.
        const gap = (drive.setpointPsi - state.psi) / psiPerGallon(tank, state.psi) / h;
        supply = Math.min(maxGpm, Math.max(0, wantGpm + gap));
        state.lowFlowSeconds = wantGpm < drive.minGpm ? state.lowFlowSeconds + h * 60 : 0;
        if (state.lowFlowSeconds >= drive.sleepAfterSeconds) state.boosting = true;
      }
      if (dry) supply = 0;
      supply = Math.min(supply, Math.max(0, available - pumped) / h);
    }
    const net = supply - wantGpm;
    if (net >= 0 || state.psi > tank.prechargePsi) {
      state.psi = Math.max(tank.prechargePsi, state.psi + net * h * psiPerGallon(tank, state.psi));
      delivered += wantGpm * h;
    } else {
      // The bladder is empty: the house gets what the pump gives and the pressure sags.
      state.psi = wantGpm > 0 ? (tank.prechargePsi * supply) / wantGpm : tank.prechargePsi;
      delivered += supply * h;
    }
    pumped += supply * h;
    if (state.boosting && state.psi >= drive.setpointPsi + drive.boostPsi) {
      state.pumpOn = false;
      state.boosting = false;
      state.hz = 0;
    }
  }
  state.hz = !state.pumpOn ? 0 : state.boosting ? 60 : Math.max(drive.minHz, 60 * speedFor(tank, state.psi, pumped / minutes));
  return { delivered, pumped };
}

/**
 * The fraction of full speed at which the pump gives `gpm` at `psi`. By the affinity laws, at
 * speed n the curve is P = n² · shutoff · √(1 − Q / (n · maxGpm)); solved by bisection.
 */
function speedFor(tank: VsdTank, psi: number, gpm: number): number {
  const head = (n: number) => (gpm >= n * tank.pumpMaxGpm ? 0 : n * n * tank.pumpShutoffPsi * Math.sqrt(1 - gpm / (n * tank.pumpMaxGpm)));
  let lo = 0.2;
  let hi = 1;
  if (head(hi) <= psi) return 1;
  for (let i = 0; i < 20; i++) {
    const mid = (lo + hi) / 2;
    if (head(mid) < psi) lo = mid;
    else hi = mid;
  }
  return hi;
}
