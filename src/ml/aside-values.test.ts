import { expect, test } from "bun:test";
import { AsideValues } from "./aside-values.ts";
import { Random } from "./random.ts";

test("values kept aside read back by index as a ring writes and forgets them", () => {
  const rnd = new Random(41);
  const aside = new AsideValues();
  const model = new Map<number, number>();
  let head = 0;
  for (let i = 0; i < 20_000; i++) {
    if (rnd.uniform() < 0.5) head = Math.min(i, head + Math.floor(rnd.uniform() * 3));
    for (const [j] of model) if (j < head) model.delete(j);
    if (rnd.uniform() < 0.1) {
      const x = i + 1 / 3;
      aside.add(i, x, head);
      model.set(i, x);
      // Those before `head` are forgotten as a value is added.
      expect(aside.size).toBe(model.size);
    }
    for (const [j, x] of model) expect(aside.get(j)).toBe(x);
  }
});

test("a rewrite forgets what was kept at and after its index; clear lets everything go", () => {
  const aside = new AsideValues();
  for (let i = 0; i < 10; i++) aside.add(i, -i, 0);
  aside.add(4, 44, 2); // positions 0–1 no longer live, 4… written again
  expect(aside.size).toBe(3);
  expect([aside.get(2), aside.get(3), aside.get(4)]).toEqual([-2, -3, 44]);
  aside.clear();
  expect(aside.size).toBe(0);
  aside.add(7, 0.5, 7);
  expect(aside.get(7)).toBe(0.5);
});

/** A number's 64 bits, so a negative zero or a last-place difference reads as different. */
const bits = (xs: readonly number[]) => [...new BigUint64Array(new Float64Array(xs).buffer)];

test("forgetFrom and forgetBefore between adds keep the rest bit for bit, and forgetBefore lets the storage go with the last value", () => {
  const rnd = new Random(7);
  const aside = new AsideValues();
  const storage = () => (aside as unknown as { at: Float64Array | null }).at;
  // Values a decimal ring keeps aside: no short decimal form, a negative zero, a subnormal.
  const odd = [1 / 3, -0, 5e-324, -7.333333333333333, Number.MAX_VALUE];
  const model = new Map<number, number>();
  let head = 0;
  let i = 0;
  let released = 0;
  for (let step = 0; step < 3_000; step++) {
    const r = rnd.uniform();
    if (r < 0.6) {
      i += 1 + Math.floor(rnd.uniform() * 3);
      const x = odd[step % odd.length]! * (step + 1);
      aside.add(i, x, head);
      for (const j of model.keys()) if (j < head) model.delete(j);
      model.set(i, x);
    } else if (r < 0.8) {
      // A rewrite from a recent index.
      const from = i - Math.floor(rnd.uniform() * 4);
      aside.forgetFrom(from);
      for (const j of model.keys()) if (j >= from) model.delete(j);
    } else {
      head = Math.min(i + 1, head + Math.floor(rnd.uniform() * 12));
      const had = model.size;
      aside.forgetBefore(head);
      for (const j of model.keys()) if (j < head) model.delete(j);
      if (had > 0 && model.size === 0) {
        expect(storage()).toBeNull();
        released++;
      }
    }
    expect(aside.size).toBe(model.size);
    const kept = [...model.keys()];
    expect(bits(kept.map((j) => aside.get(j)))).toEqual(bits([...model.values()]));
    expect(bits(kept.map((j) => aside.find(j, 0.5)))).toEqual(bits([...model.values()]));
    expect(aside.find(i + 1, 0.5)).toBe(0.5);
  }
  // The storage was let go more than once, and taken again by the adds after.
  expect(released).toBeGreaterThan(1);
});
