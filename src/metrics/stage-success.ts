/**
 * `nightowl_stage_success{stage}`: whether a stage of the per-device pipeline (the analytics
 * families, live scoring) last ran without an error for every device, in the manner of
 * node_exporter's `node_scrape_collector_success`. A stage that throws for one device is
 * caught there: the other devices and the scrape go on, the gauge reads 0, and the error is
 * logged once per distinct message, so broken analytics is visible, not silently stale.
 */
import { Gauge, type Registry } from "./prom-client.ts";
import { describeError } from "../errors.ts";
import type { Logger } from "../log.ts";

const NAME = "nightowl_stage_success";

export type StageName = "analytics" | "ml";

export interface StageRun {
  /** Runs one device's share of the stage; a throw is recorded, logged once, and not rethrown. */
  device(deviceName: string, work: () => void | Promise<void>): Promise<void>;
  /** Sets the gauge for this run: 1 when no device's work threw. */
  end(): void;
}

export interface StageSuccess {
  begin(stage: StageName): StageRun;
}

/** The family on `registry` (registered once per registry, shared by the stages). */
export function stageSuccess(registry: Registry, log?: Logger): StageSuccess {
  const gauge = (registry.getSingleMetric(NAME) as Gauge | undefined) ?? new Gauge({ name: NAME, help: "1 if the pipeline stage last ran without an error for every device, else 0 (see the log).", labelNames: ["stage"], registers: [registry] });
  const logged = new Set<string>();
  return {
    begin(stage) {
      let failed = false;
      return {
        async device(deviceName, work) {
          try {
            await work();
          } catch (error) {
            failed = true;
            const line = `${stage} failed for device ${deviceName}: ${describeError(error)}`;
            if (!logged.has(line)) {
              // Bounded: a stage failing in new ways forever does not grow the set without limit.
              if (logged.size >= 1000) logged.clear();
              logged.add(line);
              log?.error(line);
            }
          }
        },
        end() {
          gauge.set({ stage }, failed ? 0 : 1);
        },
      };
    },
  };
}
