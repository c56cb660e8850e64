/**
 * The simulator's telemetry as a HistoryFrame, without HTTP: for tests and benchmarks of the
 * analytics and ML code. Same seed, device and origin → same values.
 */
import { userLabelFor } from "../nightowl/keys.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { DayCache, DeviceHistory } from "./device-history.ts";
import { resolveScenario, type ScenarioSpec } from "./scenario.ts";
import { customerName, deviceSpec, type SimDeviceSpec } from "./site.ts";

export interface SimulateHistoryOptions {
  seed: number;
  /** A device spec, or an index: `deviceSpec(seed, 0, index)`. */
  device: SimDeviceSpec | number;
  /** Epoch ms, inclusive. The model starts from rest at the local midnight before it. */
  startMs: number;
  /** Epoch ms, exclusive. */
  endMs: number;
  /** Scenarios; those for other device ids are ignored. */
  scenarios?: ScenarioSpec[];
  /** Sample interval in seconds (divides 3600); default the device's own (60). */
  stepSeconds?: number;
}

/**
 * Generates [startMs, endMs) of one device's telemetry. Rows are the device's samples (gap
 * scenarios leave rows out); only the keys the device has are columns.
 */
export function simulateHistory(opts: SimulateHistoryOptions): HistoryFrame {
  const base = typeof opts.device === "number" ? deviceSpec(opts.seed, 0, opts.device) : opts.device;
  const spec = opts.stepSeconds ? { ...base, sampleIntervalSeconds: opts.stepSeconds } : base;
  if (3600 % spec.sampleIntervalSeconds !== 0) throw new RangeError(`stepSeconds ${spec.sampleIntervalSeconds} must divide 3600`);
  const history = new DeviceHistory(spec, opts.seed, opts.startMs, new DayCache(2));
  for (const s of opts.scenarios ?? []) if (s.deviceId === spec.id) history.addScenario(resolveScenario(s));
  const rows = history.countSamples(opts.startMs, opts.endMs);
  const ts = new Float64Array(rows);
  const columns: Record<string, Float64Array> = {};
  for (const k of history.keys) columns[k] = new Float64Array(rows);
  let i = 0;
  history.forEachSample(opts.startMs, opts.endMs, false, (frame, r) => {
    ts[i] = frame.ts[r];
    for (const k of history.keys) columns[k][i] = frame.columns[k][r];
    i++;
    return true;
  });
  const customer = customerName(opts.seed, spec.accountIndex);
  return { deviceId: spec.id, deviceName: spec.name, userLabel: userLabelFor(customer), customer, site: spec.location, ts, columns };
}
