import { expect, test } from "bun:test";
import { sentence } from "./sentence.ts";

test.each([
  ["flow all night", "flow all night."],
  ["a toilet flapper refilling?", "a toilet flapper refilling?"],
  ["ran 3.2 h.", "ran 3.2 h."],
])("sentence(%p) is %p", (text, expected) => {
  expect(sentence(text)).toBe(expected);
});
