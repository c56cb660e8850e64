/**
 * A per-device metric family whose series live in flat storage instead of prom-client's
 * per-series objects. A prom-client gauge holds, for each series, a labels object, an entry
 * `{ value, labels }` and the entry's key string (the labels sorted and joined), and the page's
 * rendering kept each series' label text besides: about 440 bytes of heap a series, and a
 * fleet has about 77 series a device. Here a series is a value in a Float64Array, a pointer
 * to its device (whose labels and their text are made once and shared by all its series in
 * every family) and a pointer to its one extra label's value (`key`, `pump`, `feature`…),
 * about 30 bytes.
 *
 * The family is registered in the prom-client registry like any metric (prom-client accepts
 * any object with a name, help, type and `get()`), so `registry.metrics()`, the exclusion by
 * family and the content type stay prom-client's. Series keep prom-client's page order: a new
 * series goes last, a value written in place stays where it is, a removed one leaves a gap the
 * next compaction closes; so the page is byte for byte what the same story told to a
 * prom-client gauge gives (device-family.test.ts tells both).
 *
 * A series is named by the handle `add` returns, valid until it is removed or the family is
 * reset: its owner (series-slots.ts, telemetry.ts, ml.ts) keeps it, and nothing looks a series
 * up by its labels, so no key is kept per series.
 */
import type { Registry } from "prom-client";
import { NEWLINE, utf8, type PageBytes } from "./page-bytes.ts";
import { escapeLabelValue, labelPairs } from "./text-format.ts";

type Labels = Readonly<Record<string, string>>;

/** A device's labels and their text, made once and shared by all of its series. */
export interface SeriesDevice {
  /** Frozen; in the order they are written on the page. */
  readonly labels: Labels;
  /** `user_label="…",device_id="…",device_name="…"`: escaped, as the page's UTF-8 bytes. */
  readonly bytes: Uint8Array;
}

/** The device of `labels` (copied and frozen; the order of its keys is the page's). */
export function seriesDevice(labels: Labels): SeriesDevice {
  const own = Object.freeze({ ...labels });
  return { labels: own, bytes: utf8(labelPairs(own)) };
}

/** `delta` if a counter may add it, else prom-client's own error for it (NaN is added, as there). */
export function counterIncrement(delta: number): number {
  if (delta && !Number.isFinite(delta)) throw new TypeError(`Value is not a valid number: ${delta}`);
  if (delta < 0) throw new Error("It is not possible to decrease a counter");
  return delta;
}

export interface DeviceFamilyOptions {
  name: string;
  help: string;
  type: "gauge" | "counter";
  /** The device's label names, as its `SeriesDevice` has them. */
  deviceLabels: readonly string[];
  /** The one label a series adds to its device's, if the family has one. */
  extra?: string;
  registers: Registry[];
}

/** Closings kept per family (`,key="S1"} `); past this many (hostile keys) the cache starts over. */
const MAX_CLOSINGS = 4096;
const BARE_CLOSING = utf8("} ");

export class DeviceFamily {
  readonly name: string;
  readonly help: string;
  readonly type: "gauge" | "counter";
  /** Read by the exclusion by family (exclude.ts), as a prom-client metric's. */
  readonly labelNames: readonly string[];
  readonly aggregator = "sum";
  private readonly extra: string | undefined;
  /** `name{`, as bytes. */
  private readonly opening: Uint8Array;
  private values = new Float64Array(64);
  private devices: Array<SeriesDevice | undefined> = [];
  private extras: Array<string | undefined> = [];
  /** Per slot its index in `order`. */
  private places = new Int32Array(64);
  /** Per slot, how many series it has held: a rendering under way skips a slot taken since. */
  private generations = new Int32Array(64);
  /** Slots in page order; -1 where a removed series was. */
  private order = new Int32Array(64);
  private used = 0;
  private live = 0;
  private slots = 0;
  private free: number[] = [];
  private closings = new Map<string, Uint8Array>();

  constructor(options: DeviceFamilyOptions) {
    if (options.deviceLabels.length === 0) throw new Error(`${options.name}: a device family needs device labels`);
    this.name = options.name;
    this.help = options.help;
    this.type = options.type;
    this.extra = options.extra;
    this.labelNames = options.extra === undefined ? [...options.deviceLabels] : [...options.deviceLabels, options.extra];
    this.opening = utf8(`${options.name}{`);
    for (const registry of options.registers) registry.registerMetric(this as never);
  }

  /** A new series of `device` (with `extra` as the extra label's value), last on the page; its handle. */
  add(device: SeriesDevice, extra: string | undefined, value: number): number {
    const slot = this.free.pop() ?? this.slots++;
    if (slot >= this.values.length) {
      this.values = grown(this.values, slot);
      this.places = grown(this.places, slot);
      this.generations = grown(this.generations, slot);
    }
    if (this.used === this.order.length) this.makeRoom();
    this.values[slot] = value;
    this.devices[slot] = device;
    this.extras[slot] = extra;
    this.order[this.used] = slot;
    this.places[slot] = this.used++;
    this.live++;
    return slot;
  }

  set(handle: number, value: number): void {
    this.values[handle] = value;
  }

  /** Adds `delta` to a counter's series; refuses what prom-client's `inc` refuses. */
  inc(handle: number, delta: number): void {
    this.values[handle] += counterIncrement(delta);
  }

  /** Removes the series; a handle already removed is ignored. */
  remove(handle: number): void {
    if (this.devices[handle] === undefined) return;
    this.order[this.places[handle]!] = -1;
    this.devices[handle] = undefined;
    this.extras[handle] = undefined;
    this.generations[handle] = (this.generations[handle]! + 1) | 0;
    this.live--;
    this.free.push(handle);
  }

  /** The page position the next series added takes; positions stay put while nothing is removed. */
  get end(): number {
    return this.used;
  }

  /** Each series of `device` at page positions `from` … `to` - 1 (from `end`), with its extra label's value and handle. */
  seriesOf(device: SeriesDevice, from: number, to: number, each: (extra: string | undefined, handle: number) => void): void {
    for (let i = from; i < to; i++) {
      const slot = this.order[i]!;
      if (slot >= 0 && this.devices[slot] === device) each(this.extras[slot], slot);
    }
  }

  /** Removes every series; every handle is void after it. */
  reset(): void {
    this.devices.length = 0;
    this.extras.length = 0;
    this.free.length = 0;
    for (let slot = 0; slot < this.slots; slot++) this.generations[slot] = (this.generations[slot]! + 1) | 0;
    this.used = this.live = this.slots = 0;
  }

  /** The number of series. */
  get size(): number {
    return this.live;
  }

  /** The family as prom-client's metrics give it (`registry.metrics()` renders this). */
  get(): { name: string; help: string; type: string; aggregator: string; values: Array<{ value: number; labels: Record<string, string> }> } {
    const values: Array<{ value: number; labels: Record<string, string> }> = [];
    for (let i = 0; i < this.used; i++) {
      const slot = this.order[i]!;
      if (slot < 0) continue;
      const { labels } = this.devices[slot]!;
      values.push({ value: this.values[slot]!, labels: this.extra === undefined ? { ...labels } : { ...labels, [this.extra]: this.extras[slot]! } });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /**
   * The series in page order as they stand, each as its slot and the slot's generation: a copy,
   * since the page's rendering yields between slices and the family may change meanwhile (`writeLine`
   * then skips a series removed since, even when its slot holds another by then).
   */
  pageOrder(): Int32Array {
    const out = new Int32Array(this.live * 2);
    let n = 0;
    for (let i = 0; i < this.used; i++) {
      const slot = this.order[i]!;
      if (slot < 0) continue;
      out[n++] = slot;
      out[n++] = this.generations[slot]!;
    }
    return out;
  }

  /**
   * Writes the sample line of `slot` at `generation` (from `pageOrder`) as prom-client writes
   * it, newline included; false (and nothing written) if the series is gone.
   */
  writeLine(slot: number, generation: number, out: PageBytes): boolean {
    const device = this.devices[slot];
    if (device === undefined || this.generations[slot] !== generation) return false;
    out.bytes(this.opening);
    out.bytes(device.bytes);
    out.bytes(this.closing(this.extras[slot]));
    out.value(this.values[slot]!);
    out.byte(NEWLINE);
    return true;
  }

  /** What follows the device's labels: the extra label, the brace, the space before the value. */
  private closing(extra: string | undefined): Uint8Array {
    if (extra === undefined) return BARE_CLOSING;
    let bytes = this.closings.get(extra);
    if (bytes === undefined) {
      if (this.closings.size >= MAX_CLOSINGS) this.closings.clear();
      this.closings.set(extra, (bytes = utf8(`,${this.extra}="${escapeLabelValue(extra)}"} `)));
    }
    return bytes;
  }

  /** Room for one more place in `order`: the gaps closed if they are half of it, else twice the room. */
  private makeRoom(): void {
    if ((this.used - this.live) * 2 < this.used) {
      this.order = grown(this.order, this.used);
      return;
    }
    let to = 0;
    for (let i = 0; i < this.used; i++) {
      const slot = this.order[i]!;
      if (slot < 0) continue;
      this.order[to] = slot;
      this.places[slot] = to++;
    }
    this.used = to;
  }
}

/** `array` copied into one of at least twice its length that holds index `index`. */
function grown<T extends Float64Array | Int32Array>(array: T, index: number): T {
  const next = new (array.constructor as new (n: number) => T)(Math.max(array.length * 2, index + 1));
  next.set(array);
  return next;
}
