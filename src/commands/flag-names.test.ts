import { afterAll, expect, test } from "bun:test";
import { NightowlError } from "../errors.ts";
import { fetchPrometheusHistory } from "../history/prometheus-source.ts";
import { resolveRange } from "../history/time-range.ts";
import { withFlagNames } from "./flag-names.ts";

const refusing = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("no", { status: 401 }) });
afterAll(() => refusing.stop(true));

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("did not throw");
}

test("the core names its options; the command's message names its flags, same code", async () => {
  const core = await fetchPrometheusHistory({ url: `http://127.0.0.1:${refusing.port}`, startMs: 0, endMs: 60_000 }).catch((e: unknown) => e);
  expect((core as Error).message).toContain("answered HTTP 401 (check auth)");
  const shown = withFlagNames(core, { auth: "--prometheus-username/--prometheus-password or --bearer-token" }) as NightowlError;
  expect([shown.code, shown.message]).toEqual(["E_HTTP", expect.stringContaining("answered HTTP 401 (check --prometheus-username/--prometheus-password or --bearer-token): no")]);

  const range = caught(() => resolveRange({ days: "7", since: "2024-06-01" }, 0));
  expect((range as Error).message).toBe("days and since exclude each other: give days N (optionally with until), or since with until");
  expect((withFlagNames(range, { days: "--days", since: "--since", until: "--until" }) as Error).message).toBe(
    "--days and --since exclude each other: give --days N (optionally with --until), or --since with --until",
  );
});

test("anything else passes through unchanged", () => {
  const other = new NightowlError("E_IO", "disk full");
  expect(withFlagNames(other, { x: "--x" })).toBe(other);
});
