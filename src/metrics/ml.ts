/**
 * The leak model's metric families, with the original monitor's names and labels: per device
 * the latest verdict (`nightowl_ml_leak_probability` percent, `nightowl_ml_anomaly_score`
 * decision units, negative = anomalous, `nightowl_ml_is_anomaly`), why (top feature
 * contributions and values), when (`nightowl_ml_inference_timestamp` seconds) and how often
 * (`nightowl_ml_inferences_total{status}`); per user which model is loaded and what it was
 * trained on.
 *
 * Not yet scored: a device whose inference produced no verdict yet (no model, windows still
 * filling, an error) exports probability 0, is_anomaly 0, anomaly score 0 and inference timestamp
 * 0 (never), so dashboards and alerts written for the original monitor read 0 instead of "no data";
 * `nightowl_ml_inferences_total{status}` says why. The feature families stay empty until a verdict
 * names features.
 */
import { Gauge, type Registry } from "./prom-client.ts";
import type { LeakModel } from "../ml/model-file.ts";
import { DeviceFamily, seriesDevice, type SeriesDevice } from "./device-family.ts";
import { SeriesSlots } from "./series-slots.ts";

const DEVICE = ["user_label", "device_id", "device_name"] as const;

export type DeviceLabels = {
  user_label: string;
  device_id: string;
  device_name: string;
};

/** One device's inference, as exported. */
export interface InferenceRecord {
  /** Percent, 0–100. */
  probability: number;
  /** The forest's decision score of the newest row; negative = anomalous. */
  decision: number;
  isAnomaly: boolean;
  /** 0 low, 1 medium, 2 high. */
  confidence: number;
  /** (feature, contribution) pairs, largest first; the first 10 are exported. */
  contributions: ReadonlyArray<readonly [string, number]>;
  /** (feature, value in its own unit) pairs, most contributing first; the first 20 are exported. */
  values: ReadonlyArray<readonly [string, number]>;
  /** Epoch ms of the inference. */
  timestampMs: number;
}

export type InferenceStatus = "success" | "insufficient_data" | "no_model" | "error";

export interface MlMetrics {
  /** Records the model used for `userLabel` (null: none, `nightowl_ml_model_loaded 0`). */
  setModel(userLabel: string, model: LeakModel | null): void;
  record(labels: DeviceLabels, inference: InferenceRecord): void;
  /** Counts an inference that produced no verdict; a device without one yet shows the not-yet values. */
  count(labels: DeviceLabels, status: Exclude<InferenceStatus, "success">): void;
  /** Drops every per-device series of a device that has disappeared. */
  removeDevice(labels: DeviceLabels): void;
}

/** A device's exported features of one family: their names, and their series' handles beside them. */
interface Shown {
  names: string[];
  handles: number[];
}

/**
 * Exports `pairs` as `family`'s feature series of `device`, where `before` were: a feature
 * still shown is written in place (where a `set` would have put it), one no longer shown is
 * removed, a new one is added last, as prom-client's gauge would.
 */
function showFeatures(family: DeviceFamily, device: SeriesDevice, before: Shown | undefined, pairs: ReadonlyArray<readonly [string, number]>): Shown {
  const names = pairs.map(([f]) => f);
  if (before) before.names.forEach((f, i) => names.includes(f) || family.remove(before.handles[i]!));
  const handles: number[] = [];
  pairs.forEach(([f, x], i) => {
    // A feature named twice is one series holding the later value, as with prom-client.
    const earlier = names.indexOf(f);
    const was = before ? before.names.indexOf(f) : -1;
    const handle = earlier < i ? handles[earlier]! : was >= 0 ? before!.handles[was]! : -1;
    if (handle >= 0) family.set(handle, x);
    handles.push(handle >= 0 ? handle : family.add(device, f, x));
  });
  return { names, handles };
}

export const TOP_CONTRIBUTIONS = 10;
export const TOP_VALUES = 20;

/** Registers the ML families on `registry`. */
export function registerMlMetrics(registry: Registry): MlMetrics {
  // The per-device families are kept flat, outside prom-client's per-series objects (device-family.ts).
  const family = (type: "gauge" | "counter", name: string, help: string, extra?: string) => new DeviceFamily({ name, help, type, deviceLabels: DEVICE, extra, registers: [registry] });
  const gauge = (name: string, help: string, extra?: string) => family("gauge", name, help, extra);
  const probability = gauge("nightowl_ml_leak_probability", "Leak probability of the device's latest verdict, percent (0-100); 50 or more exactly when nightowl_ml_is_anomaly is 1.");
  const score = gauge("nightowl_ml_anomaly_score", "Isolation forest decision score of the device's newest row (negative = anomalous).");
  const isAnomaly = gauge("nightowl_ml_is_anomaly", "1 when the leak alarm is raised for the device (persistent anomaly or a rule), else 0.");
  const confidence = gauge("nightowl_ml_model_confidence", "Confidence of the model scoring the device: 0 low (< 5,000 training samples), 1 medium, 2 high (>= 20,000).");
  const contribution = gauge("nightowl_ml_feature_contribution", "Share of the isolation paths' depth-weighted splits on this feature for the newest row (top 10; they sum to at most 1).", "feature");
  const value = gauge("nightowl_ml_feature_value", "Value of a feature in the newest row, in the feature's own unit (top 20 by contribution).", "feature");
  const timestamp = gauge("nightowl_ml_inference_timestamp", "Unix time in seconds of the device's last inference.");
  const inferences = family("counter", "nightowl_ml_inferences_total", "Inference runs by status (success, insufficient_data, no_model, error).", "status");
  const trainedAt = new Gauge({ name: "nightowl_ml_model_trained_at", help: "Unix time in seconds the loaded model was trained.", labelNames: ["user_label"], registers: [registry] });
  const samples = new Gauge({ name: "nightowl_ml_model_training_samples", help: "Feature rows the loaded model was trained on.", labelNames: ["user_label"], registers: [registry] });
  const versionInfo = new Gauge({ name: "nightowl_ml_model_version_info", help: "1 for the loaded model; version is its training time, source where its history came from.", labelNames: ["user_label", "version", "source"], registers: [registry] });
  const loaded = new Gauge({ name: "nightowl_ml_model_loaded", help: "1 if a leak model is loaded for the user, 0 if none was found or it failed to load.", labelNames: ["user_label"], registers: [registry] });

  const shownVersion = new Map<string, { user_label: string; version: string; source: string }>();
  /** Per device: the features exported, their series' handles, and the inference arrays they came from. */
  const shownFeatures = new Map<string, { contributions: Shown; values: Shown; from: InferenceRecord }>();
  const key = (l: DeviceLabels) => `${l.user_label}\u0000${l.device_id}\u0000${l.device_name}`;
  /** Devices that have had a verdict; the others show the not-yet values. */
  const scored = new Set<string>();
  // Each device's verdict series, set in place every poll (see series-slots.ts), in these slots.
  const verdictGauges = [probability, score, isAnomaly, confidence, timestamp];
  /** `nightowl_ml_inferences_total`'s slot of each status. */
  const STATUS_SLOT: Record<InferenceStatus, number> = { success: 0, insufficient_data: 1, no_model: 2, error: 3 };
  const slots = new Map<string, SeriesSlots>();
  /**
   * Each device's inference counts: kept when the device goes (a counter's series outlives the
   * device, as it did in prom-client's counter), so a device that comes back counts on.
   */
  const counts = new Map<string, SeriesSlots>();
  const countsOf = (k: string, labels: DeviceLabels) => {
    let s = counts.get(k);
    if (!s) counts.set(k, (s = new SeriesSlots(seriesDevice(labels))));
    return s;
  };
  const slotsOf = (k: string, labels: DeviceLabels) => {
    let s = slots.get(k);
    // The device's labels and their text are its counts' (made once a device).
    if (!s) slots.set(k, (s = new SeriesSlots(countsOf(k, labels).device)));
    return s;
  };

  return {
    setModel(userLabel, model) {
      trainedAt.remove({ user_label: userLabel });
      samples.remove({ user_label: userLabel });
      // The old version's series must go, or two versions would read as loaded.
      const old = shownVersion.get(userLabel);
      if (old) versionInfo.remove(old);
      shownVersion.delete(userLabel);
      loaded.set({ user_label: userLabel }, model ? 1 : 0);
      if (!model) return;
      trainedAt.set({ user_label: userLabel }, Date.parse(model.training.trained_at) / 1000);
      samples.set({ user_label: userLabel }, model.training.samples);
      const labels = { user_label: userLabel, version: model.training.trained_at, source: model.training.source };
      versionInfo.set(labels, 1);
      shownVersion.set(userLabel, labels);
    },
    record(labels, inference) {
      const k = key(labels);
      const s = slotsOf(k, labels);
      const values = [inference.probability, inference.decision, inference.isAnomaly ? 1 : 0, inference.confidence, inference.timestampMs / 1000];
      verdictGauges.forEach((g, i) => s.set(i, g, values[i]!));
      countsOf(k, labels).add(STATUS_SLOT.success, inferences, 1, "success");
      scored.add(k);
      const previous = shownFeatures.get(k);
      // The same verdict exported again (no new reading since): its feature series stand.
      if (previous && previous.from.contributions === inference.contributions && previous.from.values === inference.values) return;
      const top = inference.contributions.slice(0, TOP_CONTRIBUTIONS);
      const vals = inference.values.slice(0, TOP_VALUES).filter(([, x]) => Number.isFinite(x));
      shownFeatures.set(k, {
        contributions: showFeatures(contribution, s.device, previous?.contributions, top),
        values: showFeatures(value, s.device, previous?.values, vals),
        from: inference,
      });
    },
    count(labels, status) {
      const k = key(labels);
      countsOf(k, labels).add(STATUS_SLOT[status], inferences, 1, status);
      if (scored.has(k)) return;
      const s = slotsOf(k, labels);
      verdictGauges.forEach((g, i) => g !== confidence && s.set(i, g, 0));
    },
    removeDevice(labels) {
      const s = slots.get(key(labels));
      verdictGauges.forEach((g, i) => s?.remove(i, g));
      // The inference counts stay (see `counts`).
      slots.delete(key(labels));
      const previous = shownFeatures.get(key(labels));
      for (const h of previous?.contributions.handles ?? []) contribution.remove(h);
      for (const h of previous?.values.handles ?? []) value.remove(h);
      shownFeatures.delete(key(labels));
      scored.delete(key(labels));
    },
  };
}

