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

test("on a terminal the help takes its width: a flag too wide for the column gets a line of its own", () => {
  const run = buildProgram().commands.find((c) => c.name() === "run")!;
  run.configureOutput({ getOutHelpWidth: () => 132 });
  const lines = run.helpInformation().split("\n");
  expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(132);
  expect(lines.filter((l) => l.length > 100).length).toBeGreaterThan(0);
  run.configureOutput({ getOutHelpWidth: () => 80 });
  const narrow = run.helpInformation().split("\n");
  const flag = narrow.findIndex((l) => l.trim() === "--metrics-auth-bearer-token-file <path>");
  expect(narrow[flag + 1]).toMatch(/^ {20,}read the \/metrics bearer token from a file/);
});
