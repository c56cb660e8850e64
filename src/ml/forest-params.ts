/**
 * The isolation forest's parameters, checked up front against one constraint table (the way
 * scikit-learn's `_parameter_constraints` does), so a bad value fails before any work with a
 * message naming the parameter, the value and what is allowed.
 */
import { NightowlError } from "../errors.ts";

/** What a caller may set; every field is optional and defaults as scikit-learn's IsolationForest. */
export interface IsolationForestOptions {
  /** Number of trees; default 100. */
  nEstimators?: number;
  /** Samples drawn (without replacement) per tree: "auto" = min(256, rows), or a count ≥ 1, clipped to the rows. */
  maxSamples?: "auto" | number;
  /** Expected share of anomalies in the training data, in (0, 0.5]; "auto" (default) fixes the offset at −0.5. */
  contamination?: "auto" | number;
  /** Seed of the random generator; the same seed and data give the same model. Default 0. */
  seed?: number;
}

/** The options with every default filled in. */
export type ForestParams = Required<IsolationForestOptions>;

interface Constraint<K extends keyof ForestParams> {
  name: K;
  fallback: ForestParams[K];
  allowed: string;
  accepts(value: unknown): value is ForestParams[K];
}

function constraint<K extends keyof ForestParams>(c: Constraint<K>): Constraint<K> {
  return c;
}

const isCount = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value) && value >= 1;

/** scikit-learn 1.2 `IsolationForest._parameter_constraints`, narrowed to what we implement. */
const CONSTRAINTS = [
  constraint({ name: "nEstimators", fallback: 100, allowed: "an integer ≥ 1", accepts: isCount }),
  constraint({
    name: "maxSamples",
    fallback: "auto",
    allowed: '"auto" or an integer ≥ 1',
    accepts: (value): value is "auto" | number => value === "auto" || isCount(value),
  }),
  constraint({
    name: "contamination",
    fallback: "auto",
    allowed: '"auto" or a number in (0, 0.5]',
    accepts: (value): value is "auto" | number => value === "auto" || (typeof value === "number" && value > 0 && value <= 0.5),
  }),
  constraint({
    name: "seed",
    fallback: 0,
    allowed: "a safe integer",
    accepts: (value): value is number => typeof value === "number" && Number.isSafeInteger(value),
  }),
] as const;

/** Fill defaults and reject any unknown or out-of-range option with an `E_CONFIG` error. */
export function resolveForestParams(options: IsolationForestOptions = {}): ForestParams {
  const known = new Set<string>(CONSTRAINTS.map((c) => c.name));
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      throw new NightowlError("E_CONFIG", `isolation forest: unknown option "${key}"; allowed: ${[...known].join(", ")}`);
    }
  }
  const params: Record<string, unknown> = {};
  for (const c of CONSTRAINTS) {
    const value = (options as Record<string, unknown>)[c.name];
    if (value === undefined) {
      params[c.name] = c.fallback;
    } else if (c.accepts(value)) {
      params[c.name] = value;
    } else {
      throw new NightowlError("E_CONFIG", `isolation forest: ${c.name} = ${show(value)} is not allowed; expected ${c.allowed}`);
    }
  }
  return params as ForestParams;
}

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

/**
 * ψ for `rows` training rows: min(256, rows) for "auto"; a larger explicit count is clipped to
 * `rows` with a warning, as scikit-learn does.
 */
export function resolveMaxSamples(maxSamples: "auto" | number, rows: number): { maxSamples: number; warning?: string } {
  if (maxSamples === "auto") return { maxSamples: Math.min(256, rows) };
  if (maxSamples > rows) {
    return {
      maxSamples: rows,
      warning: `isolation forest: maxSamples (${maxSamples}) is greater than the number of training rows (${rows}); using ${rows}`,
    };
  }
  return { maxSamples };
}

/** Depth limit ceil(log2(ψ)) of every tree (Liu et al. 2008, §4; scikit-learn uses max(ψ, 2)). */
export function depthLimit(maxSamples: number): number {
  return Math.ceil(Math.log2(Math.max(maxSamples, 2)));
}
