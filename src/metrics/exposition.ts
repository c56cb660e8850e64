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

/**
 * zlib's output chunk, bytes. At the default 16 KiB a 3.4 MiB page is over 200 round trips
 * between the stream and the thread pool; at 256 KiB the compression took about a third less
 * CPU (bench/export-cpu.ts).
 */
const GZIP_CHUNK = 256 * 1024;

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
  const zip = createGzip({ level: GZIP_LEVEL, chunkSize: GZIP_CHUNK });
  const chunks: Buffer[] = [];
  zip.on("data", (chunk: Buffer) => void chunks.push(chunk));
  const ended = once(zip, "end");
  try {
    await renderSlices(registry, options, async (text) => {
      // Wait for zlib to catch up rather than queue the page's text in the stream.
      // As bytes: a slice is a string of thousands of concatenated pieces, and zlib's own
      // conversion of such a string cost more than flattening and encoding it here.
      if (!zip.write(Buffer.from(text, "utf8"))) await once(zip, "drain");
    });
    zip.end();
    await ended;
  } catch (error) {
    zip.destroy();
    throw error;
  }
  // Copied even when there is one chunk: zlib hands out views of its 256 KiB output buffer, and
  // a small page kept as such a view would hold all of it.
  return Buffer.concat(chunks);
}

/**
 * The rendering itself: the page's text, in order, handed to `write` about `SLICE_LINES`
 * sample lines at a time, with a pause after each. Families are joined by a blank line and the
 * page ends with a newline, as prom-client's `registry.metrics()` does.
 */
async function renderSlices(registry: Registry, options: RenderOptions, write: (text: string) => void | Promise<void>): Promise<void> {
  const pause = options.pause ?? yieldToServer;
  // The page's lines, a slice at a time, joined by newlines when the slice is written; an
  // empty line before each family's HELP but the first. An array and one join, not `+=`: a
  // string concatenated thousands of times is a rope that zlib's input then has to flatten
  // piece by piece, and that cost more than building it (a fifth of a poll's export step).
  let lines: string[] = [];
  let written = false;
  let sinceYield = 0;
  const flush = async () => {
    lines.push(""); // the slice's last line ends with a newline too
    const text = lines.join("\n");
    lines = [];
    written = true;
    await write(text);
  };
  for (const metric of registry.getMetricsAsArray()) {
    if (options.exclude?.(metric.name)) continue;
    // `get()` runs a family's `collect()`; it may be synchronous or not.
    const data = await (metric as unknown as { get(): Promise<MetricData> | MetricData }).get();
    const name = escapeString(data.name);
    if (written || lines.length) lines.push("");
    lines.push(`# HELP ${name} ${escapeString(data.help)}\n# TYPE ${name} ${data.type}`);
    for (const value of data.values ?? []) {
      lines.push(sampleLine(name, value));
      if (++sinceYield >= SLICE_LINES) {
        sinceYield = 0;
        await flush();
        paceGarbage();
        await pause();
      }
    }
  }
  if (lines.length) await flush();
  // An empty registry's page is one newline, as prom-client's.
  else if (!written) await write("\n");
}

/** One family as prom-client's `get()` gives it. */
interface MetricData {
  name: string;
  help: string;
  type: string;
  values?: { metricName?: string; labels?: Record<string, string | number>; sharedLabels?: Record<string, string | number>; value: number }[];
}

/**
 * A series' rendered text up to its value (`name{a="x",b="y"} `), kept on prom-client's entry
 * for the series (the object in `get()`'s values) when its labels object is frozen: a frozen
 * object cannot change, and the entry belongs to one family, so the text stays right as long
 * as the entry holds that labels object. The families that keep their series in place
 * (series-slots.ts, telemetry.ts, the ML features) keep the same entries poll after poll, so
 * each series' labels are rendered once instead of every poll: building a line is then one
 * concatenation and the value's formatting, about a quarter of what it was. An entry that
 * prom-client made afresh, or whose labels are not frozen, is rendered every time.
 */
const PREFIX = Symbol("nightowl.exposition.prefix");
const PREFIX_OF = Symbol("nightowl.exposition.prefixLabels");

type Value = NonNullable<MetricData["values"]>[number] & { [PREFIX]?: string; [PREFIX_OF]?: object };

/** A sample line exactly as prom-client writes it: own labels, then shared ones (histograms). */
function sampleLine(name: string, value: Value): string {
  const labels = value.labels;
  if (labels !== undefined && value.sharedLabels === undefined && Object.isFrozen(labels)) {
    if (value[PREFIX_OF] !== labels) {
      value[PREFIX] = flat(`${value.metricName ?? name}${labelText(labels, undefined)} `);
      value[PREFIX_OF] = labels;
    }
    return value[PREFIX] + valueString(value.value);
  }
  return `${value.metricName ?? name}${labelText(labels ?? {}, value.sharedLabels)} ${valueString(value.value)}`;
}

/**
 * `text` as one flat string. A string built by concatenation is a rope (a tree of its pieces),
 * and JavaScriptCore walks the tree again every time a rope is copied into a bigger string
 * without keeping the result: a kept label text joined into the page every poll cost twice a
 * flat one. Encoding and decoding makes a flat copy; a string with a lone surrogate (which
 * UTF-8 cannot hold) is left as it is.
 */
function flat(text: string): string {
  return text.isWellFormed() ? Buffer.from(text, "utf8").toString("utf8") : text;
}

/** `{a="x",b="y"}`, or "" for no labels. */
function labelText(labels: Record<string, string | number>, shared: Record<string, string | number> | undefined): string {
  // Concatenation, not arrays and joins: this runs once per series per poll (a million at 10,000 devices).
  let text = "";
  for (const key in labels) {
    if (shared && Object.hasOwn(shared, key)) continue;
    text += `${text ? "," : ""}${key}="${escapeLabelValue(labels[key]!)}"`;
  }
  if (shared) for (const key in shared) text += `${text ? "," : ""}${key}="${escapeLabelValue(shared[key]!)}"`;
  return text ? `{${text}}` : "";
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
