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
