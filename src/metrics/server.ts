/**
 * The exporter's HTTP server: `/metrics` and `/` (the exposition, as the original monitor
 * served it on `/`), `/healthz` (the process answers) and `/readyz` (polls are fresh), and the
 * status page's HTML when given (`/` for browsers, by their Accept header).
 *
 * A scrape never waits for a poll: with a pre-rendered exposition it sends the page rendered
 * after the last poll (gzip-compressed when the scraper accepts it, as Prometheus does);
 * without one it renders the registry as it stands. `/metrics` and `/`
 * may require a bearer token or basic auth, as Prometheus scrape configs support
 * (`authorization` / `basic_auth`); the probes stay open for the kubelet.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Registry } from "prom-client";
import { OptionError, type OptionNamer } from "../option-error.ts";
import type { Logger } from "../log.ts";
import { createPrerenderedExposition, type PrerenderedExposition } from "./exposition.ts";

/** Who may scrape. Either or both may be set; with neither, scrapes are open. */
export interface MetricsAuth {
  bearerToken?: string;
  username?: string;
  password?: string;
}

export interface MetricsServerOptions {
  /** Bind address, e.g. 0.0.0.0 or 127.0.0.1. */
  host: string;
  /** TCP port; 0 picks a free one (read it back from `port`). */
  port: number;
  registry: Registry;
  /** Answers `/readyz`; called per request, so keep it cheap. */
  readiness: () => { ready: boolean; reason: string };
  auth?: MetricsAuth;
  log: Logger;
  /**
   * The page scrapes get, rendered ahead of them: `run` refreshes it after each poll's
   * observers, the only time its families change. Without it every scrape renders the registry.
   */
  exposition?: PrerenderedExposition;
  /**
   * HTML pages served beside the exposition (the status page): `claims` says whether a request
   * is theirs (cheap: path and Accept only); such a request passes the same auth as `/metrics`.
   */
  pages?: {
    claims(request: Request): boolean;
    render(request: Request): Response | Promise<Response>;
  };
}

export interface MetricsServer {
  /** The port actually bound. */
  readonly port: number;
  /** Where to scrape, with a loopback address in place of a wildcard bind address. */
  readonly url: string;
  /** Stops listening and closes open connections. */
  stop(): Promise<void>;
}

/**
 * Starts the server.
 * @throws OptionError E_IO naming the address and the option to change (`port`, `host`) if it cannot bind
 */
export function startMetricsServer(options: MetricsServerOptions): MetricsServer {
  const { registry, readiness, log } = options;
  const checkAuth = authChecker(options.auth);
  const exposition = options.exposition ?? createPrerenderedExposition(registry, log);
  const page = async (encoding: "identity" | "gzip") => {
    if (!options.exposition) await exposition.refresh();
    return exposition.page(encoding);
  };
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({
      hostname: options.host,
      port: options.port,
      async fetch(request) {
        const path = new URL(request.url).pathname;
        if (request.method !== "GET" && request.method !== "HEAD") {
          return new Response("method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
        }
        if (path === "/healthz") return text(200, "ok\n");
        if (path === "/readyz") {
          const r = readiness();
          return text(r.ready ? 200 : 503, `${r.ready ? "ready" : "not ready"}: ${r.reason}\n`);
        }
        if (options.pages?.claims(request)) {
          const denied = checkAuth(request);
          if (denied) return denied;
          try {
            return await options.pages.render(request);
          } catch (error) {
            log.error(`rendering the status page failed: ${(error as Error).message}`);
            return text(500, "rendering the status page failed\n");
          }
        }
        if (path === "/metrics" || path === "/") {
          const denied = checkAuth(request);
          if (denied) return denied;
          try {
            const encoding = acceptsGzip(request.headers.get("accept-encoding")) ? "gzip" : "identity";
            const headers: Record<string, string> = { "content-type": registry.contentType, vary: "accept-encoding" };
            if (encoding === "gzip") headers["content-encoding"] = "gzip";
            return new Response(await page(encoding), { headers });
          } catch (error) {
            log.error(`rendering metrics failed: ${(error as Error).message}`);
            return text(500, "rendering metrics failed\n");
          }
        }
        return text(404, "not found: try /metrics, /healthz or /readyz\n");
      },
      error(error) {
        log.error(`metrics server: ${error.message}`);
        return text(500, "internal error\n");
      },
    });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    // A port taken or forbidden wants another port; an address not on this machine another host.
    const which = (n: OptionNamer) => (reason === "EADDRINUSE" || reason === "EACCES" ? n("port") : reason === "EADDRNOTAVAIL" ? n("host") : `${n("host")} / ${n("port")}`);
    throw new OptionError("E_IO", (n) => `metrics server cannot listen on ${options.host}:${options.port} (${reason}): choose another ${which(n)}`, { cause: error });
  }
  const port = server.port!;
  return {
    port,
    url: `http://${displayHost(options.host)}:${port}/metrics`,
    async stop() {
      await server.stop(true);
    },
  };
}

/** Whether an Accept-Encoding header allows gzip (`gzip` or `*`, without `q=0`). */
export function acceptsGzip(header: string | null): boolean {
  if (!header) return false;
  return header.split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (coding !== "gzip" && coding !== "x-gzip" && coding !== "*") return false;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((x) => x !== undefined);
    return q === undefined || Number(q) > 0;
  });
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

/** A host to put in a URL a person can open: wildcards become loopback, IPv6 gets brackets. */
function displayHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::" || host === "[::]") return "[::1]";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** Compares in constant time: both sides are hashed first, so lengths leak nothing either. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Returns a check that yields a 401 response for a request lacking the credentials, else null. */
function authChecker(auth: MetricsAuth | undefined): (request: Request) => Response | null {
  const token = auth?.bearerToken;
  const basic = auth?.username !== undefined && auth.password !== undefined ? `${auth.username}:${auth.password}` : undefined;
  if (token === undefined && basic === undefined) return () => null;
  const challenges = [basic !== undefined ? 'Basic realm="nightowl", charset="UTF-8"' : null, token !== undefined ? 'Bearer realm="nightowl"' : null].filter(Boolean) as string[];
  return (request) => {
    const header = request.headers.get("authorization") ?? "";
    const space = header.indexOf(" ");
    const scheme = header.slice(0, space).toLowerCase();
    const credentials = header.slice(space + 1).trim();
    if (token !== undefined && scheme === "bearer" && sameSecret(credentials, token)) return null;
    if (basic !== undefined && scheme === "basic" && sameSecret(decodeBase64(credentials), basic)) return null;
    const headers = new Headers({ "content-type": "text/plain; charset=utf-8" });
    for (const c of challenges) headers.append("www-authenticate", c);
    return new Response("unauthorized\n", { status: 401, headers });
  };
}

function decodeBase64(s: string): string {
  try {
    return Buffer.from(s, "base64").toString("utf8");
  } catch {
    return "";
  }
}
