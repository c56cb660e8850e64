/** Helpers of the ring tests (narrow-ring.test.ts, decimal-ring.test.ts). */
import { ringCapacity } from "./narrow-ring.ts";
import { Random } from "./random.ts";

/**
 * Drives a ring like its owners do (push at the tail, drop from the head, compact when the
 * tail reaches the store's end) and checks every live position against a plain array, bit for
 * bit. Returns the store size it ended with.
 */
export function follow(ring: { at(i: number): number; compact(size: number, head: number, tail: number): void }, set: (i: number, x: number, head: number) => void, values: readonly number[], seed: number): number {
  const rnd = new Random(seed);
  let size = 64;
  let origin = 0;
  let head = 0;
  for (let tail = 0; tail < values.length; tail++) {
    if (tail - origin >= size) {
      size = ringCapacity(tail - head, size);
      ring.compact(size, head, tail);
      origin = head;
    }
    set(tail, values[tail]!, head);
    if (rnd.uniform() < 0.4) head = Math.min(tail, head + Math.floor(rnd.uniform() * 3));
    for (let i = head; i <= tail; i++) {
      if (!Object.is(ring.at(i), values[i])) throw new Error(`position ${i}: ${ring.at(i)}, stored ${values[i]}`);
    }
  }
  return size;
}

export function series(n: number, seed: number, next: (rnd: () => number, prev: number) => number, first: number): number[] {
  const generator = new Random(seed);
  const rnd = () => generator.uniform();
  const out = [first];
  while (out.length < n) out.push(next(rnd, out.at(-1)!));
  return out;
}
