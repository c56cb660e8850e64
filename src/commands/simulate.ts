import { Command } from "commander";
import { NightowlError } from "../errors.ts";

export function simulateCommand(): Command {
  return new Command("simulate")
    .description("(being built)")
    .action(() => {
      throw new NightowlError("E_USAGE", "'simulate' is not built yet");
    });
}
