/**
 * Numbers on the command line and in the environment through the real program: every command
 * reads them by the one rule (src/number-rule.ts), so `0x10`, `1e3` and the empty string are
 * refused alike, with one line naming the flag or variable, the value and what is allowed.
 */
import { expect, test } from "bun:test";
import { runCli } from "./cli-process.ts";

test.each([
  [["train", "--from-file", "none.csv", "--n-estimators", "0x10"], {}, '--n-estimators "0x10" is not allowed: expected a whole number from 1 to 10000 (trees)'],
  [["train", "--from-file", "none.csv", "--seed", "1e3"], {}, '--seed "1e3" is not allowed: expected a whole number from 0 to 4294967295'],
  [["score", "--from-file", "none.csv", "--days", "1e3"], {}, '--days "1e3" is not allowed: expected a number in (0, 36500] (days)'],
  [["report", "--from-file", "none.csv", "--step", ""], {}, '--step "" is not allowed: expected a number in (0, 86400] (seconds)'],
  [["fetch-history", "--limit", "1e3"], {}, '--limit "1e3" is not allowed: expected a whole number from 1 to 10000000 (points per key per call)'],
  [["simulate", "--port", "0x1F90"], {}, '--port "0x1F90" is not allowed: expected a whole number from 0 to 65535'],
  [["run", "--demo", "--poll-interval", "1e3"], {}, '--poll-interval "1e3" is not allowed: expected a whole number from 10 to 86400 (seconds)'],
  [["poll-once"], { NIGHTOWL_PAGE_SIZE: "0x10" }, 'NIGHTOWL_PAGE_SIZE="0x10" is not allowed: expected a whole number from 1 to 1000'],
] as const)("%p %o: one line, exit 2", async (args, env, message) => {
  const r = await runCli([...args], { ...env });
  expect({ code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({ code: 2, stderr: `nightowl: ${message}\n`, stdout: "" });
});
