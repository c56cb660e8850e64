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
 *
 * The per-device families (device-family.ts), nearly all of a fleet's series, write their lines
 * from their flat storage; the other families through prom-client's `get()`.
 */
import { once } from "node:events";
import { promisify } from "node:util";
import { createGzip, gunzip as gunzipAsync } from "node:zlib";
import type { Registry } from "prom-client";
import type { Logger } from "../log.ts";
import { paceGarbage } from "../pace-garbage.ts";
import { yieldToServer } from "../yield-to-server.ts";
import { DeviceFamily } from "./device-family.ts";
import { NEWLINE, PageBytes } from "./page-bytes.ts";
import { escapeString, labelText, valueString } from "./text-format.ts";

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
  const slices: Uint8Array[] = [];
  // A copy: the slice's bytes are a view of a buffer the next slice is written into.
  await renderSlices(registry, options, (bytes) => void slices.push(bytes.slice()));
  return Buffer.concat(slices).toString("utf8");
}

/** Renders `registry` into gzip bytes, slice by slice: the whole text never exists at once. */
export async function renderGzipped(registry: Registry, options: RenderOptions = {}): Promise<Uint8Array> {
  // Copied even when there is one chunk: zlib hands out views of its 256 KiB output buffer, and
  // a small page kept as such a view would hold all of it.
  return Buffer.concat(await gzipChunks(registry, options));
}

/** The page as it is served: one Blob, which every response shares (see `page`). */
export async function renderGzippedBlob(registry: Registry, options: RenderOptions = {}): Promise<Blob> {
  // The Blob copies the chunks into one store: no concatenated copy besides it.
  return new Blob(await gzipChunks(registry, options));
}

/** zlib's output chunks of the page, in order (views of its output buffers). */
async function gzipChunks(registry: Registry, options: RenderOptions): Promise<Buffer[]> {
  const zip = createGzip({ level: GZIP_LEVEL, chunkSize: GZIP_CHUNK });
  const chunks: Buffer[] = [];
  zip.on("data", (chunk: Buffer) => void chunks.push(chunk));
  const ended = once(zip, "end");
  try {
    await renderSlices(registry, options, (bytes) =>
      // Resolved once zlib has taken the slice in: then its buffer may be written again, and
      // the page's text never queues in the stream.
      new Promise<void>((resolve, reject) => void zip.write(bytes, (error) => (error ? reject(error) : resolve()))),
    );
    zip.end();
    await ended;
  } catch (error) {
    zip.destroy();
    throw error;
  }
  return chunks;
}

/**
 * The rendering itself: the page's UTF-8 bytes, in order, handed to `write` about `SLICE_LINES`
 * sample lines at a time, with a pause after each. `write` gets a view of a buffer that is
 * written again once its promise resolves. Families are joined by a blank line and the page
 * ends with a newline, as prom-client's `registry.metrics()` does.
 */
async function renderSlices(registry: Registry, options: RenderOptions, write: (bytes: Uint8Array) => void | Promise<void>): Promise<void> {
  const pause = options.pause ?? yieldToServer;
  // Written as bytes (page-bytes.ts): the per-device families' lines from encoded pieces.
  const out = new PageBytes();
  let written = false;
  let sinceYield = 0;
  const flush = async () => {
    written = true;
    await write(out.view());
    out.clear();
  };
  /** Counts a sample line written; true when the slice is full (then `next` writes it and pauses). */
  const sampled = () => ++sinceYield >= SLICE_LINES;
  const next = async () => {
    sinceYield = 0;
    await flush();
    paceGarbage();
    await pause();
  };
  const header = (name: string, help: string, type: string) => {
    // An empty line before each family's HELP but the first.
    if (written || out.length) out.byte(NEWLINE);
    out.text(`# HELP ${name} ${escapeString(help)}\n# TYPE ${name} ${type}\n`);
  };
  for (const metric of registry.getMetricsAsArray()) {
    if (options.exclude?.(metric.name)) continue;
    const family: unknown = metric;
    if (family instanceof DeviceFamily) {
      // Its lines straight from its flat storage: no sample objects (device-family.ts).
      header(escapeString(family.name), family.help, family.type);
      const series = family.pageOrder();
      for (let i = 0; i < series.length; i += 2) {
        if (family.writeLine(series[i]!, series[i + 1]!, out) && sampled()) await next();
      }
      continue;
    }
    // `get()` runs a family's `collect()`; it may be synchronous or not.
    const data = await (metric as unknown as { get(): Promise<MetricData> | MetricData }).get();
    const name = escapeString(data.name);
    header(name, data.help, data.type);
    for (const value of data.values ?? []) {
      out.text(sampleLine(name, value));
      out.byte(NEWLINE);
      if (sampled()) await next();
    }
  }
  if (out.length) await flush();
  // An empty registry's page is one newline, as prom-client's.
  else if (!written) {
    out.byte(NEWLINE);
    await flush();
  }
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
  return `${value.metricName ?? name}${labelText(value.labels ?? {}, value.sharedLabels)} ${valueString(value.value)}`;
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
  /**
   * The newest page as text, or gzip-compressed; renders first if nothing has been yet. The
   * gzip page is a Blob because Bun sends a Blob body from its own store, shared by every
   * response, where it copies a typed array's bytes into each one: 32 scrapers of a
   * 17 MiB page held 544 MiB of copies, and the allocator kept them after the scrapes ended.
   */
  page(encoding: "identity" | "gzip"): Promise<string | Blob>;
}

export function createPrerenderedExposition(registry: Registry, log: Logger, options: Pick<RenderOptions, "exclude"> = {}): PrerenderedExposition {
  /** The newest page, gzip-compressed: the only copy kept. */
  let current: Blob | undefined;
  let running: Promise<void> | undefined;
  let again: Promise<void> | undefined;

  const renderOnce = async (): Promise<void> => {
    try {
      current = await renderGzippedBlob(registry, options);
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
      return (await gunzip(await current.bytes())).toString("utf8");
    },
  };
}
