/**
 * The shapes of the portal's five responses (see the API contract). Every response is checked
 * against one of these before the client reads it, so a malformed body becomes an E_PARSE that
 * names the endpoint and the field instead of a crash further down.
 */
import * as v from "valibot";

type PrimitiveUnion = v.UnionSchema<[v.StringSchema<undefined>, v.NumberSchema<undefined>, v.BooleanSchema<undefined>], undefined>;

/**
 * The union, with the values it accepts told by one `typeof`. valibot's union tries its options
 * in turn and every option that fails builds an issue (its message, the value stringified): for
 * a number that is two failed options, and a 2,000-device page holds 50,000 values, a 26-hour
 * warm-up millions. The answer is the union's: a value it would accept passes as it is (as
 * `v.string()`, `v.number()` and `v.boolean()` pass theirs), and any other goes through the
 * union itself, so its issue and message are unchanged.
 */
function withTypeofFastPath(union: PrimitiveUnion): PrimitiveUnion {
  const run: PrimitiveUnion["~run"] = (dataset, config) => {
    const type = typeof dataset.value;
    if (type === "string" || type === "boolean" || (type === "number" && !Number.isNaN(dataset.value))) {
      (dataset as { typed: boolean }).typed = true;
      return dataset as unknown as v.SuccessDataset<string | number | boolean>;
    }
    return union["~run"](dataset, config);
  };
  // `~standard` (Standard Schema's entry) stays the union's: the same answers, the slow way.
  return { ...union, "~run": run };
}

/** `POST /api/auth/login` and `POST /api/auth/token`: both answer a token pair (JWTs). */
export const TokenPairSchema = v.object({
  token: v.pipe(v.string(), v.minLength(1)),
  refreshToken: v.pipe(v.string(), v.minLength(1)),
});
export type TokenPair = v.InferOutput<typeof TokenPairSchema>;

/**
 * A telemetry or entity value as the portal sends it: a string ("52.4", "true", ""), a number,
 * or — with `useStrictDataTypes=true` — a JSON boolean (read as 1/0). Anything else (an
 * object, null) is a malformed answer for the keys we read.
 */
export const PortalValueSchema = withTypeofFastPath(v.union([v.string(), v.number(), v.boolean()]));
export type PortalValue = v.InferOutput<typeof PortalValueSchema>;

/** One latest value: epoch milliseconds and the value. */
export const TsValueSchema = v.object({
  ts: v.number(),
  value: PortalValueSchema,
});

/** `latest` of one entity: key type (ENTITY_FIELD, TIME_SERIES, ATTRIBUTE, …) → key → value. */
export const LatestSchema = v.record(v.string(), v.record(v.string(), TsValueSchema));

export const EntityDataSchema = v.object({
  entityId: v.object({
    entityType: v.optional(v.string()),
    id: v.pipe(v.string(), v.minLength(1)),
  }),
  latest: v.optional(LatestSchema, {}),
});
export type EntityData = v.InferOutput<typeof EntityDataSchema>;

/** `POST /api/entitiesQuery/find`: one page of devices with their latest values. */
export const EntityDataPageSchema = v.object({
  data: v.array(EntityDataSchema),
  totalPages: v.number(),
  totalElements: v.number(),
  hasNext: v.boolean(),
});
export type EntityDataPage = v.InferOutput<typeof EntityDataPageSchema>;

/** `GET …/values/timeseries`: key → points, oldest first with `orderBy=ASC`; keys without points absent. */
export const TimeseriesSchema = v.record(
  v.string(),
  v.array(v.object({ ts: v.number(), value: PortalValueSchema })),
);
export type TimeseriesResponse = v.InferOutput<typeof TimeseriesSchema>;

/**
 * `GET …/values/attributes`: a list of key/value pairs. Attributes are free-form on a
 * ThingsBoard portal (booleans, JSON objects); the client turns those into text.
 */
export const AttributesSchema = v.array(
  v.object({
    key: v.string(),
    value: v.union([v.string(), v.number(), v.boolean(), v.null(), v.record(v.string(), v.unknown()), v.array(v.unknown())]),
    lastUpdateTs: v.optional(v.number()),
  }),
);
export type AttributesResponse = v.InferOutput<typeof AttributesSchema>;

/** The portal's error body, e.g. `{"status": 401, "message": "Token has expired", "errorCode": 11}`. */
export const ErrorBodySchema = v.object({
  status: v.optional(v.number()),
  message: v.optional(v.string()),
  errorCode: v.optional(v.number()),
});
export type ErrorBody = v.InferOutput<typeof ErrorBodySchema>;
