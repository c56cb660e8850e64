import { expect, test } from "bun:test";
import { parseAccountsFile } from "./accounts-file.ts";

test("a list of accounts, optional fields left out", () => {
  const text = JSON.stringify([
    { label: "dgorman", username: " dan@example.com ", passwordFile: "secrets/dgorman" },
    { label: "co-op.2", username: "ops@example.org", passwordFile: "/run/secrets/coop", baseUrl: "https://portal.example.org", tenant: "t1" },
  ]);
  expect(parseAccountsFile(text, "accounts.json")).toEqual([
    { label: "dgorman", username: "dan@example.com", passwordFile: "secrets/dgorman" },
    { label: "co-op.2", username: "ops@example.org", passwordFile: "/run/secrets/coop", baseUrl: "https://portal.example.org", tenant: "t1" },
  ]);
});

test.each([
  ["{", /^a\.json is not JSON \(.+\): expected an array of accounts$/],
  ["[]", /^a\.json: expected a non-empty JSON array of accounts$/],
  ['{"label":"x"}', /^a\.json: expected a non-empty JSON array of accounts$/],
  ['[{"label":"x","username":"u"}]', /^a\.json: account 1 \("x"\), passwordFile: /],
  ['[{"label":"../x","username":"u","passwordFile":"p"}]', /^a\.json: account 1 \("\.\.\/x"\), label: a label of letters/],
  ['[{"label":"x","username":"u","passwordFile":"p","password":"hunter2"}]', /^a\.json: account 1 \("x"\), password: no field password; allowed: label, username, passwordFile, baseUrl, tenant$/],
  ['[{"label":"x","username":"u","passwordFile":"p","baseUrl":"ftp://h"}]', /^a\.json: account 1 \("x"\), baseUrl: an http:\/\/ or https:\/\/ URL$/],
  ['[{"label":"x","username":"u","passwordFile":"p"},{"label":"x","username":"v","passwordFile":"q"}]', /^a\.json: account 2: the label "x" is used twice$/],
])("%s is refused in one line", (text, message) => {
  expect(() => parseAccountsFile(text, "a.json")).toThrow(message);
});

test("a password given in the file itself is refused without echoing it", () => {
  let message = "";
  try {
    parseAccountsFile('[{"label":"x","username":"u","passwordFile":"p","password":"hunter2"}]', "a.json");
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).not.toContain("hunter2");
});
