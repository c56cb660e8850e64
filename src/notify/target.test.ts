import { expect, test } from "bun:test";
import { redactSecrets } from "../redact.ts";
import { parseTarget } from "./target.ts";

test.each([
  ["https://ntfy.sh/well-alerts-7f3a", "ntfy", "https://ntfy.sh/well-alerts-7f3a"],
  ["ntfy+https://ntfy.example.org/well", "ntfy", "https://ntfy.example.org/well"],
  ["json+https://ha.local:8123/api/webhook/abc123", "json", "https://ha.local:8123/api/webhook/abc123"],
  ["https://hooks.slack.com/services/T0/B0/XYZ", "json", "https://hooks.slack.com/services/T0/B0/XYZ"],
])("%s posts %s to %s", (text, format, url) => {
  const t = parseTarget(text);
  expect([t.format, t.url]).toEqual([format, url]);
});

test("the display name and scrubbed errors carry no part of the path, query or user info", () => {
  const t = parseTarget("json+https://bot:pa55word@hooks.example.com/services/T0AB/B0CD/s3cretT0ken?auth=qu3ryToken");
  expect(t.display).toBe("https://hooks.example.com/…");
  const error = `fetch https://bot:pa55word@hooks.example.com/services/T0AB/B0CD/s3cretT0ken?auth=qu3ryToken failed; token qu3ryToken; path s3cretT0ken`;
  const scrubbed = redactSecrets(error, t.secrets);
  for (const secret of ["pa55word", "s3cretT0ken", "qu3ryToken"]) expect(scrubbed).not.toContain(secret);
});
