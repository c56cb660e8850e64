import { expect, test } from "bun:test";
import * as v from "valibot";
import { CheckedEntityDataPageSchema, CheckedTimeseriesSchema, EntityDataPageSchema, PortalValueSchema, TimeseriesSchema } from "./schemas.ts";

const UNION = v.union([v.string(), v.number(), v.boolean()]);
const VALUES: unknown[] = ["52.4", "", "true", 0, -1.5, 1e300, true, false, null, undefined, {}, [], [1], Number.NaN, 10n];

/** What a parse tells: success, output, and each issue's path, expectation and message. */
function outcome(result: v.SafeParseResult<v.GenericSchema>) {
  return { success: result.success, output: result.output, issues: result.issues?.map((i) => ({ path: v.getDotPath(i), expected: i.expected, received: i.received, message: i.message })) };
}

/**
 * The fast path's answer to each input is the schema's (the same refusals, paths and messages;
 * the same values read), and the first input, well-formed, is its own answer: nothing copied.
 */
function expectSameAnswers(slowSchema: v.GenericSchema, fastSchema: v.GenericSchema, inputs: unknown[]): void {
  // Through JSON, as the client gets an answer: an own "__proto__" key stays one.
  const copy = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;
  for (const input of inputs) {
    const slow = v.safeParse(slowSchema, copy(input));
    const fast = v.safeParse(fastSchema, copy(input));
    expect(outcome(fast).issues).toEqual(outcome(slow).issues);
    expect(fast.success).toBe(slow.success);
    // What a reader of the answer finds is the schema's own answer.
    if (fast.success) expect(v.parse(slowSchema, fast.output)).toEqual(slow.output);
  }
  const wellFormed = copy(inputs[0]);
  expect(v.parse(fastSchema, wellFormed)).toBe(wellFormed);
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

test("a page takes the fast path only where the schema would give the same answer: the same refusals and messages, the same values read", () => {
  const reading = (value: unknown, ts: unknown = 1_764_000_000_000) => ({ ts, value });
  const entity = (extra: Record<string, unknown> = {}) => ({ entityId: { entityType: "DEVICE", id: "0f3c-1" }, latest: { ENTITY_FIELD: { name: reading("Well 1") }, TIME_SERIES: { S1: reading("52.4"), S2: reading(51), P1: reading(true) } }, ...extra });
  const page = (data: unknown[], extra: Record<string, unknown> = {}) => ({ data, totalPages: 1, totalElements: data.length, hasNext: false, ...extra });
  const pages: unknown[] = [
    page([entity(), entity()]),
    page([]),
    page([{ entityId: { id: "x" } }]), // no latest: the schema's default {}
    page([entity({ aggLatest: {}, readAttrs: true })], { extra: 1 }), // fields nobody reads
    page([{ entityId: { id: "x" }, latest: { TIME_SERIES: { S1: reading("1"), constructor: reading("2") } } }]), // keys a record leaves out
    JSON.parse('{"data":[{"entityId":{"id":"x"},"latest":{"TIME_SERIES":{"__proto__":{"ts":1,"value":"2"},"S1":{"ts":1,"value":"3"}}}}],"totalPages":1,"totalElements":1,"hasNext":false}'),
    JSON.parse('{"data":[{"entityId":{"id":"x"},"latest":{"__proto__":{"S1":{"ts":1,"value":"2"}}}}],"totalPages":1,"totalElements":1,"hasNext":false}'),
    page([{ entityId: { id: "" }, latest: {} }]),
    page([{ entityId: { id: "x", entityType: 3 }, latest: {} }]),
    page([{ entityId: ["x"], latest: {} }]),
    page([{ entityId: { id: "x" }, latest: null }]),
    page([{ entityId: { id: "x" }, latest: [] }]),
    page([{ entityId: { id: "x" }, latest: { TIME_SERIES: [reading("1")] } }]),
    page([{ entityId: { id: "x" }, latest: { TIME_SERIES: { S1: reading(null) } } }]),
    page([{ entityId: { id: "x" }, latest: { TIME_SERIES: { S1: reading({}) } } }]),
    page([{ entityId: { id: "x" }, latest: { TIME_SERIES: { S1: reading("1", "1764") } } }]),
    page([{ entityId: { id: "x" }, latest: { TIME_SERIES: { S1: { value: "1" } } } }]),
    page([entity(), "not an entity"]),
    page([entity()], { totalPages: "1" }),
    page([entity()], { hasNext: undefined }),
    { data: {}, totalPages: 1, totalElements: 0, hasNext: false },
    [entity()],
    null,
  ];
  expectSameAnswers(CheckedEntityDataPageSchema, EntityDataPageSchema, pages);
});

test("a history answer takes the fast path only where the schema would give the same answer: the same refusals and messages, the same points read", () => {
  const points = [{ ts: 1_764_000_000_000, value: "52.4" }, { ts: 1_764_000_060_000, value: 51 }, { ts: 1_764_000_120_000, value: true }];
  const answers: unknown[] = [
    { S1: points, P1: points.slice(0, 1) },
    {},
    { S1: [] },
    { S1: [{ ...points[0], extra: 1 }] }, // a field nobody reads
    { S1: points, constructor: points }, // a key a record leaves out
    JSON.parse('{"__proto__":[{"ts":1,"value":"2"}],"S1":[{"ts":1,"value":"3"}]}'),
    { S1: [{ ts: 1, value: null }] },
    { S1: [{ ts: 1, value: {} }] },
    { S1: [{ ts: "1", value: "2" }] },
    { S1: [{ value: "2" }] },
    { S1: [points[0], "not a point"] },
    { S1: [[1, "2"]] },
    { S1: { 0: points[0] } },
    { S1: null },
    [points],
    null,
    "S1",
  ];
  expectSameAnswers(CheckedTimeseriesSchema, TimeseriesSchema, answers);
});
