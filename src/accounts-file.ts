/**
 * `NIGHTOWL_ACCOUNTS_FILE`: many NightOwl accounts watched by one `run`. A JSON array, one
 * object per account:
 *
 *   [{ "label": "dgorman", "username": "dan@example.com", "passwordFile": "secrets/dgorman",
 *      "baseUrl": "https://portal.watersystem.live", "tenant": "optional" }]
 *
 * Passwords stay in files of their own (a relative `passwordFile` is read from the accounts
 * file's folder), so the list itself holds no secret. Checked whole before anything starts:
 * one line naming the account and the field at fault.
 */
import { readFileSync, statSync } from "node:fs";
import * as v from "valibot";
import { NightowlError } from "./errors.ts";

/** More accounts than any one process should poll; a bound on a hostile or mistaken file. */
export const MAX_ACCOUNTS = 10_000;
/** Largest accounts file read, bytes. */
export const MAX_ACCOUNTS_FILE_BYTES = 4 << 20;

const LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const AccountSchema = v.strictObject({
  label: v.pipe(v.string(), v.regex(LABEL, "a label of letters, digits, '.', '_' or '-' (at most 64)")),
  username: v.pipe(v.string(), v.trim(), v.nonEmpty("a user name")),
  passwordFile: v.pipe(v.string(), v.trim(), v.nonEmpty("the path of a file holding the password")),
  baseUrl: v.optional(v.pipe(v.string(), v.trim(), v.url("an http:// or https:// URL"), v.regex(/^https?:\/\//i, "an http:// or https:// URL"))),
  tenant: v.optional(v.pipe(v.string(), v.trim())),
});

export type AccountEntry = v.InferOutput<typeof AccountSchema>;

/**
 * The accounts `text` lists. `source` names the file in errors.
 * @throws NightowlError E_CONFIG for anything but a non-empty array of valid, uniquely labelled accounts
 */
export function parseAccountsFile(text: string, source: string): AccountEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new NightowlError("E_CONFIG", `${source} is not JSON (${(error as Error).message}): expected an array of accounts`);
  }
  if (!Array.isArray(data) || data.length === 0) throw new NightowlError("E_CONFIG", `${source}: expected a non-empty JSON array of accounts`);
  if (data.length > MAX_ACCOUNTS) throw new NightowlError("E_CONFIG", `${source}: ${data.length} accounts, more than ${MAX_ACCOUNTS}; split them across processes (--shard does not split accounts)`);
  const seen = new Set<string>();
  return data.map((raw, i) => {
    const result = v.safeParse(AccountSchema, raw);
    const name = typeof (raw as { label?: unknown })?.label === "string" ? ` (${JSON.stringify((raw as { label: string }).label.slice(0, 64))})` : "";
    if (!result.success) {
      const issue = result.issues[0];
      const field = v.getDotPath(issue) ?? "(the entry)";
      const expected = issue.type === "strict_object" ? `no field ${field}; allowed: label, username, passwordFile, baseUrl, tenant` : issue.message;
      throw new NightowlError("E_CONFIG", `${source}: account ${i + 1}${name}, ${field}: ${expected}`);
    }
    if (seen.has(result.output.label)) throw new NightowlError("E_CONFIG", `${source}: account ${i + 1}: the label ${JSON.stringify(result.output.label)} is used twice`);
    seen.add(result.output.label);
    return result.output;
  });
}

/** The accounts file's text; one line naming it (as the user gave it, `named`) when it cannot be read or is too big. */
export function readAccountsFile(path: string, named = `NIGHTOWL_ACCOUNTS_FILE=${JSON.stringify(path)}`): string {
  try {
    const size = statSync(path).size;
    if (size > MAX_ACCOUNTS_FILE_BYTES) throw new NightowlError("E_CONFIG", `${named} is ${size} bytes, more than ${MAX_ACCOUNTS_FILE_BYTES}`);
    return readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof NightowlError) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new NightowlError("E_CONFIG", `${named} cannot be read (${reason}): expected a JSON list of accounts`, { cause: error });
  }
}
