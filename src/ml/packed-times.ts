/**
 * Timestamps (epoch ms) stored in about a byte each, exactly: the row times of a device's
 * buffer (monitor/time-column.ts) and the sample times of the model's windows (narrow-ring.ts).
 * A fleet keeps a day of them per device several times over, and at 4 bytes each they were the
 * largest single part of a device's model state.
 *
 * Times come at a device's reporting interval, so within a block of 32 positions they are a
 * few multiples of one unit apart. Each block keeps its earliest time (a Float64 anchor, a
 * quarter of a byte a position), and each position its time's distance from that anchor in
 * units: `anchor + n · unit`. The unit is the largest that divides every live distance (a
 * minute for readings on whole minutes, a millisecond at worst), and `n` takes a Uint8 while
 * every one fits, else a Uint16, else a Uint32. A time that is not a whole millisecond, or too
 * far from its block's anchor for 32 bits, turns the store into plain Float64.
 *
 * Times on a cadence (every one a minute after the one before, as a device stamping its
 * readings on the minute gives) take no bytes a time: they are kept as runs of one step
 * (cadence-runs.ts), a run more for each missed reading or restart. Times with too many runs
 * for that (jitter) are packed per block as above, and a move that finds the live times in few
 * runs again drops the blocks.
 *
 * Every write is checked to read back as the very time written (integers below 2^53 add and
 * multiply exactly), so a reader sees the same doubles as a Float64 array would give it. A
 * write that does not fit re-encodes the live positions with a unit and a width that hold
 * them and it; `relayout` (the owners' compaction) picks the narrowest again from the live
 * times alone once the write that widened it has left, so a stretch of odd times widens a
 * store only until it has left.
 */

import { CadenceRuns, runLimit } from "./cadence-runs.ts";

const SHIFT = 5;
const MASK = (1 << SHIFT) - 1;
/** Largest `n` of each width. */
const MAX8 = 0xff;
const MAX16 = 0xffff;
const MAX32 = 0xffff_ffff;

/** Store kinds, one element type each, so every access stays monomorphic for the JIT. */
const U8 = 1;
const U16 = 2;
const U32 = 4;
const PLAIN = 8;
/** The live times as runs of one cadence (`runs`), no store. */
const RUNS = 0;
/** The blocks of a store kept as runs. */
const NO_ANCHORS = new Float64Array(0);

/** Times decoded during a re-encoding, reused (grown as needed). */
let scratch = new Float64Array(256);

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const r = a % b;
    a = b;
    b = r;
  }
  return a;
}

export class PackedTimes {
  private kind = RUNS;
  private u8: Uint8Array | null = null;
  private u16: Uint16Array | null = null;
  private u32: Uint32Array | null = null;
  private f64: Float64Array | null = null;
  /** Per block of 32 store positions: the earliest time written in it (NaN before any). */
  private anchors: Float64Array;
  /** Milliseconds per step of `n`; 0 while every live distance is 0. */
  private unit = 0;
  /** Position `p` is at `p + pad` of the store (0–31), so moving positions moves whole blocks. */
  private pad = 0;
  /** Positions the owner has (the store holds 31 more, for `pad`). */
  private size: number;
  /** The times as runs of one cadence, while they make few enough (kind RUNS). */
  private runs: CadenceRuns | null = new CadenceRuns();
  /** A write re-encoded the store since the last move: the next move looks for a narrower encoding. */
  private refitted = false;
  /** Position of the latest write that re-encoded the store (-1: none): while a time before it is live, a move keeps the encoding it forced. */
  private oddAt = -1;

  constructor(capacity: number) {
    this.size = capacity;
    this.anchors = NO_ANCHORS;
  }

  /** Positions the store holds. */
  get capacity(): number {
    return this.size;
  }

  /** Bytes held (the positions' store and the anchors). */
  bytes(): number {
    if (this.kind === RUNS) return this.runs!.bytes;
    return (this.u8 ?? this.u16 ?? this.u32 ?? this.f64)!.byteLength + (this.f64 ? 0 : this.anchors.byteLength);
  }

  /** Bytes a position takes, anchors left out (0 on one cadence, else 1, 2, 4 or 8; for tests). */
  get width(): number {
    return this.kind;
  }

  /** The time at position `p`. */
  at(p: number): number {
    const kind = this.kind;
    if (kind === RUNS) return this.runs!.at(p);
    const q = p + this.pad;
    if (kind === U8) return this.anchors[q >> SHIFT]! + this.u8![q]! * this.unit;
    if (kind === U16) return this.anchors[q >> SHIFT]! + this.u16![q]! * this.unit;
    if (kind === U32) return this.anchors[q >> SHIFT]! + this.u32![q]! * this.unit;
    return this.f64![q]!;
  }

  /** Positions [from, to) into `out` from its start (a buffer's frame decodes a day of rows at each analysis). */
  read(from: number, to: number, out: Float64Array): void {
    const kind = this.kind;
    const pad = this.pad;
    if (kind === RUNS) this.runs!.read(from, to, out);
    else if (kind === PLAIN) out.set(this.f64!.subarray(from + pad, to + pad));
    // One loop per element type, each monomorphic.
    else if (kind === U8) decode8(this.u8!, this.anchors, this.unit, from + pad, to + pad, out);
    else if (kind === U16) decode16(this.u16!, this.anchors, this.unit, from + pad, to + pad, out);
    else decode32(this.u32!, this.anchors, this.unit, from + pad, to + pad, out);
  }

  /** Writes `t` at position `p`; the positions [lo, p) are live (read later), those after `p` are not. */
  set(p: number, t: number, lo: number): void {
    const kind = this.kind;
    if (kind === RUNS) {
      if (!this.runs!.write(p, t, lo)) this.refit(p, t, lo);
      return;
    }
    const q = p + this.pad;
    if (kind === PLAIN) {
      this.f64![q] = t;
      return;
    }
    const b = q >> SHIFT;
    let anchor = this.anchors[b]!;
    // The block's first write (no live position before it in the block) anchors it.
    if ((q & MASK) === 0 || p === lo || anchor !== anchor) {
      if (!Number.isSafeInteger(t)) return this.refit(p, t, lo);
      this.anchors[b] = anchor = t;
    }
    const unit = this.unit;
    const n = unit > 0 ? (t - anchor) / unit : t === anchor ? 0 : -1;
    const max = kind === U8 ? MAX8 : kind === U16 ? MAX16 : MAX32;
    if (n >= 0 && n <= max && Number.isInteger(n) && anchor + n * unit === t) {
      if (kind === U8) this.u8![q] = n;
      else if (kind === U16) this.u16![q] = n;
      else this.u32![q] = n;
      return;
    }
    this.refit(p, t, lo);
  }

  /**
   * Moves the live positions [from, to) to the start of a store of `size` positions. Whole
   * blocks move with their anchors (`pad` takes up the rest), so a move costs a copy, as it
   * did for plain offsets; after a write that re-encoded the store, the live times are
   * encoded afresh instead, in the narrowest unit and width they allow now.
   */
  relayout(from: number, to: number, size: number): void {
    if (this.kind === RUNS) {
      this.runs!.shift(from);
      this.size = size;
      this.refitted = false;
      this.oddAt = -1;
      return;
    }
    // Re-encoding while the write that widened the store and a time before it are both still
    // live would pick the same width and forget to look again: a day-long window would stay
    // wide for good after one outage or one time off the grid.
    const oddLive = this.oddAt > from && this.oddAt < to;
    this.oddAt = oddLive ? this.oddAt - from : -1;
    // Blocks whose times are in few runs again (an outage or a late poll has left) go: a count
    // of the live times' runs at each move, which stops at the limit.
    if (this.kind === PLAIN || (this.refitted && !oddLive) || this.fewRuns(from, to)) {
      const n = to - from;
      const times = decoded(n);
      this.read(from, to, times);
      this.refitted = oddLive;
      this.pad = 0;
      this.size = size;
      this.encode(times, n, size + MASK, 0);
      return;
    }
    const start = from + this.pad;
    const pad = start & MASK;
    const shift = start - pad;
    const end = to + this.pad;
    const old = (this.u8 ?? this.u16 ?? this.u32)!;
    const blocks = (size + 2 * MASK) >> SHIFT;
    const liveBlocks = ((end - shift + MASK) >> SHIFT);
    if (size === this.size) {
      old.copyWithin(0, shift, end);
      this.anchors.copyWithin(0, shift >> SHIFT, (shift >> SHIFT) + liveBlocks);
    } else {
      const store = new (old.constructor as new (n: number) => typeof old)(size + MASK);
      store.set(old.subarray(shift, end));
      const anchors = new Float64Array(blocks);
      anchors.set(this.anchors.subarray(shift >> SHIFT, (shift >> SHIFT) + liveBlocks));
      this.anchors = anchors;
      if (this.kind === U8) this.u8 = store as Uint8Array;
      else if (this.kind === U16) this.u16 = store as Uint16Array;
      else this.u32 = store as Uint32Array;
    }
    this.anchors.fill(Number.NaN, liveBlocks);
    this.pad = pad;
    this.size = size;
  }

  /** Whether the times at [from, to) are whole milliseconds in few enough runs of one cadence (stops past the limit). */
  private fewRuns(from: number, to: number): boolean {
    const limit = runLimit(to - from);
    let runs = 0;
    let start = 0;
    let first = 0;
    let step = Number.NaN;
    for (let p = from; p < to; p++) {
      const t = this.at(p);
      if (!Number.isSafeInteger(t)) return false;
      if (runs > 0) {
        if (step !== step && p === start + 1 && Number.isSafeInteger(t - first)) {
          step = t - first;
          continue;
        }
        if (t === first + (p - start) * step) continue;
      }
      if (++runs > limit) return false;
      start = p;
      first = t;
      step = Number.NaN;
    }
    return true;
  }

  /** Re-encodes the live positions [lo, p) and `t` at `p`, in place. */
  private refit(p: number, t: number, lo: number): void {
    const n = p - lo + 1;
    const times = decoded(n);
    this.read(lo, p, times);
    times[n - 1] = t;
    this.refitted = true;
    this.oddAt = p;
    // Positions before `lo` are not live: they keep their place and are never read again.
    this.encode(times, n, this.size + MASK, lo + this.pad);
  }

  /** Stores `times[0..n)` at store positions `at…` of a store of `size` (blocks with none of them start empty). */
  private encode(times: Float64Array, n: number, size: number, at = 0): void {
    const runs = this.runs ?? new CadenceRuns();
    if (runs.load(times, n, at - this.pad)) {
      this.kind = RUNS;
      this.runs = runs;
      this.u8 = this.u16 = this.u32 = this.f64 = null;
      this.anchors = NO_ANCHORS;
      this.pad = 0;
      return;
    }
    this.runs = null;
    const blocks = (size + MASK) >> SHIFT;
    const anchors = blocks === this.anchors.length ? this.anchors : new Float64Array(blocks);
    anchors.fill(Number.NaN);
    let exact = true;
    for (let i = 0; i < n && exact; i++) {
      const t = times[i]!;
      const b = (at + i) >> SHIFT;
      if (!Number.isSafeInteger(t)) exact = false;
      else if (!(anchors[b]! <= t)) anchors[b] = t;
    }
    // Each time becomes its distance from its anchor, then that in units. The unit: the gcd of
    // the first few distances, checked against all of them (a compaction runs this over a day
    // of times, and a gcd of every one took a fifth of the feature engine); the gcd of all when
    // the check fails.
    let unit = 0;
    for (let i = 0, seen = 0; i < n && exact && seen < 8; i++) {
      const d = times[i]! - anchors[(at + i) >> SHIFT]!;
      if (d > 0) (unit = gcd(d, unit)), seen++;
    }
    let most = 0;
    for (let i = 0; i < n && exact; i++) {
      const d = (times[i] = times[i]! - anchors[(at + i) >> SHIFT]!);
      const q = unit > 0 ? d / unit : d === 0 ? 0 : -1;
      if (!(Number.isInteger(q) && q * unit === d)) {
        for (let j = i + 1; j < n; j++) times[j] = times[j]! - anchors[(at + j) >> SHIFT]!;
        most = 0;
        for (let j = 0; j < n; j++) {
          unit = gcd(times[j]!, unit);
          if (times[j]! > most) most = times[j]!;
        }
        break;
      }
      if (d > most) most = d;
    }
    const steps = unit > 0 ? most / unit : 0;
    const kind = !exact || steps > MAX32 ? PLAIN : steps <= MAX8 ? U8 : steps <= MAX16 ? U16 : U32;
    this.anchors = anchors;
    this.unit = unit;
    const current = this.u8 ?? this.u16 ?? this.u32 ?? this.f64;
    const old = current && this.kind === kind && current.length === size ? current : null;
    this.u8 = this.u16 = this.u32 = this.f64 = null;
    this.kind = kind;
    if (kind === PLAIN) {
      // Distances may have been taken: the times again.
      if (exact) for (let i = 0; i < n; i++) times[i] = times[i]! + anchors[(at + i) >> SHIFT]!;
      const store = (this.f64 = (old as Float64Array | null) ?? new Float64Array(size));
      store.set(times.subarray(0, n), at);
      return;
    }
    for (let i = 0; i < n; i++) times[i] = unit > 0 ? times[i]! / unit : 0;
    const store = old ?? (kind === U8 ? new Uint8Array(size) : kind === U16 ? new Uint16Array(size) : new Uint32Array(size));
    store.set(times.subarray(0, n), at);
    if (kind === U8) this.u8 = store as Uint8Array;
    else if (kind === U16) this.u16 = store as Uint16Array;
    else this.u32 = store as Uint32Array;
  }
}

// A block at a time: its anchor, then each position's steps of the unit.
function decode8(n: Uint8Array, anchors: Float64Array, unit: number, from: number, to: number, out: Float64Array): void {
  for (let p = from; p < to; ) {
    const anchor = anchors[p >> SHIFT]!;
    for (const end = Math.min(to, (p | MASK) + 1); p < end; p++) out[p - from] = anchor + n[p]! * unit;
  }
}

function decode16(n: Uint16Array, anchors: Float64Array, unit: number, from: number, to: number, out: Float64Array): void {
  for (let p = from; p < to; ) {
    const anchor = anchors[p >> SHIFT]!;
    for (const end = Math.min(to, (p | MASK) + 1); p < end; p++) out[p - from] = anchor + n[p]! * unit;
  }
}

function decode32(n: Uint32Array, anchors: Float64Array, unit: number, from: number, to: number, out: Float64Array): void {
  for (let p = from; p < to; ) {
    const anchor = anchors[p >> SHIFT]!;
    for (const end = Math.min(to, (p | MASK) + 1); p < end; p++) out[p - from] = anchor + n[p]! * unit;
  }
}

/** The shared scratch, at least `n` long. */
function decoded(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  return scratch;
}
