import { Command } from "commander";
import { NightowlError } from "../errors.ts";

export function reportCommand(): Command {
  return new Command("report")
    .description("(being built)")
    .action(() => {
      throw new NightowlError("E_USAGE", "'report' is not built yet");
    });
}
