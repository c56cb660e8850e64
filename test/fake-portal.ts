/**
 * A small hostile portal for end-to-end tests: a Bun server on loopback that logs in anyone
 * and answers the device query and the history calls with whatever a test hands it, recording
 * every request (method, path, headers, body) so a test can check what the program sent.
 */
import { newSigningKey, signJwt } from "../src/sim/jwt.ts";

export interface Recorded {
  method: string;
  path: string;
  search: string;
  headers: Record<string, string>;
  body: string;
}

export interface FakePortal {
  url: string;
  requests: Recorded[];
  count(path: string): number;
  stop(): void;
}

/** A handler answering one request, or undefined for the default (login, empty answers). */
export type Route = (req: Request, url: URL, page: number) => Response | Promise<Response> | undefined;

const key = newSigningKey();

/** A token pair valid for an hour. */
export function tokenPair(): { token: string; refreshToken: string } {
  const iat = Math.floor(Date.now() / 1000);
  const claims = { sub: "owner@example.com", iat, exp: iat + 3600 };
  return { token: signJwt(claims, key), refreshToken: signJwt({ ...claims, jti: "r" }, key) };
}

/** One device of the entity-data query, shaped as the portal sends it. */
export function entity(id: string, name: string, telemetry: Record<string, { ts: number; value: unknown }> = {}, customer = "Dan Gorman"): unknown {
  const ts = Date.now();
  return {
    entityId: { entityType: "DEVICE", id },
    latest: {
      ENTITY_FIELD: { name: { ts, value: name }, type: { ts, value: "NightOwl Flex" } },
      TIME_SERIES: telemetry,
      ATTRIBUTE: { CustomerInfo: { ts, value: customer } },
    },
  };
}

/** A page of the device query. */
export function page(data: unknown[], hasNext = false, totalPages = 1): Response {
  return Response.json({ data, totalPages, totalElements: data.length * totalPages, hasNext });
}

export function startFakePortal(route: Route): FakePortal {
  const requests: Recorded[] = [];
  let queries = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const body = await req.text();
      requests.push({ method: req.method, path: url.pathname, search: url.search, headers: Object.fromEntries(req.headers), body });
      const pageNo = url.pathname === "/api/entitiesQuery/find" ? queries++ : 0;
      const copy = new Request(req.url, { method: req.method, headers: req.headers, body: body === "" ? undefined : body });
      const answer = await route(copy, url, pageNo);
      if (answer) return answer;
      if (url.pathname === "/api/auth/login" || url.pathname === "/api/auth/token") return Response.json(tokenPair());
      if (url.pathname === "/api/entitiesQuery/find") return page([]);
      if (url.pathname.endsWith("/values/attributes")) return Response.json([]);
      if (url.pathname.endsWith("/values/timeseries")) return Response.json({});
      return new Response("not found", { status: 404 });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    count: (path) => requests.filter((r) => r.path === path).length,
    stop: () => void server.stop(true),
  };
}

/** The environment pointing the program at `portal` with a known account. */
export function portalEnv(portal: { url: string }, password = "Sup3r-S3cret-Pa55!"): Record<string, string> {
  return { NIGHTOWL_BASE_URL: portal.url, NIGHTOWL_USERNAME: "owner@example.com", NIGHTOWL_PASSWORD: password };
}
