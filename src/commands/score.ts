import { Command } from "commander";
import { NightowlError } from "../errors.ts";

export function scoreCommand(): Command {
  return new Command("score")
    .description("(being built)")
    .action(() => {
      throw new NightowlError("E_USAGE", "'score' is not built yet");
    });
}
