/**
 * Leak-model files: one JSON document holding everything scoring needs — feature names and
 * options, the scaler, the forest, the probability calibration, the alarm rule — and the facts
 * of its training. JSON, never pickles: loading a model must not run code. Every file is
 * checked through a valibot schema and the forest's structural checks, so a corrupt, foreign,
 * truncated or hostile file is an `E_MODEL` error naming the file and the problem.
 */
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import * as v from "valibot";
import { NightowlError } from "../errors.ts";
import { IsolationForest } from "./iforest.ts";
import { ScalerJsonSchema, StandardScaler } from "./scaler.ts";
import { AlarmParamsSchema, type AlarmParams } from "./verdict.ts";
import { isTimeZone } from "../physics/zone-offsets.ts";
import { WATCHABLE_PUMPS } from "./feature-catalog.ts";

export const MODEL_FORMAT = "nightowl-leak-model";
export const MODEL_VERSION = 1;

/** Training-set size bounds of the original monitor's confidence levels (samples). */
export const CONFIDENCE_LEVELS = ["low", "medium", "high"] as const;
export type Confidence = (typeof CONFIDENCE_LEVELS)[number];

/** low < 5,000 samples ≤ medium < 20,000 ≤ high. */
export function confidenceFor(samples: number): Confidence {
  return samples < 5_000 ? "low" : samples < 20_000 ? "medium" : "high";
}

/** The number exported as `nightowl_ml_model_confidence`: 0 low, 1 medium, 2 high. */
export function confidenceCode(confidence: Confidence): number {
  return CONFIDENCE_LEVELS.indexOf(confidence);
}

const finite = () => v.pipe(v.number(), v.finite());
/** Decision scores and the forest's offset lie in [−1, 1]. */
const unitScore = () => v.pipe(v.number(), v.minValue(-1), v.maxValue(1));

export const TrainingInfoSchema = v.object({
  /** ISO 8601 time the model was written. */
  trained_at: v.pipe(v.string(), v.isoTimestamp()),
  /** Feature rows the forest was trained on. */
  samples: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
  /** Time range of the training rows, epoch ms. */
  start_ms: finite(),
  end_ms: finite(),
  /** The user the model belongs to, or "global". */
  user_label: v.string(),
  device_ids: v.array(v.string()),
  contamination: v.pipe(v.number(), v.gtValue(0), v.maxValue(0.5)),
  n_estimators: v.pipe(v.number(), v.integer(), v.minValue(1)),
  seed: v.pipe(v.number(), v.safeInteger()),
  confidence: v.picklist(CONFIDENCE_LEVELS),
  /** Where the history came from: "file", "prometheus", "nightowl" or "simulated". */
  source: v.string(),
  note: v.optional(v.string()),
  /** Set when the forest grew from a uniform sample of this many of the rows (row-pool.ts); absent when it saw every row. */
  forest_pool_rows: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1))),
});

export const CalibrationSchema = v.object({
  /** The forest's offset on scoreSamples (contamination percentile of the training rows). */
  offset: unitScore(),
  /** Decision scores of the training rows at percentiles 0, 1, …, 100. */
  decision_quantiles: v.pipe(v.array(unitScore()), v.length(101)),
  /** Share of training rows with a negative decision score (≈ contamination). */
  training_anomaly_rate: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
});

const ModelHeadSchema = v.object({
  format: v.literal(MODEL_FORMAT),
  version: v.number(),
});

export const ModelFileSchema = v.object({
  format: v.literal(MODEL_FORMAT),
  version: v.literal(MODEL_VERSION),
  feature_names: v.pipe(v.array(v.pipe(v.string(), v.nonEmpty())), v.minLength(1)),
  /** Options the features were computed with (time zone, thresholds); scoring reuses them. */
  // A strict shape: the options are spread into the feature computation, so a key the file
  // adds must not reach it; the time zone must be one Intl knows, or scoring throws later.
  // `pump`: the pump the pump features describe, the one answering house pressure (absent: P1).
  feature_options: v.object({
    timeZone: v.pipe(v.string(), v.check(isTimeZone, "an IANA time zone such as UTC")),
    pump: v.optional(v.picklist(WATCHABLE_PUMPS)),
  }),
  scaler: ScalerJsonSchema,
  /** The forest, checked by `IsolationForest.fromJSON`. */
  forest: v.unknown(),
  calibration: CalibrationSchema,
  alarm: AlarmParamsSchema,
  training: TrainingInfoSchema,
});

export type ModelFileJson = v.InferOutput<typeof ModelFileSchema>;
export type TrainingInfo = v.InferOutput<typeof TrainingInfoSchema>;
export type Calibration = v.InferOutput<typeof CalibrationSchema>;
export type FeatureOptionsJson = ModelFileJson["feature_options"];

/** A loaded, checked model. */
export interface LeakModel {
  featureNames: string[];
  featureOptions: FeatureOptionsJson;
  scaler: StandardScaler;
  forest: IsolationForest;
  calibration: Calibration;
  alarm: AlarmParams;
  training: TrainingInfo;
  /** The file it was loaded from, if any. */
  path?: string;
}

const PICKLE_EXTENSIONS = /\.(joblib|pkl|pickle)$/i;

function pickleError(path: string): NightowlError {
  return new NightowlError(
    "E_MODEL",
    `model file ${path}: pickle models are not supported (loading one would run arbitrary code); retrain with nightowl train, which writes a JSON model such as leak_detector.json`,
  );
}

/** Reads and checks a model file. Throws `E_MODEL` naming the file and what is wrong. */
export function loadModelFile(path: string): LeakModel {
  if (PICKLE_EXTENSIONS.test(path)) throw pickleError(path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "does not exist" : code === "EISDIR" ? "is a directory" : `cannot be read (${code ?? (error as Error).message})`;
    throw new NightowlError("E_MODEL", `model file ${path} ${why}`, { cause: error });
  }
  // Pickle protocol 2+ starts with 0x80; joblib files are zlib/pickle streams.
  if (bytes.length > 0 && (bytes[0] === 0x80 || bytes[0] === 0x78)) throw pickleError(path);
  const model = parseModelText(bytes.toString("utf8"), path);
  model.path = path;
  return model;
}

/** Parses a model document; `path` only names it in messages. */
export function parseModelText(text: string, path: string): LeakModel {
  if (text.trim() === "") throw new NightowlError("E_MODEL", `model file ${path} is empty; expected a JSON model written by nightowl train`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new NightowlError("E_MODEL", `model file ${path} is not valid JSON (${(error as Error).message}); it may be truncated or corrupt — retrain with nightowl train`, { cause: error });
  }
  return modelFromJson(json, path);
}

/** Builds a model from parsed JSON; `path` only names it in messages. */
export function modelFromJson(json: unknown, path: string): LeakModel {
  const head = v.safeParse(ModelHeadSchema, json);
  if (!head.success) {
    const format = typeof json === "object" && json !== null && "format" in json ? JSON.stringify((json as { format: unknown }).format) : "missing";
    throw new NightowlError("E_MODEL", `model file ${path} is not a nightowl leak model (format ${format}, expected "${MODEL_FORMAT}")`);
  }
  if (head.output.version !== MODEL_VERSION) {
    throw new NightowlError("E_MODEL", `model file ${path} has version ${head.output.version}; this nightowl reads version ${MODEL_VERSION} — retrain with nightowl train`);
  }
  const parsed = v.safeParse(ModelFileSchema, json);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    throw new NightowlError("E_MODEL", `model file ${path}: ${v.getDotPath(issue) ?? "(root)"}: ${issue.message}`);
  }
  const m = parsed.output;
  const fail = (what: string): never => {
    throw new NightowlError("E_MODEL", `model file ${path}: ${what}`);
  };
  let forest: IsolationForest;
  try {
    forest = IsolationForest.fromJSON(m.forest);
  } catch (error) {
    throw new NightowlError("E_MODEL", `model file ${path}: forest: ${(error as Error).message.replace(/^isolation forest JSON: /, "")}`, { cause: error });
  }
  const scaler = StandardScaler.fromJSON(m.scaler);
  const n = m.feature_names.length;
  if (new Set(m.feature_names).size !== n) fail("feature_names has duplicates");
  if (scaler.cols !== n) fail(`scaler has ${scaler.cols} columns but feature_names has ${n}`);
  if (forest.nFeatures !== n) fail(`forest was trained on ${forest.nFeatures} features but feature_names has ${n}`);
  const guard = m.alarm.range_guard;
  const unknown = guard?.features.find((f) => !m.feature_names.includes(f));
  if (unknown !== undefined) fail(`alarm.range_guard: feature ${JSON.stringify(unknown)} is not in feature_names`);
  const gate = m.alarm.activity_gate;
  const ungated = gate?.features.find((f) => !m.feature_names.includes(f));
  if (ungated !== undefined) fail(`alarm.activity_gate: feature ${JSON.stringify(ungated)} is not in feature_names`);
  if (gate?.draw && !m.feature_names.includes(gate.draw.feature)) fail(`alarm.activity_gate.draw: feature ${JSON.stringify(gate.draw.feature)} is not in feature_names`);
  if (gate?.day && !m.feature_names.includes(gate.day.feature)) fail(`alarm.activity_gate.day: feature ${JSON.stringify(gate.day.feature)} is not in feature_names`);
  const restless = m.alarm.rest_guard?.features.find((f) => !m.feature_names.includes(f));
  if (restless !== undefined) fail(`alarm.rest_guard: feature ${JSON.stringify(restless)} is not in feature_names`);
  if (m.training.n_estimators !== forest.nEstimators) fail(`training.n_estimators is ${m.training.n_estimators} but the forest has ${forest.nEstimators} trees`);
  return {
    featureNames: m.feature_names,
    featureOptions: m.feature_options,
    scaler,
    forest,
    calibration: m.calibration,
    alarm: m.alarm,
    training: m.training,
  };
}

/** The document {@link saveModelFile} writes. */
export function modelToJson(model: LeakModel): ModelFileJson {
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    feature_names: model.featureNames,
    feature_options: model.featureOptions,
    scaler: model.scaler.toJSON(),
    forest: model.forest.toJSON(),
    calibration: model.calibration,
    alarm: model.alarm,
    training: model.training,
  };
}

/**
 * The model as compact JSON text: fractional numbers rounded to `digits` significant digits
 * (7 keeps every threshold well inside the float32 precision the features carry, and keeps a
 * 100-tree file near 1 MB). Callers that need the saved model to score exactly as the one in
 * memory re-read this text (`parseModelText`) before calibrating, as `train` does.
 */
export function modelToText(model: LeakModel, digits = 7): string {
  return JSON.stringify(modelToJson(model), (_key, value) =>
    typeof value === "number" && !Number.isInteger(value) && Number.isFinite(value) ? Number(value.toPrecision(digits)) : value,
  ) + "\n";
}

/** Writes the model atomically: a temporary file beside it, then a rename. Creates the folder. */
export function saveModelFile(path: string, model: LeakModel | string): void {
  if (PICKLE_EXTENSIONS.test(path)) {
    throw new NightowlError("E_USAGE", `--model-path ${path}: models are JSON files; use a name ending in .json such as leak_detector.json`);
  }
  const text = typeof model === "string" ? model : modelToText(model);
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // the temporary file was never created
    }
    throw new NightowlError("E_IO", `cannot write model file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
}
