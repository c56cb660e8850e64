/**
 * The shipped Prometheus rule files: promtool accepts each one, runs its unit tests, and every
 * recording rule has at least one unit test of its own output (an unchecked rule could record
 * anything and only a dashboard would notice).
 */
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RULE_NAMES } from "../src/analytics/trigger.ts";
import { judge } from "../src/status/verdict.ts";

const DIR = join(import.meta.dir, "..", "deploy", "prometheus");
const RULE_FILES = readdirSync(DIR).filter((f) => f.endsWith("rules.yml"));
const TEST_FILES = readdirSync(DIR).filter((f) => f.endsWith("rules.test.yml"));

const promtool = Bun.which("promtool");
if (!promtool) console.warn("skip: promtool not installed (Debian package prometheus); the rule files are not checked");

/** The names a rule file records (`- record: name`). */
function recordedNames(yaml: string): string[] {
  return [...yaml.matchAll(/^\s*-\s*record:\s*(\S+)\s*$/gm)].map((m) => m[1]!);
}

/** The expressions a unit-test file evaluates (`- expr: ...` under promql_expr_test). */
function testedExprs(yaml: string): string[] {
  return [...yaml.matchAll(/^\s*-\s*expr:\s*(.+?)\s*$/gm)].map((m) => m[1]!);
}

test("the recording rules file records the eleven series the original's dashboards read", () => {
  const names = recordedNames(readFileSync(join(DIR, "nightowl-recording-rules.yml"), "utf8"));
  for (const n of [
    "nightowl:leak_probability_score", "nightowl:leak_detected",
    "nightowl:daily_usage_gallons:24h", "nightowl:daily_usage_gallons:14d_avg",
    "nightowl:pump_duty_cycle:1h", "nightowl:pump_duty_cycle:14d_avg",
    "nightowl:daily_usage_zscore", "nightowl:pump_duty_cycle_zscore", "nightowl:night_usage_zscore",
    "nightowl:level_drop_zscore", "nightowl:pressure_drop_zscore",
  ]) expect(names).toContain(n);
});

test("every recording rule is the subject of a unit test", () => {
  const recorded = RULE_FILES.flatMap((f) => recordedNames(readFileSync(join(DIR, f), "utf8")));
  const tested = new Set(TEST_FILES.flatMap((f) => testedExprs(readFileSync(join(DIR, f), "utf8"))));
  expect(recorded.length).toBeGreaterThan(0);
  expect(recorded.filter((name) => !tested.has(name))).toEqual([]);
});

/** The `rule` matcher (`=~` or `!~`) of an alert's expression, as an anchored RegExp, as PromQL anchors it. */
function ruleMatcher(yaml: string, alert: string): { negated: boolean; re: RegExp } {
  const block = yaml.split(/^\s*-\s*alert:\s*/m).find((b) => b.startsWith(`${alert}\n`));
  const m = block && /^\s*expr:.*\brule\s*(=~|!~)\s*"([^"]+)"/m.exec(block);
  if (!m) throw new Error(`no rule matcher in the expression of ${alert}`);
  return { negated: m[1] === "!~", re: new RegExp(`^(?:${m[2]})$`) };
}

test("the leak and pump alerts take each rule as the status page's verdict does", () => {
  // The page says "possible leak" or "pump fault" from these rules with the leak model off;
  // the alerts must say the same, or a rule added to one side only goes unalerted.
  const yaml = readFileSync(join(DIR, "nightowl-rules.yml"), "utf8");
  const selects = (alert: string, rule: string) => {
    const { negated, re } = ruleMatcher(yaml, alert);
    return re.test(rule) !== negated;
  };
  const byAlerts = RULE_NAMES.map((rule) => ({ rule, leak: selects("NightowlLeakRuleFired", rule), pump: selects("NightowlPumpFault", rule) }));
  const byPage = RULE_NAMES.map((rule) => {
    const { alarms } = judge([rule]);
    return { rule, leak: alarms.has("leak"), pump: alarms.has("pump") };
  });
  expect(byAlerts).toEqual(byPage);
  expect(byPage.some((r) => r.leak) && byPage.some((r) => r.pump) && byPage.some((r) => !r.leak && !r.pump)).toBe(true);
});

test("the scrape configuration loads every rule file", () => {
  const config = readFileSync(join(DIR, "scrape-config.yml"), "utf8");
  for (const f of RULE_FILES) expect(config).toContain(`- ${f}`);
});

test.skipIf(!promtool).each(RULE_FILES)("promtool check rules accepts %s", (file) => {
  const r = Bun.spawnSync([promtool!, "check", "rules", join(DIR, file)], { stdout: "pipe", stderr: "pipe" });
  expect({ code: r.exitCode, output: r.stdout.toString() + r.stderr.toString() }).toEqual({ code: 0, output: expect.stringContaining("SUCCESS") });
});

test.skipIf(!promtool).each(TEST_FILES)("promtool test rules passes %s", (file) => {
  // Rule files named in a unit-test file are relative to it.
  const r = Bun.spawnSync([promtool!, "test", "rules", file], { cwd: DIR, stdout: "pipe", stderr: "pipe" });
  const output = r.stdout.toString() + r.stderr.toString();
  expect(output).toContain("SUCCESS");
  expect(output).not.toContain("FAILED");
  expect(r.exitCode).toBe(0);
});
