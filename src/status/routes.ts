/**
 * The status page's routes on the metrics server: `/` for a browser (content negotiation: the
 * exposition stays the answer for Prometheus, curl and anything not asking for HTML first) and
 * `/device/<id>`. The server checks metrics auth before calling these.
 */
import { detailPage } from "./detail.ts";
import { overviewPage, type PageContext } from "./overview.ts";
import type { StatusSource } from "./source.ts";

const DAY_MS = 86_400_000;

export interface StatusRoutesOptions {
  source: StatusSource;
  timeZone: string;
  refreshSeconds: number;
}

/**
 * Whether an `Accept` header asks for HTML before the exposition: `text/html` listed with a
 * quality above 0 and at least that of `text/plain` and `application/openmetrics-text`.
 * Prometheus's header (openmetrics, text/plain, then *\/*) and curl's (*\/*) do not.
 */
export function prefersHtml(accept: string | null): boolean {
  if (!accept) return false;
  const q = new Map<string, number>();
  for (const part of accept.split(",")) {
    const [type, ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    if (!type) continue;
    const qp = params.find((p) => p.startsWith("q="));
    const quality = qp ? Number(qp.slice(2)) : 1;
    q.set(type, Math.max(q.get(type) ?? 0, Number.isFinite(quality) ? quality : 0));
  }
  const html = q.get("text/html") ?? 0;
  return html > 0 && html >= (q.get("text/plain") ?? 0) && html >= (q.get("application/openmetrics-text") ?? 0);
}

const DEVICE_PATH = /^\/device\/([^/]+)$/;

/** The pages for the metrics server's `pages` option. */
export function statusRoutes(options: StatusRoutesOptions): { claims(request: Request): boolean; render(request: Request): Response } {
  return {
    claims(request) {
      const path = new URL(request.url).pathname;
      return (path === "/" && prefersHtml(request.headers.get("accept"))) || DEVICE_PATH.test(path);
    },
    render(request) {
      const path = new URL(request.url).pathname;
      const ctx: PageContext = { timeZone: options.timeZone, refreshSeconds: options.refreshSeconds, lastPollAt: options.source.lastPollAt(), base: "" };
      const m = DEVICE_PATH.exec(path);
      if (!m) return html(200, overviewPage(options.source.statuses(DAY_MS), ctx));
      let id = "";
      try {
        id = decodeURIComponent(m[1]!);
      } catch {}
      const device = options.source.deviceStatus(id, 2 * DAY_MS);
      if (!device) return new Response("no such device\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
      return html(200, detailPage(device, ctx));
    },
  };
}

function html(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
}
