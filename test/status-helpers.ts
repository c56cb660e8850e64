/** Helpers for the end-to-end tests of the status page and notifications: read the page, drive the demo's simulator. */

/** Prometheus 2.x's scrape Accept header. */
export const PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
/** Firefox's Accept header for a page. */
export const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

/** The verdict (`data-verdict`) of each device card in a page's HTML, by device id. */
export function verdicts(html: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of html.matchAll(/<article class="card [a-z]+" data-device="([^"]+)">[\s\S]*?data-verdict="([a-z]+)"/g)) out.set(m[1]!, m[2]!);
  return out;
}

/** The simulator's clock and devices. */
export async function simState(url: string): Promise<{ now: number; devices: { id: string; name: string }[] }> {
  return (await (await fetch(`${url}/__sim/state`)).json()) as { now: number; devices: { id: string; name: string }[] };
}

/** Fetches the page until `device`'s verdict is `level`; throws with the last seen after `timeoutMs`. */
export async function untilVerdict(url: string, device: string, level: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen: string | undefined;
  while (Date.now() < deadline) {
    seen = verdicts(await (await fetch(url, { headers: { accept: BROWSER_ACCEPT, ...headers } })).text()).get(device);
    if (seen === level) return;
    await Bun.sleep(250);
  }
  throw new Error(`device ${device} did not turn "${level}" within ${timeoutMs} ms (last: ${seen})`);
}

