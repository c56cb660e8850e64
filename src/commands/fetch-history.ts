import { Command } from "commander";
import { NightowlError } from "../errors.ts";

export function fetchHistoryCommand(): Command {
  return new Command("fetch-history")
    .description("(being built)")
    .action(() => {
      throw new NightowlError("E_USAGE", "'fetch-history' is not built yet");
    });
}
