import { Command } from "commander";
import { NightowlError } from "../errors.ts";

export function trainCommand(): Command {
  return new Command("train")
    .description("(being built)")
    .action(() => {
      throw new NightowlError("E_USAGE", "'train' is not built yet");
    });
}
