import { expect, test } from "bun:test";
import { loadConfig } from "../load-config.ts";
import { credentialSources } from "./portal.ts";

const files: Record<string, string> = { "/run/pw": "secret" };
const load = (sources: Parameters<typeof loadConfig>[0]) => loadConfig({ readFile: (path) => files[path]!, ...sources });

test.each([
  ["flags", { env: {}, flags: { username: "me@example.com", passwordFile: "/run/pw" } }, "--username and --password-file"],
  ["variables", { env: { NIGHTOWL_USERNAME: "me@example.com", NIGHTOWL_PASSWORD: "secret" } }, "NIGHTOWL_USERNAME and NIGHTOWL_PASSWORD"],
  ["a flag and a variable", { env: { NIGHTOWL_PASSWORD_FILE: "/run/pw" }, flags: { username: "me@example.com" } }, "--username and NIGHTOWL_PASSWORD_FILE"],
  ["the .env file", { env: {}, dotenv: "NIGHTOWL_USERNAME=me@example.com\nNIGHTOWL_PASSWORD=secret\n" }, "NIGHTOWL_USERNAME (from .env) and NIGHTOWL_PASSWORD (from .env)"],
  ["an accounts file", { env: {}, flags: { accountsFile: "/etc/nightowl/accounts.json" } }, "the first account's username and passwordFile in --accounts-file"],
])("a refused login names where the credentials came from: %s", (_name, sources, named) => {
  expect(credentialSources(load(sources))).toBe(named);
});
