import { Command } from "commander";
import { NightowlError } from "../errors.ts";

export function pollOnceCommand(): Command {
  return new Command("poll-once")
    .description("(being built)")
    .action(() => {
      throw new NightowlError("E_USAGE", "'poll-once' is not built yet");
    });
}
