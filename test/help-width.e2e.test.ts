/**
 * `nightowl help <command>` as a pager or a file gets it (stdout not a terminal): every line
 * within 80 columns, every option still there with all of its description.
 */
import { expect, test } from "bun:test";
import type { Command } from "commander";
import { buildProgram } from "../src/cli.ts";
import { runCli } from "./cli-process.ts";

/** Every command's path under the program, `[]` for the program itself: ["events", "add"]. */
function commandPaths(command: Command, path: string[] = []): { path: string[]; command: Command }[] {
  return [{ path, command }, ...command.commands.filter((c) => c.name() !== "help").flatMap((c) => commandPaths(c, [...path, c.name()]))];
}

const oneLine = (text: string) => text.replace(/\s+/g, " ");

test.each(commandPaths(buildProgram()).map(({ path, command }) => [path.join(" ") || "(nightowl)", path, command] as const))(
  "help %s, piped: no line over 80 columns, every option and its whole description",
  async (_name, path, command) => {
    const { code, stdout } = await runCli(["help", ...path]);
    expect(code).toBe(0);
    // run's help ran to 338 columns a line: commander stopped wrapping beside its longest flag.
    expect(stdout.split("\n").filter((line) => line.length > 80)).toEqual([]);
    const help = oneLine(stdout);
    for (const option of command.options) {
      expect(help).toContain(option.flags);
      expect(help).toContain(oneLine(option.description));
    }
  },
);
