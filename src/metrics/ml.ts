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
import { Counter, Gauge, type Registry } from "prom-client";
import type { LeakModel } from "../ml/model-file.ts";
import { entryOf, SeriesSlots } from "./series-slots.ts";

type Entry = NonNullable<ReturnType<typeof entryOf>>;

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

/** A device's exported features of one family: their names, and their series' entries where found. */
interface Shown {
  names: string[];
  entries: Array<Entry | undefined>;
}

/**
 * Exports `pairs` as `family`'s feature series of the device `labels`, where `before` were:
 * a feature still shown is written in its entry in place (where a `set` would have put it,
 * with the same labels), one no longer shown is removed, a new one is set with frozen labels
 * (see exposition.ts). Only the features that left are removed: removing a series from a
 * family of a whole fleet's is the costly step.
 */
function showFeatures(family: Gauge, labels: DeviceLabels, before: Shown | undefined, pairs: ReadonlyArray<readonly [string, number]>): Shown {
  const names = pairs.map(([f]) => f);
  if (before) for (const f of before.names) if (!names.includes(f)) family.remove({ ...labels, feature: f });
  const entries = pairs.map(([f, x]) => {
    const i = before ? before.names.indexOf(f) : -1;
    const entry = i >= 0 ? before!.entries[i] : undefined;
    if (entry) {
      entry.value = x;
      return entry;
    }
    const series = Object.freeze({ ...labels, feature: f });
    family.set(series, x);
    return entryOf(family, series);
  });
  return { names, entries };
}

export const TOP_CONTRIBUTIONS = 10;
export const TOP_VALUES = 20;

/** Registers the ML families on `registry`. */
export function registerMlMetrics(registry: Registry): MlMetrics {
  const gauge = (name: string, help: string, extra: string[] = []) =>
    new Gauge({ name, help, labelNames: [...DEVICE, ...extra], registers: [registry] });
  const probability = gauge("nightowl_ml_leak_probability", "Leak probability of the device's latest verdict, percent (0-100); 50 or more exactly when nightowl_ml_is_anomaly is 1.");
  const score = gauge("nightowl_ml_anomaly_score", "Isolation forest decision score of the device's newest row (negative = anomalous).");
  const isAnomaly = gauge("nightowl_ml_is_anomaly", "1 when the leak alarm is raised for the device (persistent anomaly or a rule), else 0.");
  const confidence = gauge("nightowl_ml_model_confidence", "Confidence of the model scoring the device: 0 low (< 5,000 training samples), 1 medium, 2 high (>= 20,000).");
  const contribution = gauge("nightowl_ml_feature_contribution", "Share of the isolation paths' depth-weighted splits on this feature for the newest row (top 10; they sum to at most 1).", ["feature"]);
  const value = gauge("nightowl_ml_feature_value", "Value of a feature in the newest row, in the feature's own unit (top 20 by contribution).", ["feature"]);
  const timestamp = gauge("nightowl_ml_inference_timestamp", "Unix time in seconds of the device's last inference.");
  const inferences = new Counter({ name: "nightowl_ml_inferences_total", help: "Inference runs by status (success, insufficient_data, no_model, error).", labelNames: [...DEVICE, "status"], registers: [registry] });
  const trainedAt = new Gauge({ name: "nightowl_ml_model_trained_at", help: "Unix time in seconds the loaded model was trained.", labelNames: ["user_label"], registers: [registry] });
  const samples = new Gauge({ name: "nightowl_ml_model_training_samples", help: "Feature rows the loaded model was trained on.", labelNames: ["user_label"], registers: [registry] });
  const versionInfo = new Gauge({ name: "nightowl_ml_model_version_info", help: "1 for the loaded model; version is its training time, source where its history came from.", labelNames: ["user_label", "version", "source"], registers: [registry] });
  const loaded = new Gauge({ name: "nightowl_ml_model_loaded", help: "1 if a leak model is loaded for the user, 0 if none was found or it failed to load.", labelNames: ["user_label"], registers: [registry] });

  const shownVersion = new Map<string, { user_label: string; version: string; source: string }>();
  /**
   * Per device: the features exported, prom-client's entries of their series (beside the names;
   * undefined where not found), and the inference arrays they came from.
   */
  const shownFeatures = new Map<string, { contributions: Shown; values: Shown; from: InferenceRecord }>();
  const key = (l: DeviceLabels) => `${l.user_label}\u0000${l.device_id}\u0000${l.device_name}`;
  /** Devices that have had a verdict; the others show the not-yet values. */
  const scored = new Set<string>();
  // Each device's verdict series, set in place every poll (see series-slots.ts), in these slots.
  const verdictGauges = [probability, score, isAnomaly, confidence, timestamp];
  /** The slots after the verdict's: `nightowl_ml_inferences_total`, one per status. */
  const STATUS_SLOT: Record<InferenceStatus, number> = { success: 5, insufficient_data: 6, no_model: 7, error: 8 };
  const slots = new Map<string, SeriesSlots>();
  const slotsOf = (k: string) => {
    let s = slots.get(k);
    if (!s) slots.set(k, (s = new SeriesSlots()));
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
      const s = slotsOf(k);
      const values = [inference.probability, inference.decision, inference.isAnomaly ? 1 : 0, inference.confidence, inference.timestampMs / 1000];
      verdictGauges.forEach((g, i) => s.set(i, g, values[i]!, labels));
      s.add(STATUS_SLOT.success, inferences, 1, labels, ["status", "success"]);
      scored.add(k);
      const previous = shownFeatures.get(k);
      // The same verdict exported again (no new reading since): its feature series stand.
      if (previous && previous.from.contributions === inference.contributions && previous.from.values === inference.values) return;
      const top = inference.contributions.slice(0, TOP_CONTRIBUTIONS);
      const vals = inference.values.slice(0, TOP_VALUES).filter(([, x]) => Number.isFinite(x));
      shownFeatures.set(k, {
        contributions: showFeatures(contribution, labels, previous?.contributions, top),
        values: showFeatures(value, labels, previous?.values, vals),
        from: inference,
      });
    },
    count(labels, status) {
      const k = key(labels);
      const s = slotsOf(k);
      s.add(STATUS_SLOT[status], inferences, 1, labels, ["status", status]);
      if (scored.has(k)) return;
      verdictGauges.forEach((g, i) => g !== confidence && s.set(i, g, 0, labels));
    },
    removeDevice(labels) {
      const s = slots.get(key(labels));
      verdictGauges.forEach((g, i) => (s ? s.remove(i, g) : g.remove(labels)));
      // The inference counts stay (a counter's series outlives the device, as before). A later
      // slot set for the device counts through prom-client's counter: the entries keep their old
      // labels object, which the slot does not adopt.
      slots.delete(key(labels));
      const previous = shownFeatures.get(key(labels));
      for (const f of previous?.contributions.names ?? []) contribution.remove({ ...labels, feature: f });
      for (const f of previous?.values.names ?? []) value.remove({ ...labels, feature: f });
      shownFeatures.delete(key(labels));
      scored.delete(key(labels));
    },
  };
}

