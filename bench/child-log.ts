/** What the benches that run `nightowl` as a child process share: reading its log as it comes, and waiting. */

/**
 * Reads a child's output line by line as it arrives (so the pipe never fills), handing each
 * line to `onLine`, and keeps the last few thousand characters for error messages.
 */
export function followLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void = () => {}): { tail: () => string } {
  let tail = "";
  let partial = "";
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      const lines = (partial + decoder.decode(chunk, { stream: true })).split("\n");
      partial = lines.pop()!;
      for (const line of lines) onLine(line);
      tail = (tail + lines.join("\n") + "\n").slice(-5_000);
    }
  })();
  return { tail: () => tail };
}

/** Polls `check` until it holds; throws after `ms`, with the child's log tail when given. */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms: number, tail?: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`no ${what} within ${ms} ms${tail ? `; log tail:\n${tail()}` : ""}`);
    await Bun.sleep(50);
  }
}
