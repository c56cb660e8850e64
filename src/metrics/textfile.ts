/**
 * The exposition as a file for node_exporter's textfile collector: the way a cron job
 * (`nightowl poll-once --textfile …`) feeds Prometheus. The collector reads `*.prom` files
 * at every scrape, so the file is written beside its target under a name not ending in
 * `.prom` and renamed over it: a scrape sees the old file or the new one, never half of one.
 */
import type { Registry } from "prom-client";
import { writeFileAtomic } from "../atomic-write.ts";
import { NightowlError } from "../errors.ts";

/** Writes `registry`'s exposition to `path` atomically; throws `E_IO` naming the path. */
export async function writeTextfile(registry: Registry, path: string): Promise<void> {
  const text = await registry.metrics();
  try {
    writeFileAtomic(path, text);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new NightowlError("E_IO", `--textfile ${JSON.stringify(path)} cannot be written (${reason}): expected a writable file in an existing directory`, { cause: error });
  }
}
