/**
 * One device's history as columns: the shape every history consumer shares (the CSV reader
 * and writer, features, analytics, the simulator's generator, Prometheus range queries).
 * Plain typed arrays, one slot per row; NaN means "no value at this timestamp".
 */
export interface HistoryFrame {
  deviceId: string;
  deviceName: string;
  userLabel: string;
  /** `CustomerInfo`, when known. */
  customer?: string;
  /** `SiteInfo` or `Location`, when known. */
  site?: string;
  /** Epoch milliseconds, strictly increasing. */
  ts: Float64Array;
  /** Telemetry key → values aligned with `ts`; NaN where the key had no value. */
  columns: Record<string, Float64Array>;
}

/** An empty frame with the given keys, for builders that grow row by row. */
export function emptyFrame(meta: Omit<HistoryFrame, "ts" | "columns">, keys: readonly string[]): HistoryFrame {
  return { ...meta, ts: new Float64Array(0), columns: Object.fromEntries(keys.map((k) => [k, new Float64Array(0)])) };
}

/** Number of rows. */
export function frameLength(frame: HistoryFrame): number {
  return frame.ts.length;
}
