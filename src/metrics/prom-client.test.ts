import { expect, test } from "bun:test";
import { join } from "node:path";

test("run's modules load prom-client's metric classes without its index (push gateway, cluster, default metrics)", () => {
  const root = join(import.meta.dir, "..", "..");
  const probe = `await import("./src/commands/run.ts"); console.log(JSON.stringify(Object.keys(require.cache)));`;
  const r = Bun.spawnSync([process.execPath, "-e", probe], { cwd: root, stderr: "pipe" });
  expect(r.exitCode).toBe(0);
  const loaded: string[] = JSON.parse(r.stdout.toString());
  expect(loaded.some((p) => p.endsWith(join("prom-client", "lib", "registry.js")))).toBe(true);
  expect(loaded.filter((p) => /prom-client[\\/](index\.js|lib[\\/](pushgateway|cluster|defaultMetrics)\.js)$/.test(p))).toEqual([]);
});
