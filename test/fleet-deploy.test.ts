/**
 * The sharded deployment's files: the StatefulSet overlay renders with as many shards as pods,
 * and the fleet's Prometheus configuration loads. Each check skips, saying why, without its tool.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");
const kubectl = Bun.which("kubectl");
const promtool = Bun.which("promtool");
if (!kubectl) console.warn("skip: kubectl not installed; the kustomize overlay of the fleet is not rendered");
if (!promtool) console.warn("skip: promtool not installed (Debian package prometheus); the fleet's scrape config is not checked");

test.skipIf(!kubectl)("the fleet overlay is a StatefulSet with NIGHTOWL_SHARD=auto/<replicas> behind a headless Service, and no Deployment", () => {
  const r = Bun.spawnSync([kubectl!, "kustomize", join(ROOT, "deploy/kubernetes/overlays/fleet")], { stdout: "pipe", stderr: "pipe" });
  expect(r.stderr.toString()).toBe("");
  const docs = r.stdout.toString().split(/^---$/m);
  const kinds = docs.map((d) => /^kind: (\S+)/m.exec(d)?.[1]).sort();
  expect(kinds).toEqual(["ConfigMap", "Service", "StatefulSet"]);
  const set = docs.find((d) => /^kind: StatefulSet/m.test(d))!;
  const replicas = Number(/^ {2}replicas: (\d+)/m.exec(set)?.[1]);
  expect(replicas).toBeGreaterThan(1);
  expect(set).toMatch(new RegExp(`- name: NIGHTOWL_SHARD\\n\\s+value: auto/${replicas}\\n`));
  expect(set).toContain("serviceName: nightowl-monitor-fleet");
  expect(docs.find((d) => /^kind: Service/m.test(d))).toContain("clusterIP: None");
});

test.skipIf(!promtool)("promtool check config accepts the fleet's scrape and remote_write configuration", () => {
  const r = Bun.spawnSync([promtool!, "check", "config", "scrape-config-fleet.yml"], { cwd: join(ROOT, "deploy/prometheus"), stdout: "pipe", stderr: "pipe" });
  expect({ code: r.exitCode, output: r.stdout.toString() + r.stderr.toString() }).toEqual({ code: 0, output: expect.not.stringContaining("FAILED") });
});
