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

