/**
 * The exposition rendered ahead of the scrape. After each poll `refresh()` renders the registry
 * in slices that yield to the event loop between them, so scrapes keep being answered (from the
 * previous rendering) while a 10,000-device page is built; a scrape itself only sends bytes.
 *
 * The text is byte for byte what prom-client's `registry.metrics()` gives (the test compares
 * them); only the work is split. Each slice goes straight into a gzip stream (node:zlib, which
 * compresses in the thread pool), and only the compressed page is kept: at 10,000 devices the
 * text is about 111 MiB and its gzip 17 MiB, and holding the text (plus the arrays and the joined
 * copy of it a whole-page rendering makes) was a good part of the process's memory. Prometheus
 * always asks for gzip; a scraper that does not gets the page decompressed for it.
 */
import { once } from "node:events";
import { promisify } from "node:util";
import { createGzip, gunzip as gunzipAsync } from "node:zlib";
import type { Registry } from "prom-client";
import type { Logger } from "../log.ts";
import { paceGarbage } from "../pace-garbage.ts";
import { yieldToServer } from "../yield-to-server.ts";

const gunzip = promisify(gunzipAsync);

/** Sample lines rendered between two yields: a few milliseconds of work. */
const SLICE_LINES = 2000;

/**
 * zlib level: 1 is about twice as fast as the default 6 on this text and only about 15 %
 * bigger (repetitive label sets compress well at any level); CPU per poll is what a fleet pays.
 */
const GZIP_LEVEL = 1;

export interface RenderOptions {
  /** Called between slices; default: let pending I/O run (`setImmediate`). */
  pause?: () => Promise<void>;
  /** Families (by name) left out of the page. */
  exclude?: (name: string) => boolean;
}

/** Renders `registry` in the Prometheus text format 0.0.4, yielding between slices. */
export async function renderExposition(registry: Registry, options: RenderOptions = {}): Promise<string> {
  const slices: string[] = [];
  await renderSlices(registry, options, (text) => void slices.push(text));
  return slices.join("");
}

/** Renders `registry` into gzip bytes, slice by slice: the whole text never exists at once. */
export async function renderGzipped(registry: Registry, options: RenderOptions = {}): Promise<Uint8Array> {
  const zip = createGzip({ level: GZIP_LEVEL });
  const chunks: Buffer[] = [];
  zip.on("data", (chunk: Buffer) => void chunks.push(chunk));
  const ended = once(zip, "end");
  try {
    await renderSlices(registry, options, async (text) => {
      // Wait for zlib to catch up rather than queue the page's text in the stream.
      if (!zip.write(text)) await once(zip, "drain");
    });
    zip.end();
    await ended;
  } catch (error) {
    zip.destroy();
    throw error;
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/**
 * The rendering itself: the page's text, in order, handed to `write` about `SLICE_LINES`
 * sample lines at a time, with a pause after each. Families are joined by a blank line and the
 * page ends with a newline, as prom-client's `registry.metrics()` does.
 */
async function renderSlices(registry: Registry, options: RenderOptions, write: (text: string) => void | Promise<void>): Promise<void> {
  const pause = options.pause ?? yieldToServer;
  let slice = "";
  let first = true;
  let sinceYield = 0;
  for (const metric of registry.getMetricsAsArray()) {
    if (options.exclude?.(metric.name)) continue;
    // `get()` runs a family's `collect()`; it may be synchronous or not.
    const data = await (metric as unknown as { get(): Promise<MetricData> | MetricData }).get();
    const name = escapeString(data.name);
    slice += `${first ? "" : "\n\n"}# HELP ${name} ${escapeString(data.help)}\n# TYPE ${name} ${data.type}`;
    first = false;
    for (const value of data.values ?? []) {
      slice += `\n${sampleLine(name, value)}`;
      if (++sinceYield >= SLICE_LINES) {
        sinceYield = 0;
        await write(slice);
        slice = "";
        paceGarbage();
        await pause();
      }
    }
  }
  await write(`${slice}\n`);
}

/** One family as prom-client's `get()` gives it. */
interface MetricData {
  name: string;
  help: string;
  type: string;
  values?: { metricName?: string; labels?: Record<string, string | number>; sharedLabels?: Record<string, string | number>; value: number }[];
}

/** A sample line exactly as prom-client writes it: own labels, then shared ones (histograms). */
function sampleLine(name: string, value: NonNullable<MetricData["values"]>[number]): string {
  // Concatenation, not arrays and joins: this runs once per series per poll (a million at 10,000 devices).
  const labels = value.labels ?? {};
  const shared = value.sharedLabels;
  let text = "";
  for (const key in labels) {
    if (shared && Object.hasOwn(shared, key)) continue;
    text += `${text ? "," : ""}${key}="${escapeLabelValue(labels[key]!)}"`;
  }
  if (shared) for (const key in shared) text += `${text ? "," : ""}${key}="${escapeLabelValue(shared[key]!)}"`;
  return text ? `${value.metricName ?? name}{${text}} ${valueString(value.value)}` : `${value.metricName ?? name} ${valueString(value.value)}`;
}

function valueString(value: number): string {
  if (Number.isNaN(value)) return "Nan";
  if (!Number.isFinite(value)) return value < 0 ? "-Inf" : "+Inf";
  return `${value}`;
}

/** Most strings need no escape: one scan finds out. */
const NEEDS_ESCAPE = /[\\\n]/;
const LABEL_NEEDS_ESCAPE = /[\\\n"]/;

function escapeString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n") : s;
}

function escapeLabelValue(value: string | number): string | number {
  if (typeof value !== "string" || !LABEL_NEEDS_ESCAPE.test(value)) return value;
  return escapeString(value).replace(/"/g, '\\"');
}

/** What the metrics server serves: the newest finished rendering. */
export interface PrerenderedExposition {
  /**
   * Renders the registry anew; scrapes meanwhile get the previous rendering. Calls during a
   * rendering are folded into one more rendering after it. Resolves when the registry as it
   * stood at the call is the one served. Never rejects: a failure is logged and the previous
   * page stays.
   */
  refresh(): Promise<void>;
  /** The newest page as text, or gzip-compressed; renders first if nothing has been yet. */
  page(encoding: "identity" | "gzip"): Promise<string | Uint8Array>;
}

export function createPrerenderedExposition(registry: Registry, log: Logger, options: Pick<RenderOptions, "exclude"> = {}): PrerenderedExposition {
  /** The newest page, gzip-compressed: the only copy kept. */
  let current: Uint8Array | undefined;
  let running: Promise<void> | undefined;
  let again: Promise<void> | undefined;

  const renderOnce = async (): Promise<void> => {
    try {
      current = await renderGzipped(registry, options);
    } catch (error) {
      log.error(`rendering metrics failed: ${(error as Error).message}; scrapes get the previous page`);
    }
  };

  const refresh = (): Promise<void> => {
    if (!running) {
      running = renderOnce().finally(() => {
        running = undefined;
      });
      return running;
    }
    // A rendering is under way and may have read the registry before this call: one more after it.
    again ??= running.then(() => {
      again = undefined;
      return refresh();
    });
    return again;
  };

  return {
    refresh,
    async page(encoding) {
      if (!current) await refresh();
      if (!current) throw new Error("no rendering of the metrics succeeded yet");
      if (encoding === "gzip") return current;
      // A scraper without gzip is rare (curl, a person): decompressing for it, in the thread
      // pool, costs less than keeping the text for everyone.
      return (await gunzip(current)).toString("utf8");
    },
  };
}
