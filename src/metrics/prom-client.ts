/**
 * prom-client's metric classes, each loaded from its own module. The package's index also loads
 * its push gateway, cluster aggregator and default process metrics (node:http, node:cluster,
 * perf_hooks, v8), none of which nightowl uses: about 10 MB resident in every process, a sixth
 * of a 50-device monitor (docs/fleet.md). Types still come from the package's own declarations.
 */
import type * as Prom from "prom-client";

export const Registry: typeof Prom.Registry = require("prom-client/lib/registry");
export type Registry = Prom.Registry;
export const Counter: typeof Prom.Counter = require("prom-client/lib/counter");
export type Counter<T extends string = string> = Prom.Counter<T>;
export const Gauge: typeof Prom.Gauge = require("prom-client/lib/gauge");
export type Gauge<T extends string = string> = Prom.Gauge<T>;
export const Histogram: typeof Prom.Histogram = require("prom-client/lib/histogram");
export type Histogram<T extends string = string> = Prom.Histogram<T>;
