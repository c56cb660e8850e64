/**
 * Live scoring in `run`: a consumer of each device's pipeline. Every buffer row it has not
 * scored yet goes through the device's model stage (the feature engine training uses, scaler,
 * forest, alarm persistence) with the rules the pipeline's rule stage fires at that moment —
 * the same steps `score` replays — and every `inferenceInterval` polls the verdict is exported
 * and an anomaly logged.
 *
 * A device whose sensors cannot feed the model's features is reported once and counted as
 * `status="error"`.
 */
import { Registry } from "./prom-client.ts";
import { applyEvent, type EventMark } from "../events/covering.ts";
import type { OwnerEvent } from "../events/events-file.ts";
import type { Logger } from "../log.ts";
import { topFeatures } from "../ml/score-frame.ts";
import { confidenceCode, type LeakModel } from "../ml/model-file.ts";
import type { Verdict } from "../ml/verdict.ts";
import { DevicePipelines, type DevicePipeline } from "../monitor/device-pipeline.ts";
import { ModelStage } from "../monitor/model-stage.ts";
import { UserModels } from "../monitor/user-models.ts";
import type { HistoryFrame } from "../nightowl/history-frame.ts";
import type { PollObserver, PollResult } from "../nightowl/poll-result.ts";
import type { DeviceSnapshot } from "../nightowl/snapshot.ts";
import { slicer } from "../yield-to-server.ts";
import { TOP_CONTRIBUTIONS, TOP_VALUES, type DeviceLabels, type InferenceRecord, type MlMetrics } from "./ml.ts";
import { boundGarbage } from "../bound-garbage.ts";
import { paceGarbage } from "../pace-garbage.ts";
import { stageSuccess } from "./stage-success.ts";

export interface LiveScorerOptions {
  metrics: MlMetrics;
  log: Logger;
  modelsDir: string;
  /** NIGHTOWL_ML_MODEL_PATH: one model for every user. */
  modelPath?: string;
  /** The last-resort model: the embedded global one (default), or null for none. */
  fallbackModel?: string | null;
  /** Export every N polls (NIGHTOWL_ML_INFERENCE_INTERVAL). */
  inferenceInterval: number;
  /** Epoch ms; injected by tests. */
  now?: () => number;
  /** The sites' IANA time zone (NIGHTOWL_TIMEZONE) for local-time features; default the model's. */
  timeZone?: string;
  /** The devices' pipelines, shared with the analytics in `run`; default its own. */
  pipelines?: DevicePipelines;
  /** Where `nightowl_stage_success{stage="ml"}` is registered (the ML families' registry). */
  registry?: Registry;
  /**
   * The owner's event covering a device at a reading time (the events file `run` watches):
   * applied to the verdict of the newest row exactly as `score --events` applies it to that row.
   */
  eventAt?: (deviceId: string, ts: number) => OwnerEvent | undefined;
}

/** A verdict as exported: the model's, with the owner's event applied (docs/events.md). */
export type LiveVerdict = Verdict & { silencedBy?: EventMark; sharpenedBy?: EventMark };

export interface LiveScorer extends PollObserver {
  /** Forgets loaded models; the next poll resolves and loads them again (SIGHUP). */
  reload(): void;
  /** The latest verdict of a device, if it has one. */
  latest(deviceId: string): { verdict: LiveVerdict; decision: number; ts: number } | undefined;
  /** Fills a new device's pipeline from recent history (the warm-up of `run`). */
  warm(device: DeviceSnapshot, frame: HistoryFrame): void;
}

interface DeviceState {
  labels: DeviceLabels;
  stage: ModelStage | null;
  /** Time of the newest buffer row scored. */
  scoredTs: number;
  /** The last `broken` reason logged, so each is logged once. */
  reported: string | null;
  /** The top features of the newest scored row (`features`, the stage's array for it). */
  explained?: { features: Float64Array; contributions: InferenceRecord["contributions"]; values: InferenceRecord["values"] };
}

/** Each model's feature names by position, made once per model: every explanation of every device looks its values up. */
const featureIndexes = new WeakMap<LeakModel, ReadonlyMap<string, number>>();

function featureIndex(model: LeakModel): ReadonlyMap<string, number> {
  let index = featureIndexes.get(model);
  if (!index) featureIndexes.set(model, (index = new Map(model.featureNames.map((n, i) => [n, i]))));
  return index;
}

export function createLiveScorer(options: LiveScorerOptions): LiveScorer {
  const { metrics, log } = options;
  const now = options.now ?? Date.now;
  const pipelines = options.pipelines ?? new DevicePipelines({ timeZone: options.timeZone });
  const models = new UserModels({ log, modelsDir: options.modelsDir, modelPath: options.modelPath, fallback: options.fallbackModel, timeZone: options.timeZone, onResolved: (user, model) => metrics.setModel(user, model) });
  const devices = new Map<string, DeviceState>();
  // Without a registry the gauge goes to one nobody scrapes; errors are still caught and logged.
  const stages = stageSuccess(options.registry ?? new Registry(), log);
  let polls = 0;

  /**
   * The newest row's verdict with the event covering it applied. The event is looked up at
   * each read, not stored in the stage, so an event added or removed between polls counts at
   * once and the stage's windows go on as the data says (as in `score`).
   */
  function verdictOf(deviceId: string, stage: ModelStage): LiveVerdict | null {
    if (!stage.verdict) return null;
    return applyEvent(stage.verdict, options.eventAt?.(deviceId, stage.latestTs));
  }

  /** Brings the device's model stage up to its pipeline's newest row. */
  function advance(state: DeviceState, pipeline: DevicePipeline, model: LeakModel | null, name: string): void {
    if (!model) {
      state.stage = null;
      return;
    }
    const keys = pipeline.buffer.keys();
    if (!state.stage || state.stage.model !== model || state.stage.needsRebuild(keys)) {
      state.stage = new ModelStage(model, options.timeZone, name);
      state.stage.rebuild(keys, pipeline.buffer, pipeline.rules.rules());
      state.scoredTs = pipeline.buffer.lastTs;
      // 26 h of rows per device at the first poll.
      paceGarbage();
      boundGarbage();
      return;
    }
    for (const row of pipeline.rowsAfter(state.scoredTs)) state.stage.push(row, pipeline.rules.rules());
    state.scoredTs = pipeline.buffer.lastTs;
  }

  function publish(state: DeviceState): void {
    const { labels, stage } = state;
    if (!stage) return metrics.count(labels, "no_model");
    if (stage.broken) return metrics.count(labels, "error");
    if (!stage.verdict || !stage.features) return metrics.count(labels, "insufficient_data");
    const model = stage.model;
    const features = stage.features;
    // The explanation changes only with a newly scored row: between them the same arrays are
    // exported again (and the metrics leave their feature series as they are).
    if (state.explained?.features !== features) {
      // Only as many as the metrics show: a fleet keeps every device's explanation between polls.
      const top = topFeatures(model, model.scaler.transformRow(features), Math.max(TOP_CONTRIBUTIONS, TOP_VALUES));
      const index = featureIndex(model);
      const values = top.slice(0, TOP_VALUES).map(([name]) => [name, features[index.get(name)!]!] as const);
      state.explained = { features, contributions: top.slice(0, TOP_CONTRIBUTIONS), values };
    }
    const { contributions, values } = state.explained;
    const verdict = verdictOf(labels.device_id, stage)!;
    metrics.record(labels, {
      probability: verdict.probability,
      decision: stage.decision,
      isAnomaly: verdict.isAnomaly,
      confidence: confidenceCode(model.training.confidence),
      contributions,
      values,
      timestampMs: now(),
    });
    if (verdict.isAnomaly) {
      log.warn(`ML ANOMALY DETECTED for ${labels.device_name}: probability=${verdict.probability.toFixed(1)}%, score=${stage.decision.toFixed(3)}`, {
        device_id: labels.device_id,
        user_label: labels.user_label,
        top_features: contributions.slice(0, 3).map(([n, c]) => `${n}:${c.toFixed(3)}`).join(";"),
        ...(verdict.rules.length ? { rules: verdict.rules.join(";") } : {}),
        ...(verdict.sharpenedBy ? { sharpened_by: `${verdict.sharpenedBy.id}:${verdict.sharpenedBy.kind}` } : {}),
      });
    } else if (verdict.silencedBy) {
      log.debug(`leak model alarm of ${labels.device_name} silenced by event ${verdict.silencedBy.id} (${verdict.silencedBy.kind})`, { device_id: labels.device_id, probability: stage.verdict!.probability.toFixed(1) });
    }
  }

  function observeDevice(device: DeviceSnapshot): void {
    const labels = { user_label: device.userLabel, device_id: device.id, device_name: device.name };
    let state = devices.get(device.id);
    if (!state) devices.set(device.id, (state = { labels, stage: null, scoredTs: -Infinity, reported: null }));
    state.labels = labels;
    const pipeline = pipelines.feed(device);
    advance(state, pipeline, models.modelFor(device.userLabel), device.name);
    const broken = state.stage?.broken ?? null;
    if (broken && state.reported !== broken) {
      log.warn(`device ${device.name} cannot be scored by the leak model: ${broken}`);
      state.reported = broken;
    }
    if (polls % options.inferenceInterval === 0) publish(state);
  }

  return {
    async observe(result: PollResult) {
      if (!result.ok) return;
      polls++;
      const seen = new Set<string>();
      const run = stages.begin("ml");
      const pause = slicer();
      for (const device of result.devices) {
        seen.add(device.id);
        await pause();
        await run.device(device.name, () => observeDevice(device));
      }
      run.end();
      for (const [id, state] of devices) {
        if (seen.has(id)) continue;
        metrics.removeDevice(state.labels);
        devices.delete(id);
      }
    },
    reload() {
      models.reload();
      log.info("leak models will be reloaded at the next poll");
    },
    warm(device, frame) {
      pipelines.warm(device, frame);
      log.debug(`warmed the pipeline of device ${device.name} from its recent history`, { rows: frame.ts.length });
    },
    latest(deviceId) {
      const s = devices.get(deviceId)?.stage;
      const verdict = s ? verdictOf(deviceId, s) : null;
      return s && verdict ? { verdict, decision: s.decision, ts: s.latestTs } : undefined;
    },
  };
}
