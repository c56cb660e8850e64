/**
 * Help that reads well at the width it is shown at: the terminal's, or 80 columns when piped
 * (a pager, a file, `| less`), the width commander itself assumes then. Commander wraps the
 * option list; the notes and examples after it are ours, given here as paragraphs and wrapped
 * when printed.
 */
import { Help, type AddHelpTextContext } from "commander";

/** Commander's width when the help does not go to a terminal, and ours. */
export const PIPED_HELP_WIDTH = 80;

/**
 * Help laid out for the width commander finds: the terminal's, 80 columns when piped. Commander
 * aligns every description after the longest flag and stops wrapping when that leaves fewer
 * than 40 columns: run's --metrics-auth-bearer-token-file <path> left 37 at 80, and its help ran
 * to 338 columns a line. A flag wider than 40% of the width goes on a line of its own, its
 * description below it, aligned with the others; descriptions are wrapped down to 20 columns,
 * so a narrow terminal (60) still gets them wrapped.
 */
export const HELP_LAYOUT: Partial<Help> = {
  minWidthToWrap: 20,
  padWidth(command, helper) {
    const widest = Help.prototype.padWidth.call(helper, command, helper);
    const most = Math.floor((helper.helpWidth ?? PIPED_HELP_WIDTH) * 0.4);
    if (widest <= most) return widest;
    const terms = [
      ...helper.visibleOptions(command).map((o) => helper.optionTerm(o)),
      ...helper.visibleArguments(command).map((a) => helper.argumentTerm(a)),
      ...helper.visibleCommands(command).map((c) => helper.subcommandTerm(c)),
    ];
    return Math.max(0, ...terms.map((t) => helper.displayWidth(t)).filter((w) => w <= most));
  },
  formatItem(term, termWidth, description, helper) {
    if (!description || helper.displayWidth(term) <= termWidth) return Help.prototype.formatItem.call(helper, term, termWidth, description, helper);
    return `  ${term}\n${Help.prototype.formatItem.call(helper, "", termWidth, description, helper)}`;
  },
};

/**
 * The width help is laid out for on `stream`: its columns when a terminal, else 80. A terminal
 * that reports no size (a pseudo-terminal nobody sized, as `script` makes) is 80 too: commander
 * took its 0 for the width and wrapped nothing.
 */
export function helpWidthOf(stream: { isTTY?: boolean; columns?: number }): number {
  return stream.isTTY && stream.columns ? stream.columns : PIPED_HELP_WIDTH;
}

/**
 * Text for `addHelpText`, wrapped at the help's width when shown (standard error's when it is
 * shown for an error). `text`'s prose lines — those starting in the first column — form
 * paragraphs, refilled; an indented line (an example, a list) or a blank line is kept as it is.
 */
export function helpNotes(text: string): (context: AddHelpTextContext) => string {
  return (context) => reflow(text, helpWidthOf(context.error ? process.stderr : process.stdout));
}

/** `text` with each paragraph of prose lines refilled to `width` columns (a longer word keeps its line). */
export function reflow(text: string, width: number): string {
  const out: string[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) out.push(...fill(paragraph.join(" ").split(/\s+/), width));
    paragraph = [];
  };
  for (const line of text.split("\n")) {
    if (line !== "" && !/^\s/.test(line)) {
      paragraph.push(line.trim());
    } else {
      flush();
      out.push(line);
    }
  }
  flush();
  return out.join("\n");
}

function fill(words: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (line === "") line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}
