/**
 * An error about an option of a core function (a fetch's `limit`, its `since`), worded with
 * the option's name in the core's terms. The command that passed the option names it as its
 * user typed it (`--limit`, `--since`) by rendering the same sentence again: the core never
 * names a flag, and nobody rewrites a message.
 */
import { NightowlError, type ErrorCode } from "./errors.ts";

/** Names an option as the reader knows it. */
export type OptionNamer = (option: string) => string;

export class OptionError extends NightowlError {
  private readonly render: (name: OptionNamer) => string;

  /** `render` writes the message, naming every option through the namer it is given. */
  constructor(code: ErrorCode, render: (name: OptionNamer) => string, options?: { cause?: unknown }) {
    super(code, render((option) => option), options);
    this.render = render;
  }

  /** The same message with each option named by `name` (a command: its flag). */
  messageWith(name: OptionNamer): string {
    return this.render(name);
  }
}
