import { expect, test } from "bun:test";
import * as v from "valibot";
import { EntityDataPageSchema, PortalValueSchema, TimeseriesSchema } from "./schemas.ts";

const UNION = v.union([v.string(), v.number(), v.boolean()]);
const VALUES: unknown[] = ["52.4", "", "true", 0, -1.5, 1e300, true, false, null, undefined, {}, [], [1], Number.NaN, 10n];

/** What a parse tells: success, output, and each issue's path, expectation and message. */
function outcome(result: v.SafeParseResult<v.GenericSchema>) {
  return { success: result.success, output: result.output, issues: result.issues?.map((i) => ({ path: v.getDotPath(i), expected: i.expected, received: i.received, message: i.message })) };
}

test.each(VALUES.map((x) => [x]))("a portal value %p parses as valibot's union parses it", (value) => {
  expect(outcome(v.safeParse(PortalValueSchema, value))).toEqual(outcome(v.safeParse(UNION, value)));
});

test("in a page and in a history answer, a bad value is named by the same path and message", () => {
  const page = { data: [{ entityId: { id: "d" }, latest: { TIME_SERIES: { S1: { ts: 1, value: 52 }, S2: { ts: 1, value: { x: 1 } } } } }], totalPages: 1, totalElements: 1, hasNext: false };
  const issue = v.safeParse(EntityDataPageSchema, page).issues![0]!;
  expect([v.getDotPath(issue), issue.expected, issue.received]).toEqual(["data.0.latest.TIME_SERIES.S2.value", "(string | number | boolean)", "Object"]);
  const history = v.safeParse(TimeseriesSchema, { S1: [{ ts: 1, value: "52.1" }, { ts: 2, value: null }] });
  expect(v.getDotPath(history.issues![0]!)).toBe("S1.1.value");
  expect(v.safeParse(TimeseriesSchema, { S1: [{ ts: 1, value: "52.1" }, { ts: 2, value: 52 }, { ts: 3, value: false }] }).output).toEqual({ S1: [{ ts: 1, value: "52.1" }, { ts: 2, value: 52 }, { ts: 3, value: false }] });
});
