/**
 * `NIGHTOWL_METRICS_EXCLUDE`: per-device family groups left out of the exposition, for fleets
 * where every series counts (a 10,000-device page is over a million series with everything on).
 * Only families with a `device_id` label are ever left out: poll health, build and model
 * families stay, so alerts on polling keep working whatever is excluded. The values are still
 * computed (the status page and the verdicts read them); only the page and the scrape shrink.
 */
import type { Registry } from "prom-client";
import type { MetricGroup } from "../config.ts";

/** The groups one may exclude, as the setting names them. */
export { METRIC_GROUPS, type MetricGroup } from "../config.ts";

/**
 * A predicate over family names for the exposition's `exclude`. `analyticsFamilies` are the
 * names the analytics stage registered (run.ts takes them from the registry around its
 * registration, so a new analytics family is covered without a list to keep up).
 */
export function familyExcluder(registry: Registry, groups: readonly MetricGroup[], analyticsFamilies: ReadonlySet<string>): ((name: string) => boolean) | undefined {
  if (groups.length === 0) return undefined;
  const chosen = new Set(groups);
  const memo = new Map<string, boolean>();
  const perDevice = (name: string) => ((registry.getSingleMetric(name) as unknown as { labelNames?: string[] } | undefined)?.labelNames ?? []).includes("device_id");
  const decide = (name: string): boolean => {
    if (!perDevice(name)) return false;
    if (chosen.has("telemetry") && name === "nightowl_telemetry_value") return true;
    if (chosen.has("attributes") && name === "nightowl_attribute_value") return true;
    if (chosen.has("analytics") && analyticsFamilies.has(name)) return true;
    if (chosen.has("ml_features") && /^nightowl_ml_feature_/.test(name)) return true;
    return chosen.has("ml") && /^nightowl_ml_/.test(name);
  };
  return (name) => {
    let out = memo.get(name);
    if (out === undefined) memo.set(name, (out = decide(name)));
    return out;
  };
}

/** Runs `register` and returns the names of the families it added to `registry`. */
export function familiesRegisteredBy<T>(registry: Registry, register: () => T): { value: T; names: Set<string> } {
  const before = new Set(registry.getMetricsAsArray().map((m) => m.name));
  const value = register();
  return { value, names: new Set(registry.getMetricsAsArray().map((m) => m.name).filter((n) => !before.has(n))) };
}
