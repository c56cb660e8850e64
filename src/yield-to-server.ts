/**
 * Lets pending I/O (a scrape of /metrics) run between devices of a CPU-heavy pass over many
 * devices, so no single poll holds the event loop for the whole account.
 */
export function yieldToServer(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
