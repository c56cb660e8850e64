/**
 * The README's configuration table is generated from SETTINGS; this test keeps it true.
 * On a mismatch, paste the printed table into the README's configuration section:
 *   PRINT_CONFIG_TABLE=1 node_modules/.bin/bun test/readme-configuration.test.ts
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SETTINGS } from "../src/config.ts";

/** The markdown table of every setting: variable, flag, default, meaning. */
export function configurationTable(): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  const rows = Object.values(SETTINGS).map((s) => {
    const dflt = !("default" in s) ? "—" : s.default.includes(",") ? "the original's list, below" : `\`${s.default}\``;
    const meaning = cell(s.help) + ("secret" in s ? " (secret: never logged)" : "");
    return `| \`${s.env}\` | \`${s.flag}\` | ${dflt} | ${meaning} |`;
  });
  return ["| Variable | Flag | Default | Meaning |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

function section(name: string): string {
  const readme = readFileSync(join(import.meta.dir, "..", "README.md"), "utf8");
  const start = readme.indexOf(`<!-- section:${name} -->`);
  const end = readme.indexOf(`<!-- /section:${name} -->`);
  expect(start).toBeGreaterThanOrEqual(0);
  return readme.slice(start, end);
}

if (process.env.PRINT_CONFIG_TABLE) {
  console.log(configurationTable());
} else {
  test("the README's configuration table lists every setting as SETTINGS defines it", () => {
    expect(section("configuration")).toContain(configurationTable());
  });

  test("the README's default key lists are the ones in the code", () => {
    const text = section("configuration");
    for (const name of ["timeseriesKeys", "attributeKeys", "summaryKeys"] as const) {
      expect(text).toContain(`\`${SETTINGS[name].env}\`:\n\n\`\`\`text\n${SETTINGS[name].default.split(",").join(", ")}\n\`\`\``);
    }
  });
}
