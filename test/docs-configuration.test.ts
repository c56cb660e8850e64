/**
 * The settings table of docs/configuration.md is generated from SETTINGS; this test keeps it true.
 * On a mismatch, paste the printed table into docs/configuration.md:
 *   PRINT_CONFIG_TABLE=1 node_modules/.bin/bun test/docs-configuration.test.ts
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

function configurationDoc(): string {
  return readFileSync(join(import.meta.dir, "..", "docs", "configuration.md"), "utf8");
}

if (process.env.PRINT_CONFIG_TABLE) {
  console.log(configurationTable());
} else {
  test("docs/configuration.md lists every setting as SETTINGS defines it", () => {
    expect(configurationDoc()).toContain(configurationTable());
  });

  test("docs/configuration.md's default key lists are the ones in the code", () => {
    const text = configurationDoc();
    for (const name of ["timeseriesKeys", "attributeKeys", "summaryKeys"] as const) {
      expect(text).toContain(`\`${SETTINGS[name].env}\`:\n\n\`\`\`text\n${SETTINGS[name].default.split(",").join(", ")}\n\`\`\``);
    }
  });
}
