/**
 * The embedded NightOwl-compatible portal: the five API calls over HTTP (Bun.serve) on top of
 * the simulated world, with fault injection and a loopback-only control endpoint (`/__sim/…`).
 */
import * as v from "valibot";
import { NightowlError } from "../errors.ts";
import type { FaultController, FaultPlan } from "./faults.ts";
import { apiError, attributes, authenticate, entitiesQuery, login, refresh, timeseries, type ApiResult } from "./portal-api.ts";
import { ScenarioSpecSchema, type ScenarioSpec, type ScenarioTruth } from "./scenario.ts";
import { SimWorld, type SimDeviceInfo, type SimulatorOptions } from "./world.ts";

export type { SimulatorOptions, SimDeviceInfo } from "./world.ts";
export type { ScenarioSpec, ScenarioTruth } from "./scenario.ts";
export type { FaultSpec } from "./faults.ts";
export { FaultController } from "./faults.ts";

export interface Simulator {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  accounts: { username: string; password: string; customer: string; userLabel: string }[];
  devices: SimDeviceInfo[];
  /** Simulated epoch ms. */
  now(): number;
  /** Adds a scenario at runtime (days from its start regenerate). */
  inject(s: ScenarioSpec): void;
  /** Every injected scenario with defaults resolved. */
  truth(): ScenarioTruth[];
  faults: FaultController;
  /** Points the history endpoint would return for [startTs, endTs) with no limit. */
  pointCount(deviceId: string, key: string, startTs: number, endTs: number): number;
  /** Requests whose path starts with `path` (all API requests when absent; control calls excluded). */
  requestCount(path?: string): number;
  stop(): Promise<void>;
}

const TIMESERIES = /^\/api\/plugins\/telemetry\/DEVICE\/([^/]+)\/values\/(timeseries|attributes)(?:\/[A-Z_]+)?$/;
const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/** Starts the simulator; resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const world = new SimWorld(options);
  const hostname = options.host ?? "127.0.0.1";
  const port = options.port ?? 0;
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = serve(world, hostname, port);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === "EADDRINUSE" ? "is in use" : code === "EACCES" ? "needs privileges" : `cannot be bound (${(error as Error).message})`;
    // A port in use is the machine's state, not a mistake in the command: exit 1, as run's metrics port.
    throw new NightowlError("E_IO", `simulator port ${port} on ${hostname} ${why}; choose another with --port, or 0 for a free one`, { cause: error });
  }
  return {
    url: `http://${server.hostname?.includes(":") ? `[${server.hostname}]` : server.hostname}:${server.port}`,
    accounts: world.accounts.map(({ username, password, customer, userLabel }) => ({ username, password, customer, userLabel })),
    devices: world.devices.map((d) => d.info),
    now: () => world.now(),
    inject: (s) => void world.inject(s),
    truth: () => [...world.truth],
    faults: world.faults,
    pointCount: (id, key, a, b) => world.pointCount(id, key, a, b),
    requestCount: (path) => world.requestCount(path),
    stop: async () => {
      await server.stop(true);
    },
  };
}

function serve(world: SimWorld, hostname: string, port: number): ReturnType<typeof Bun.serve> {
  return Bun.serve({
    hostname,
    port,
    idleTimeout: 60,
    fetch: async (req, srv) => {
      const url = new URL(req.url);
      if (url.pathname.startsWith("/__sim/")) {
        const address = srv.requestIP(req)?.address ?? "";
        if (!LOOPBACK.has(address)) return json(apiError(403, "The simulator control endpoint answers loopback only", 20));
        return json(await control(world, req, url));
      }
      world.countRequest(url.pathname);
      const plan = world.faults.plan(url.pathname);
      if (plan.delayMs > 0) await Bun.sleep(plan.delayMs);
      if (plan.status) {
        const headers: Record<string, string> = {};
        if (plan.status.retryAfterSeconds !== undefined) headers["Retry-After"] = String(plan.status.retryAfterSeconds);
        const messages: Record<number, string> = { 429: "Too many requests for current tenant!", 502: "Bad Gateway", 503: "Service Unavailable" };
        const result = apiError(plan.status.status, messages[plan.status.status] ?? "Internal Server Error", plan.status.status === 429 ? 33 : 2);
        return json({ ...result, headers });
      }
      return deliver(await route(world, req, url), plan);
    },
  });
}

async function readJson(req: Request): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    return undefined;
  }
}

async function route(world: SimWorld, req: Request, url: URL): Promise<ApiResult> {
  const path = url.pathname;
  if (req.method === "POST" && path === "/api/auth/login") return login(world, await readJson(req));
  if (req.method === "POST" && path === "/api/auth/token") return refresh(world, await readJson(req));
  const isQuery = req.method === "POST" && path === "/api/entitiesQuery/find";
  const telemetry = req.method === "GET" ? TIMESERIES.exec(path) : null;
  if (!isQuery && !telemetry) return apiError(404, `No handler for ${req.method} ${path}`, 32);
  const account = authenticate(world, req.headers.get("x-authorization"));
  if ("status" in account) return account;
  const accountIndex = world.accounts.indexOf(account);
  if (isQuery) return entitiesQuery(world, accountIndex, await readJson(req));
  const device = world.byId.get(decodeURIComponent(telemetry![1]));
  if (!device) return apiError(404, "Requested item wasn't found!", 32);
  if (device.info.accountIndex !== accountIndex) return apiError(403, "You don't have permission to perform this operation!", 20);
  return telemetry![2] === "timeseries" ? timeseries(world, device, url.searchParams) : attributes(device, url.searchParams);
}

function json(result: ApiResult): Response {
  return new Response(result.body, { status: result.status, headers: { "Content-Type": "application/json", ...result.headers } });
}

/** Applies a body fault (cut connection, broken or truncated JSON) to an answer. */
function deliver(result: ApiResult, plan: FaultPlan): Response {
  if (plan.body === "malformed") return json({ ...result, body: result.body.replace(/[:,]/, " ") + "<!-- upstream error -->" });
  if (plan.body === "truncated") return json({ ...result, body: result.body.slice(0, Math.max(1, Math.floor(result.body.length / 2))) });
  if (plan.body === "close") {
    const bytes = new TextEncoder().encode(result.body);
    const half = bytes.slice(0, Math.max(1, Math.floor(bytes.length / 2)));
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        controller.enqueue(half);
        await Bun.sleep(5);
        // No reason given: Bun then resets the socket without logging a stack.
        controller.error();
      },
    });
    return new Response(stream, { status: result.status, headers: { "Content-Type": "application/json", "Content-Length": String(bytes.length) } });
  }
  return json(result);
}

const ScenarioList = v.union([ScenarioSpecSchema, v.array(ScenarioSpecSchema)]);

/** `/__sim/faults` (GET list, POST add, DELETE clear), `/__sim/scenarios` (POST), `/__sim/truth`, `/__sim/state`. */
async function control(world: SimWorld, req: Request, url: URL): Promise<ApiResult> {
  const ok = (value: unknown): ApiResult => ({ status: 200, body: JSON.stringify(value) });
  try {
    switch (`${req.method} ${url.pathname}`) {
      case "GET /__sim/faults":
        return ok({ active: world.faults.active() });
      case "DELETE /__sim/faults":
        world.faults.clear();
        return ok({ active: [] });
      case "POST /__sim/faults": {
        const body = await readJson(req);
        for (const f of Array.isArray(body) ? body : [body]) world.faults.add(f);
        return ok({ active: world.faults.active() });
      }
      case "POST /__sim/scenarios": {
        const parsed = v.safeParse(ScenarioList, await readJson(req));
        if (!parsed.success) return apiError(400, `Invalid scenario: ${parsed.issues[0].message}`, 31);
        const list = Array.isArray(parsed.output) ? parsed.output : [parsed.output];
        return ok({ injected: list.map((s) => world.inject(s)) });
      }
      case "GET /__sim/truth":
        return ok(world.truth);
      case "GET /__sim/state":
        return ok({ now: world.now(), origin: world.originMs, speed: world.speed, devices: world.devices.map((d) => ({ id: d.info.id, name: d.info.name, accountIndex: d.info.accountIndex, keys: d.info.keys })), requests: world.requestCount() });
      default:
        return apiError(404, `No control handler for ${req.method} ${url.pathname}`, 32);
    }
  } catch (error) {
    if (error instanceof NightowlError) return apiError(400, error.message, 31);
    throw error;
  }
}
