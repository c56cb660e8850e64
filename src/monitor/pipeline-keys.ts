/**
 * The telemetry keys a device's pipeline reads: the analytics' (flow counter, pressures, tank
 * level, every pump's phase voltages and currents) and the leak model's signals. The buffer
 * keeps these alone; the others (pump frequency, well level) are exported as telemetry from
 * each poll but never read back, and buffering them cost 26 h of readings per key per device.
 */
import { COUNTER_KEY } from "../analytics/consumption.ts";
import { PUMPS } from "../analytics/pump-health.ts";
import { SIGNALS } from "../ml/feature-catalog.ts";

export const PIPELINE_KEYS: ReadonlySet<string> = new Set([
  COUNTER_KEY,
  "S1",
  "S2",
  "Level1_precent",
  ...PUMPS.flatMap((p) => [1, 2, 3].flatMap((k) => [`${p}V${k}`, `${p}C${k}`])),
  ...SIGNALS.flatMap((s) => s.keys),
]);
