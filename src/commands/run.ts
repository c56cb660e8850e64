import { Command } from "commander";
import { NightowlError } from "../errors.ts";

export function runCommand(): Command {
  return new Command("run")
    .description("(being built)")
    .action(() => {
      throw new NightowlError("E_USAGE", "'run' is not built yet");
    });
}
