/**
 * Which leak model scores a user's devices in `run`: resolved per user label (explicit path,
 * then users/{label}, then global) on first sight and again after `reload()` (SIGHUP). A
 * missing or broken model is logged once per resolution and remembered as none.
 */
import { describeError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { loadModelFile, type LeakModel } from "../ml/model-file.ts";
import { resolveModelPath } from "../ml/model-resolver.ts";
import { modelZoneWarning } from "../ml/model-zone.ts";
import { shownModelPath } from "../ml/embedded-model.ts";

export interface UserModelsOptions {
  log: Logger;
  modelsDir: string;
  /** NIGHTOWL_ML_MODEL_PATH: one model for every user. */
  modelPath?: string;
  /** The last-resort model: the embedded global one (default), or null for none. */
  fallback?: string | null;
  /** The sites' zone scoring uses: a model trained in another is warned of once per load. */
  timeZone?: string;
  /** Told of every resolution (null: none), for the model families. */
  onResolved?: (userLabel: string, model: LeakModel | null) => void;
}

export class UserModels {
  private readonly models = new Map<string, LeakModel | null>();

  constructor(private readonly options: UserModelsOptions) {}

  /** The user's model, resolving and loading it the first time. */
  modelFor(userLabel: string): LeakModel | null {
    const known = this.models.get(userLabel);
    if (known !== undefined) return known;
    const model = this.load(userLabel);
    this.models.set(userLabel, model);
    this.options.onResolved?.(userLabel, model);
    return model;
  }

  /** Forgets every model; the next `modelFor` resolves and loads again. */
  reload(): void {
    this.models.clear();
  }

  private load(userLabel: string): LeakModel | null {
    const { log, modelsDir, modelPath, fallback } = this.options;
    const resolved = resolveModelPath({ modelPath, modelsDir, userLabel, fallback });
    if (!resolved) {
      log.warn(`no leak model for user ${userLabel}: looked for ${modelsDir}/users/${userLabel}/leak_detector.json and ${modelsDir}/global/leak_detector.json; ML scoring is off for this user (train one with nightowl train)`);
      return null;
    }
    try {
      const model = loadModelFile(resolved.path);
      log.info(`leak model loaded for user ${userLabel}`, { path: shownModelPath(resolved.path), source: resolved.source, trained_at: model.training.trained_at, samples: model.training.samples, confidence: model.training.confidence, history: model.training.source });
      const zoneWarning = this.options.timeZone ? modelZoneWarning({ ...model, path: resolved.path }, this.options.timeZone) : undefined;
      if (zoneWarning) log.warn(zoneWarning);
      return model;
    } catch (error) {
      log.error(`leak model for user ${userLabel} not loaded: ${describeError(error)}`);
      return null;
    }
  }
}
