import { expect, test } from "bun:test";
import type { Command } from "commander";
import { buildProgram } from "./cli.ts";

function everyCommand(command: Command): Command[] {
  return [command, ...command.commands.flatMap(everyCommand)];
}

test("every command's help shows its defaults as typed, never JSON-quoted", () => {
  const commands = everyCommand(buildProgram());
  const helps = commands.map((c) => c.helpInformation());
  expect(helps.filter((h) => h.includes('(default: "')).map((h) => h.split("\n")[0])).toEqual([]);
  // The flags that had quoted defaults still show them.
  const train = commands.find((c) => c.name() === "train")!.helpInformation().replace(/\s+/g, " ");
  expect(train).toContain("(default: 30)");
  expect(train).toContain("(default: 0.05)");
});
