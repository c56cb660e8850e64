import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { loadConfig } from "../load-config.ts";
import { silentLogger } from "../log.ts";
import { startSimulator, type Simulator } from "../sim/server.ts";
import { openAccounts } from "./accounts.ts";
import { credentialSources, openPortal } from "./portal.ts";

const files: Record<string, string> = { "/run/pw": "secret" };
const load = (sources: Parameters<typeof loadConfig>[0]) => loadConfig({ readFile: (path) => files[path]!, ...sources });

test.each([
  ["flags", { env: {}, flags: { username: "me@example.com", passwordFile: "/run/pw" } }, 'the password in --password-file "/run/pw", the username in --username and, if the account needs one, the tenant (--tenant or NIGHTOWL_TENANT)'],
  ["variables", { env: { NIGHTOWL_USERNAME: "me@example.com", NIGHTOWL_PASSWORD: "secret" } }, "the password in NIGHTOWL_PASSWORD, the username in NIGHTOWL_USERNAME and, if the account needs one, the tenant (--tenant or NIGHTOWL_TENANT)"],
  ["a flag and a variable", { env: { NIGHTOWL_PASSWORD_FILE: "/run/pw" }, flags: { username: "me@example.com" } }, 'the password in NIGHTOWL_PASSWORD_FILE="/run/pw", the username in --username and, if the account needs one, the tenant (--tenant or NIGHTOWL_TENANT)'],
  ["the .env file", { env: {}, dotenv: "NIGHTOWL_USERNAME=me@example.com\nNIGHTOWL_PASSWORD=secret\nNIGHTOWL_TENANT=acme\n" }, "the password in NIGHTOWL_PASSWORD (from .env), the username in NIGHTOWL_USERNAME (from .env) and the tenant in NIGHTOWL_TENANT (from .env)"],
  ["an accounts file", { env: {}, flags: { accountsFile: "/etc/nightowl/accounts.json" } }, 'the account\'s username, passwordFile and tenant in --accounts-file "/etc/nightowl/accounts.json"'],
])("a refused login names where the credentials came from: %s", (_name, sources, named) => {
  expect(credentialSources(load(sources))).toBe(named);
});

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, devices: 1, seed: 3, username: "owner@example.com", password: "right-password" });
});
afterAll(async () => {
  await sim.stop();
});

test("login() of one account: a refusal is one line naming the account, its tenant and the portal, never the password, exit 2", async () => {
  const config = load({ env: { NIGHTOWL_BASE_URL: sim.url, NIGHTOWL_USERNAME: "owner@example.com", NIGHTOWL_PASSWORD: "Wr0ng-Passw0rd", NIGHTOWL_TENANT: "acme" } });
  const portal = await openPortal(config, silentLogger, false, { retries: 0 });
  const error = await portal.login().then(() => undefined, (e: unknown) => e);
  expect(error).toMatchObject({
    code: "E_AUTH",
    exitCode: 2,
    message: `the portal refused the login of "owner@example.com" (tenant "acme") at ${sim.url} (HTTP 401: Invalid username or password): check the password in NIGHTOWL_PASSWORD, the username in NIGHTOWL_USERNAME and the tenant in NIGHTOWL_TENANT`,
  });
});

test("login() over an accounts file of one account: that account, named by its label in the same words", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nightowl-portal-"));
  writeFileSync(join(dir, "a.password"), "Wr0ng-Passw0rd\n");
  const file = join(dir, "accounts.json");
  const config = load({ env: { NIGHTOWL_ACCOUNTS_FILE: file } });
  const portal = openAccounts(config, [{ label: "home", username: "owner@example.com", passwordFile: "a.password", baseUrl: sim.url }], file, silentLogger, {
    registry: new Registry(),
    deadlineMs: 5000,
    concurrency: 1,
    readFile: (path) => readFileSync(path, "utf8"),
    client: () => ({ retries: 0 }),
  });
  const error = await portal.login().then(() => undefined, (e: unknown) => e);
  expect(error).toMatchObject({
    code: "E_AUTH",
    exitCode: 2,
    message: `the portal refused the login of "owner@example.com" at ${sim.url} (HTTP 401: Invalid username or password): check account "home"'s username, passwordFile and tenant in NIGHTOWL_ACCOUNTS_FILE=${JSON.stringify(file)}`,
  });
});

test("a refused password with white space at an end says so (only one final line break of the file is dropped), never showing it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nightowl-portal-"));
  const file = join(dir, "password");
  writeFileSync(file, "right-password \n");
  const config = load({ env: { NIGHTOWL_BASE_URL: sim.url, NIGHTOWL_USERNAME: "owner@example.com", NIGHTOWL_PASSWORD_FILE: file }, readFile: (path) => readFileSync(path, "utf8") });
  const error = (await (await openPortal(config, silentLogger, false, { retries: 0 })).login().then(() => undefined, (e: unknown) => e)) as Error;
  expect(error.message).toEndWith(
    `check the password in NIGHTOWL_PASSWORD_FILE=${JSON.stringify(file)}, the username in NIGHTOWL_USERNAME and, if the account needs one, the tenant (--tenant or NIGHTOWL_TENANT); the password read from the file begins or ends with white space, which is sent as part of it (only the file's one final line break is dropped)`,
  );
  expect(error.message).not.toContain("right-password");
  writeFileSync(file, "Wr0ng-Passw0rd\n");
  const plain = load({ env: { NIGHTOWL_BASE_URL: sim.url, NIGHTOWL_USERNAME: "owner@example.com", NIGHTOWL_PASSWORD_FILE: file }, readFile: (path) => readFileSync(path, "utf8") });
  const refused = (await (await openPortal(plain, silentLogger, false, { retries: 0 })).login().then(() => undefined, (e: unknown) => e)) as Error;
  expect(refused.message).not.toContain("white space");
});
