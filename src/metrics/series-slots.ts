/**
 * One device's gauge series, set in place poll after poll. prom-client's `gauge.set(labels, v)`
 * sorts the label names, builds the series' key string and allocates a new entry object on
 * every call; the analytics families set about 30 series a device every poll, so a 2,000-device
 * fleet paid that 60,000 times a poll, and the garbage collector after it. Here a slot keeps
 * the entry prom-client made on the series' first `set` and later writes only its value — the
 * entry stays where it was in the family, so the rendered page is byte for byte the same.
 *
 * A slot owns its series: nothing else may set or remove it (else the slot would write to an
 * entry the family no longer holds). Reading prom-client's entry relies on its internals
 * (`hashMap`, keyed by `hashObject(labels)`, of `{ value, labels }`): when they are not what
 * this expects, every `set` simply goes through `gauge.set` (series-slots.test.ts says so).
 */
import type { Counter, Gauge } from "prom-client";
// @ts-expect-error prom-client ships no types for its internal helpers
import { hashObject } from "prom-client/lib/util.js";

type Labels = Record<string, string>;
interface Entry {
  value: number;
  labels: Labels;
}

/** The entry prom-client holds for `labels` in `gauge`, if it is where these internals expect it. */
export function entryOf(gauge: Gauge | Counter, labels: Labels): Entry | undefined {
  const map = (gauge as unknown as { hashMap?: Record<string, Entry> }).hashMap;
  const entry = map?.[(hashObject as (l: Labels) => string)(labels)];
  return entry && entry.labels === labels && typeof entry.value === "number" ? entry : undefined;
}

/** Every entry `family` holds, in its order (the page's), if these internals are what this expects. */
export function entriesOf(family: Gauge | Counter): Entry[] | undefined {
  const map = (family as unknown as { hashMap?: Record<string, Entry> }).hashMap;
  return map && typeof map === "object" ? Object.values(map) : undefined;
}

export class SeriesSlots {
  private readonly entries: Array<Entry | undefined> = [];
  /** Series set through `gauge.set` because their entry was not found (other prom-client internals). */
  private fallback: Map<number, Labels> | undefined;

  /**
   * Sets slot `slot`'s series of `gauge` to `value`; its labels, `base` plus one `extra`
   * label, are made on its first set only.
   */
  set(slot: number, gauge: Gauge, value: number, base: Labels, extra?: readonly [name: string, value: string]): void {
    const entry = this.entries[slot];
    if (entry !== undefined) {
      entry.value = value;
      return;
    }
    const labels = this.labels(slot, base, extra);
    gauge.set(labels, value);
    this.found(slot, gauge, labels);
  }

  /** Adds `delta` (≥ 0) to slot `slot`'s series of `counter`; labels as in `set`. */
  add(slot: number, counter: Counter, delta: number, base: Labels, extra?: readonly [name: string, value: string]): void {
    const entry = this.entries[slot];
    // Anything but a finite delta ≥ 0 goes through prom-client, which refuses it (or adds NaN) as before.
    if (entry !== undefined && delta >= 0 && delta < Infinity) {
      entry.value += delta;
      return;
    }
    if (entry !== undefined) return void counter.inc(entry.labels, delta);
    const labels = this.labels(slot, base, extra);
    counter.inc(labels, delta);
    this.found(slot, counter, labels);
  }

  private labels(slot: number, base: Labels, extra: readonly [name: string, value: string] | undefined): Labels {
    // Frozen, so the page's rendering may keep its text (exposition.ts): nothing changes a slot's labels.
    return this.fallback?.get(slot) ?? Object.freeze(extra ? { ...base, [extra[0]]: extra[1] } : { ...base });
  }

  private found(slot: number, family: Gauge | Counter, labels: Labels): void {
    const found = entryOf(family, labels);
    if (found) this.entries[slot] = found;
    else (this.fallback ??= new Map()).set(slot, labels);
  }

  /** Removes slot `slot`'s series from `gauge`, if it has one. */
  remove(slot: number, gauge: Gauge | Counter): void {
    const labels = this.entries[slot]?.labels ?? this.fallback?.get(slot);
    if (labels === undefined) return;
    gauge.remove(labels);
    this.entries[slot] = undefined;
    this.fallback?.delete(slot);
  }

  /** Whether slot `slot` writes its series in place (it exists and its entry was found). */
  inPlace(slot: number): boolean {
    return this.entries[slot] !== undefined;
  }
}
