import { expect, test } from "bun:test";
import { Command } from "commander";
import { SETTINGS } from "./config.ts";
import { addSettingOptions, settingFlags } from "./setting-flags.ts";

test("every setting has a flag that maps back to it", () => {
  const command = addSettingOptions(new Command("x"), Object.keys(SETTINGS) as (keyof typeof SETTINGS)[]);
  const argv = ["node", "x"];
  for (const s of Object.values(SETTINGS)) argv.push(s.flag.split(" ")[0]!, "v");
  command.parse(argv);
  expect(Object.keys(settingFlags(command.opts())).sort()).toEqual(Object.keys(SETTINGS).sort());
});
