import { expect, test } from "bun:test";
import { displayUrl } from "./redact.ts";

test.each([
  ["http://u:hunter2@127.0.0.1:8080", "http://127.0.0.1:8080"],
  ["https://u:p%40ss@portal.example.org/api/", "https://portal.example.org/api/"],
  ["http://only-user@host/x", "http://host/x"],
  ["https://portal.watersystem.live", "https://portal.watersystem.live"],
  ["not a url", "not a url"],
])("displayUrl(%p) is %p", (url, shown) => {
  expect(displayUrl(url)).toBe(shown);
});
