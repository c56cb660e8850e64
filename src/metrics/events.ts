/** The owner's events file as `run` reads it: valid or refused, and how many events are in force. */
import { Gauge, type Registry } from "./prom-client.ts";
import type { EventsWatchMetrics } from "../events/events-watch.ts";

export function registerEventsMetrics(registry: Registry): EventsWatchMetrics {
  const valid = new Gauge({
    name: "nightowl_events_file_valid",
    help: "1 if the events file (NIGHTOWL_STATE_DIR/events.json) last read was valid or absent; 0 if it was refused and the last good events stay in force.",
    registers: [registry],
  });
  const loaded = new Gauge({ name: "nightowl_events_loaded", help: "Owner's events in force (from the last good events file), past and future.", registers: [registry] });
  return {
    fileValid: (ok) => valid.set(ok ? 1 : 0),
    eventsInForce: (count) => loaded.set(count),
  };
}
