import { expect, test } from "bun:test";
import { PageBytes, utf8 } from "./page-bytes.ts";
import { valueString } from "./text-format.ts";

const decoded = (out: PageBytes) => Buffer.from(out.view()).toString("utf8");

test("a value is written as the text prom-client writes for it, integers' digits included", () => {
  const values = [0.1 + 0.2, 1e-6, 9.99999e-7, -1e-6, 1e15 - 1, 1e15, 1e15 + 0.5, 999999999999999.9, 123456789012.345, 0.000123, 1.0000001, 2 ** 52 + 0.5, 0, -0, 1, -1, 9, 10, 99, 100, 123456789, -123456789, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 1e21, 1e-7, 0.1, 52.1, -8.47, 1764000000.123, 5e-324, Number.MAX_VALUE, NaN, Infinity, -Infinity];
  // And many random ones: integers of every size and doubles of every exponent.
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 5000; i++) {
    values.push(Math.round((random() - 0.5) * 10 ** Math.floor(random() * 12)));
    values.push((random() - 0.5) * 10 ** Math.floor(random() * 40 - 20));
    // A reading's or a time's few decimals, written from digits: every count of them, every size.
    const decimals = Math.floor(random() * 9);
    values.push((Math.round((random() - 0.5) * 10 ** Math.floor(random() * 18)) / 10 ** decimals));
  }
  // A small buffer, so writing has to grow it on the way.
  const out = new PageBytes(16);
  for (const v of values) {
    out.value(v);
    out.byte(10);
  }
  expect(decoded(out)).toBe(values.map((v) => `${valueString(v)}\n`).join(""));
});

test("text and pieces are written as their UTF-8, beyond Latin-1 too, and clearing starts over", () => {
  const out = new PageBytes(4);
  out.text('Brunnen Süd 🌊 "x"');
  out.bytes(utf8(",key=\"Ω\"} "));
  out.bytes(utf8("x".repeat(100)));
  expect(decoded(out)).toBe(`Brunnen Süd 🌊 "x",key="Ω"} ${"x".repeat(100)}`);
  out.clear();
  out.text("again");
  expect(decoded(out)).toBe("again");
});
