#!/usr/bin/env -S bun --no-env-file
/**
 * The nightowl program: one subcommand per file in src/commands/. This is the only place
 * that exits the process; known errors print one line, anything else its stack.
 */
import { Command, CommanderError } from "commander";
import { exitCodeFor, NightowlError } from "./errors.ts";
import { expectLogFormat, fatalLine } from "./log.ts";
import { COMMIT, VERSION } from "./version.ts";
import { eventsCommand } from "./commands/events.ts";
import { HELP_LAYOUT, helpNotes, helpWidthOf } from "./commands/help-text.ts";
import { fetchHistoryCommand } from "./commands/fetch-history.ts";
import { pollOnceCommand } from "./commands/poll-once.ts";
import { reportCommand } from "./commands/report.ts";
import { runCommand } from "./commands/run.ts";
import { scoreCommand } from "./commands/score.ts";
import { simulateCommand } from "./commands/simulate.ts";
import { trainCommand } from "./commands/train.ts";

export function buildProgram(): Command {
  const program = new Command("nightowl")
    .description("Watch private well-water systems on the NightOwl portal: a Prometheus exporter with leak and pump-fault detection.")
    .version(`nightowl ${VERSION} (commit ${COMMIT})`, "-V, --version", "print version and commit")
    .helpCommand(false)
    .addHelpText(
      "after",
      helpNotes(`
Examples:
  $ nightowl run --demo                         monitor the embedded simulator
  $ nightowl poll-once --json                   one poll, as JSON
  $ nightowl poll-once \\
      --textfile /var/lib/node_exporter/textfile/nightowl.prom > /dev/null
  $ nightowl fetch-history --days 90 --output data/
  $ nightowl train --from-file data/*.csv \\
      --model-path models/users/dgorman/leak_detector.json
  $ nightowl score --from-file data/week.csv --format csv
  $ nightowl simulate --port 8080 --devices 3
  $ nightowl report --from-file data/week.csv --output report.html

Configuration comes from flags, then NIGHTOWL_* variables, then a .env file.`),
    );
  for (const command of [
    runCommand(),
    pollOnceCommand(),
    fetchHistoryCommand(),
    trainCommand(),
    scoreCommand(),
    simulateCommand(),
    reportCommand(),
    eventsCommand(),
  ]) {
    program.addCommand(command);
  }
  program.addCommand(helpCommand(program));
  // One error format for every bad flag or argument: commander's own ("error: unknown option
  // '--x'") becomes "nightowl: unknown option '--x' (nightowl help run lists the flags)", the
  // shape of the program's other one-line errors.
  // Nested commands (`events add`) too: theirs named as `nightowl events add --help`.
  for (const command of [program, ...program.commands]) {
    for (const c of [command, ...(command === program ? [] : command.commands)]) {
      c.exitOverride();
      c.configureHelp(HELP_LAYOUT);
      plainDefaults(c);
      const where = c === program ? "nightowl --help" : c.parent === program ? `nightowl help ${c.name()}` : `nightowl ${c.parent!.name()} ${c.name()} --help`;
      c.configureOutput({
        getOutHelpWidth: () => helpWidthOf(process.stdout),
        getErrHelpWidth: () => helpWidthOf(process.stderr),
        outputError: (message, write) => write(`nightowl: ${message.replace(/^error: /, "").trim()} (${where} lists the commands and flags)\n`),
      });
    }
  }
  return program;
}

/**
 * A string default shown as typed, `(default: 30)`, like the settings' defaults beside it, not
 * as commander's JSON `(default: "30")`.
 */
function plainDefaults(command: Command): void {
  for (const option of command.options) {
    if (typeof option.defaultValue === "string" && option.defaultValueDescription === undefined) option.defaultValueDescription = option.defaultValue;
  }
}

/** `nightowl help [command]`: the command's help, or one line and exit 2 for an unknown command. */
function helpCommand(program: Command): Command {
  return new Command("help")
    .description("show the help of a command (or of nightowl)")
    .argument("[command...]", "the command, and its subcommand (help events add)")
    .action((path: string[]) => {
      let command = program;
      for (const name of path) {
        const sub = command.commands.find((c) => c.name() === name && c.name() !== "help");
        if (!sub) {
          const names = command.commands.map((c) => c.name()).filter((n) => n !== "help");
          const what = command === program ? "command" : `subcommand of ${command.name()}`;
          throw new NightowlError("E_USAGE", `unknown ${what} ${JSON.stringify(name)}: expected one of ${names.join(", ")}`);
        }
        command = sub;
      }
      command.outputHelp();
    });
}

export async function main(argv: string[]): Promise<number> {
  expectLogFormat(argv, process.env);
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander that already printed (its exit code 0); help
      // shown because no command was given (`nightowl`, `nightowl events`) is bad usage, as is
      // every other of its errors (exit code 1).
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof NightowlError) {
      process.stderr.write(fatalLine(error.message));
      return exitCodeFor(error);
    }
    process.stderr.write(fatalLine("unexpected error", undefined, (error as Error)?.stack ?? String(error)));
    return 1;
  }
}

if (import.meta.main) {
  // A reader that stops early (`nightowl score --help | head`) is no error: stop quietly with exit 0.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(0);
  });
  const code = await main(process.argv);
  // Let stdout drain before exiting.
  process.exitCode = code;
  if (code !== 0) process.exit(code);
}
