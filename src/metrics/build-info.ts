/** `nightowl_build_info`: which release and commit is running, node_exporter-style. */
import { Gauge, type Registry } from "./prom-client.ts";
import { COMMIT, VERSION } from "../version.ts";

/** Registers `nightowl_build_info{version,commit} 1` on `registry`. */
export function registerBuildInfo(registry: Registry): void {
  const info = new Gauge({
    name: "nightowl_build_info",
    help: "Always 1; the labels name the running release and the commit it was built from.",
    labelNames: ["version", "commit"],
    registers: [registry],
  });
  info.set({ version: VERSION, commit: COMMIT }, 1);
}
