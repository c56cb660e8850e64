/** Loopback helpers for end-to-end tests that start real servers (Prometheus, VictoriaMetrics). */

/**
 * A port free right now, for servers that cannot be told to pick their own (port 0) and say
 * which; another process could take it before the server binds, a small risk on a test machine.
 */
export async function freePort(): Promise<number> {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}

/** Resolves once `url` answers 2xx; throws after `timeoutMs`. */
export async function untilOk(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await Bun.sleep(100);
  }
}
