/**
 * The exporter's registry. Each family group registers itself on it at start-up
 * (`registerTelemetryMetrics`, `registerPollMetrics`, the ML families), so a duplicate or
 * malformed name fails when the program starts, not at the first scrape.
 */
import { Registry } from "./prom-client.ts";

/** A fresh registry in the Prometheus text format 0.0.4; never prom-client's global one. */
export function createRegistry(): Registry {
  return new Registry();
}

/** The registry's exposition in the text format, ending with a newline. */
export async function exposition(registry: Registry): Promise<string> {
  return registry.metrics();
}
