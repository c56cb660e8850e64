/**
 * Which model file scores a user's devices, in the original monitor's order: an explicit path
 * (NIGHTOWL_ML_MODEL_PATH / --model-path), else `{modelsDir}/users/{user_label}/leak_detector.json`,
 * else `{modelsDir}/global/leak_detector.json`, else the global model embedded in the program
 * (so a compiled binary run from any folder still scores); none only when that is turned off.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { EMBEDDED_MODEL_PATH } from "./embedded-model.ts";
import { isSafeSegment, safeSegment } from "../safe-path.ts";

export const MODEL_FILE_NAME = "leak_detector.json";

export type ModelSource = "explicit" | "user" | "global" | "embedded";

export interface ResolvedModelPath {
  path: string;
  source: ModelSource;
}

export interface ResolveOptions {
  /** An explicit model path; when set it is the answer even if the file is missing (loading then fails loudly). */
  modelPath?: string;
  /** Folder holding `users/` and `global/`, e.g. "models". */
  modelsDir: string;
  userLabel: string;
  /** The last resort: the embedded global model's path (the default), or null for none. */
  fallback?: string | null;
  /** Injected by tests. */
  exists?: (path: string) => boolean;
}

/**
 * The per-user model path for `userLabel` (where `train` writes by default).
 * @throws NightowlError E_DATA when the label is not one safe path segment (it comes from the portal or a CSV)
 */
export function userModelPath(modelsDir: string, userLabel: string): string {
  return join(modelsDir, "users", safeSegment(userLabel, "user label", "give --model-path, or --user-label with a plain name"), MODEL_FILE_NAME);
}

/** The global fallback model path. */
export function globalModelPath(modelsDir: string): string {
  return join(modelsDir, "global", MODEL_FILE_NAME);
}

/** The model to use for `userLabel`, or null when there is none. */
export function resolveModelPath(options: ResolveOptions): ResolvedModelPath | null {
  const exists = options.exists ?? existsSync;
  if (options.modelPath) return { path: options.modelPath, source: "explicit" };
  // A label is a path segment here; one with a separator or ".." could point anywhere.
  if (isSafeSegment(options.userLabel)) {
    const user = userModelPath(options.modelsDir, options.userLabel);
    if (exists(user)) return { path: user, source: "user" };
  }
  const global = globalModelPath(options.modelsDir);
  if (exists(global)) return { path: global, source: "global" };
  const fallback = options.fallback === undefined ? EMBEDDED_MODEL_PATH : options.fallback;
  return fallback === null ? null : { path: fallback, source: "embedded" };
}
