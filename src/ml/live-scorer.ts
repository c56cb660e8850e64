/**
 * Live scoring in `run`: an observer of the poll loop that keeps, per device, a ring of its
 * recent polled history (26 h: the longest window, 24 h, plus margin) feeding the same feature
 * engine training uses, so live features equal training features without Prometheus. Every
 * new reading is scored and fed to the alarm's persistence windows; every
 * `inferenceInterval` polls the verdict is exported and an anomaly logged.
 *
 * Models are resolved per user label (explicit path, then users/{label}, then global) on first
 * sight and again after `reload()` (SIGHUP). A device whose sensors cannot feed the model's
 * features is reported once and counted as `status="error"`.
 */
import type { Logger } from "../log.ts";
import type { DeviceLabels, MlMetrics } from "../metrics/ml.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import { numericValue, type DeviceSnapshot } from "../nightowl/snapshot.ts";
import { describeError, type PollObserver, type PollResult } from "../poll-loop.ts";
import { FeatureStream } from "./feature-stream.ts";
import { topFeatures } from "./leak-model.ts";
import { confidenceCode, loadModelFile, type LeakModel } from "./model-file.ts";
import { resolveModelPath } from "./model-resolver.ts";
import { VerdictStream, type Verdict } from "./verdict.ts";
import { yieldToServer } from "../yield-to-server.ts";

/** History kept per device, ms: the 24 h window plus two hours of margin. */
export const RING_MS = 26 * 3_600_000;

export interface LiveScorerOptions {
  metrics: MlMetrics;
  log: Logger;
  modelsDir: string;
  /** NIGHTOWL_ML_MODEL_PATH: one model for every user. */
  modelPath?: string;
  /** Export every N polls (NIGHTOWL_ML_INFERENCE_INTERVAL). */
  inferenceInterval: number;
  /** Epoch ms; injected by tests. */
  now?: () => number;
  /** The sites' IANA time zone (NIGHTOWL_TIMEZONE) for local-time features; default the model's. */
  timeZone?: string;
  /**
   * The rules firing for a device now (from the analytics observer in `run`), so the live
   * verdict combines forest and rules as `score` does.
   */
  rulesFor?: (deviceId: string) => readonly string[];
}

export interface LiveScorer extends PollObserver {
  /** Forgets loaded models; the next poll resolves and loads them again (SIGHUP). */
  reload(): void;
  /** The latest verdict of a device, if it has one. */
  latest(deviceId: string): { verdict: Verdict; decision: number; ts: number } | undefined;
  /**
   * Fills a new device's window ring from recent history (the warm-up of `run`), so live
   * features equal training features from the first poll on; a device already known is left as is.
   */
  warm(device: DeviceSnapshot, frame: HistoryFrame): void;
}

interface UserModel {
  model: LeakModel | null;
}

interface DeviceState {
  labels: DeviceLabels;
  /** Ring of (ts, values by key) newest last, ≤ RING_MS long. */
  ring: Array<{ ts: number; values: Record<string, number> }>;
  /** Every telemetry key seen in the ring. */
  keys: Set<string>;
  /** Per key, time of the newest reading already pushed. */
  lastKeyTs: Map<string, number>;
  lastTs: number;
  /** Built for `model`; null while there is no usable model. */
  stream: FeatureStream | null;
  verdicts: VerdictStream | null;
  model: LeakModel | null;
  features: Float64Array | null;
  decision: number;
  verdict: Verdict | null;
  latestTs: number;
  /** Why the model cannot score this device, if it cannot. */
  broken: string | null;
  /** The last `broken` reason logged, so each is logged once. */
  reported: string | null;
}

export function createLiveScorer(options: LiveScorerOptions): LiveScorer {
  const { metrics, log } = options;
  const now = options.now ?? Date.now;
  const users = new Map<string, UserModel>();
  const devices = new Map<string, DeviceState>();
  let polls = 0;

  function modelFor(userLabel: string): LeakModel | null {
    const known = users.get(userLabel);
    if (known) return known.model;
    let model: LeakModel | null = null;
    const resolved = resolveModelPath({ modelPath: options.modelPath, modelsDir: options.modelsDir, userLabel });
    if (!resolved) {
      log.warn(`no leak model for user ${userLabel}: looked for ${options.modelsDir}/users/${userLabel}/leak_detector.json and ${options.modelsDir}/global/leak_detector.json; ML scoring is off for this user (train one with nightowl train)`);
    } else {
      try {
        model = loadModelFile(resolved.path);
        log.info(`leak model loaded for user ${userLabel}`, { path: resolved.path, source: resolved.source, trained_at: model.training.trained_at, samples: model.training.samples, confidence: model.training.confidence, history: model.training.source });
      } catch (error) {
        log.error(`leak model for user ${userLabel} not loaded: ${describeError(error)}`);
      }
    }
    users.set(userLabel, { model });
    metrics.setModel(userLabel, model);
    return model;
  }

  /** (Re)builds the device's feature and verdict streams for `model` and replays its ring. */
  function rebuild(state: DeviceState, model: LeakModel | null): void {
    state.model = model;
    state.stream = null;
    state.verdicts = null;
    state.features = null;
    state.verdict = null;
    state.broken = null;
    if (!model) return;
    const keys = [...state.keys].sort();
    try {
      state.stream = new FeatureStream(keys, { ...model.featureOptions, timeZone: options.timeZone ?? model.featureOptions.timeZone, featureNames: model.featureNames }, state.labels.device_name);
    } catch (error) {
      // Keys may still be arriving; the next new key retries.
      state.broken = describeError(error);
      return;
    }
    state.verdicts = new VerdictStream(model.alarm, model.featureNames);
    for (const row of state.ring) score(state, row.ts, row.values);
  }

  function score(state: DeviceState, ts: number, values: Record<string, number>, live = false): void {
    if (!state.stream || !state.model || !state.verdicts) return;
    const features = state.stream.push(ts, values);
    if (!features) return;
    const z = state.model.scaler.transformRow(features);
    const decision = state.model.forest.decisionFunction({ data: z, rows: 1, cols: z.length })[0];
    state.features = features;
    state.decision = decision;
    const rules = live && options.rulesFor ? options.rulesFor(state.labels.device_id) : [];
    state.verdict = state.verdicts.push(ts, decision, rules, features);
    state.latestTs = ts;
  }

  function append(state: DeviceState, ts: number, values: Record<string, number>): void {
    let newKey = false;
    for (const k of Object.keys(values)) {
      if (state.keys.has(k)) continue;
      state.keys.add(k);
      newKey = true;
    }
    state.ring.push({ ts, values });
    let drop = 0;
    while (drop < state.ring.length && state.ring[drop].ts <= ts - RING_MS) drop++;
    if (drop > 0) state.ring.splice(0, drop);
    state.lastTs = ts;
    // A new key may complete what the model needs; without one, a device that cannot be scored stays so.
    if (newKey || (state.model && !state.stream && !state.broken)) rebuild(state, state.model);
    else score(state, ts, values, true);
  }

  /** The readings of a snapshot newer than what the device already has, at the newest reading's time. */
  function newReadings(state: DeviceState, device: DeviceSnapshot): { ts: number; values: Record<string, number> } | null {
    let ts = -Infinity;
    const values: Record<string, number> = {};
    for (const [key, reading] of Object.entries(device.telemetry)) {
      const value = numericValue(reading.value);
      if (value === null || reading.ts <= (state.lastKeyTs.get(key) ?? -Infinity)) continue;
      values[key] = value;
      state.lastKeyTs.set(key, reading.ts);
      if (reading.ts > ts) ts = reading.ts;
    }
    if (ts === -Infinity || ts <= state.lastTs) return null;
    return { ts, values };
  }

  /** Appends a frame's rows newer than the ring's last, keeping the last RING_MS of them. */
  function fillRing(state: DeviceState, frame: HistoryFrame): void {
    const keys = Object.keys(frame.columns);
    const from = frame.ts.length ? frame.ts[frame.ts.length - 1] - RING_MS : 0;
    for (let i = 0; i < frame.ts.length; i++) {
      if (frame.ts[i] < from || !(frame.ts[i] > state.lastTs)) continue;
      const values: Record<string, number> = {};
      for (const k of keys) if (frame.columns[k][i] === frame.columns[k][i]) values[k] = frame.columns[k][i];
      state.ring.push({ ts: frame.ts[i], values });
      for (const k of Object.keys(values)) state.keys.add(k);
      state.lastTs = frame.ts[i];
    }
  }

  function newState(device: DeviceSnapshot): DeviceState {
    const labels = { user_label: device.userLabel, device_id: device.id, device_name: device.name };
    const state: DeviceState = { labels, ring: [], keys: new Set(), lastKeyTs: new Map(), lastTs: -Infinity, stream: null, verdicts: null, model: null, features: null, decision: Number.NaN, verdict: null, latestTs: Number.NaN, broken: null, reported: null };
    devices.set(device.id, state);
    return state;
  }

  function publish(state: DeviceState): void {
    const { labels, model } = state;
    if (!model) {
      metrics.count(labels, "no_model");
      return;
    }
    if (state.broken) {
      metrics.count(labels, "error");
      return;
    }
    if (!state.verdict || !state.features) {
      metrics.count(labels, "insufficient_data");
      return;
    }
    const z = model.scaler.transformRow(state.features);
    const top = topFeatures(model, z, model.featureNames.length);
    const index = new Map(model.featureNames.map((n, i) => [n, i]));
    const verdict = state.verdict;
    metrics.record(labels, {
      probability: verdict.probability,
      decision: state.decision,
      isAnomaly: verdict.isAnomaly,
      confidence: confidenceCode(model.training.confidence),
      contributions: top,
      values: top.map(([name]) => [name, state.features![index.get(name)!]] as const),
      timestampMs: now(),
    });
    if (verdict.isAnomaly) {
      log.warn(`ML ANOMALY DETECTED for ${labels.device_name}: probability=${verdict.probability.toFixed(1)}%, score=${state.decision.toFixed(3)}`, {
        device_id: labels.device_id,
        user_label: labels.user_label,
        top_features: top.slice(0, 3).map(([n, c]) => `${n}:${c.toFixed(3)}`).join(";"),
        ...(verdict.rules.length ? { rules: verdict.rules.join(";") } : {}),
      });
    }
  }

  return {
    async observe(result: PollResult) {
      if (!result.ok) return;
      polls++;
      const seen = new Set<string>();
      for (const device of result.devices) {
        seen.add(device.id);
        await yieldToServer();
        let state = devices.get(device.id);
        const labels = { user_label: device.userLabel, device_id: device.id, device_name: device.name };
        if (!state) state = newState(device);
        state.labels = labels;
        const model = modelFor(device.userLabel);
        if (model !== state.model) rebuild(state, model);
        const row = newReadings(state, device);
        if (row) append(state, row.ts, row.values);
        if (state.broken && state.reported !== state.broken) {
          log.warn(`device ${device.name} cannot be scored by the leak model: ${state.broken}`);
          state.reported = state.broken;
        }
        if (polls % options.inferenceInterval === 0) publish(state);
      }
      for (const [id, state] of devices) {
        if (seen.has(id)) continue;
        metrics.removeDevice(state.labels);
        devices.delete(id);
      }
    },
    reload() {
      users.clear();
      log.info("leak models will be reloaded at the next poll");
    },
    warm(device, frame) {
      if (devices.has(device.id)) return;
      const state = newState(device);
      fillRing(state, frame);
      log.debug(`warmed the ML windows of device ${device.name} from its recent history`, { rows: frame.ts.length });
    },
    latest(deviceId) {
      const s = devices.get(deviceId);
      return s?.verdict ? { verdict: s.verdict, decision: s.decision, ts: s.latestTs } : undefined;
    },
  };
}
