/**
 * The shapes of the portal's five responses (see the API contract). Every response is checked
 * against one of these before the client reads it, so a malformed body becomes an E_PARSE that
 * names the endpoint and the field instead of a crash further down.
 */
import * as v from "valibot";

/** What the portal's value union accepts: a string, a boolean or a number that is not NaN. */
function isPortalValue(value: unknown): value is string | number | boolean {
  const type = typeof value;
  return type === "string" || type === "boolean" || (type === "number" && !Number.isNaN(value));
}

/**
 * `schema`, with the answer to a value `plain` says it takes as it is found without building
 * it. valibot copies every object it checks into its output (and its union builds an issue for
 * each option a value fails); a value whose every field has the expected type, and no record
 * holding a key valibot leaves out, is its own answer, once `complete` has set the defaults the
 * schema would. Any other value goes through the schema itself, so what it refuses and the
 * message naming the field are unchanged.
 */
function withFastPath<S extends v.GenericSchema>(schema: S, plain: (value: unknown) => boolean, complete: (value: never) => void = () => {}): S {
  const run: S["~run"] = (dataset, config) => {
    if (plain(dataset.value)) {
      complete(dataset.value as never);
      (dataset as { typed: boolean }).typed = true;
      return dataset as unknown as ReturnType<S["~run"]>;
    }
    return schema["~run"](dataset, config);
  };
  // `~standard` (Standard Schema's entry) stays the schema's: the same answers, the slow way.
  return { ...schema, "~run": run };
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
 *
 * With the values it accepts told by one `typeof` (`withFastPath`): valibot's union tries its
 * options in turn and every option that fails builds an issue (its message, the value
 * stringified); for a number that is two failed options, and a 2,000-device page holds 50,000
 * values, a 26-hour warm-up millions.
 */
export const PortalValueSchema = withFastPath(v.union([v.string(), v.number(), v.boolean()]), isPortalValue);
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

/** `POST /api/entitiesQuery/find`: one page of devices with their latest values, checked the slow way. */
export const CheckedEntityDataPageSchema = v.object({
  data: v.array(EntityDataSchema),
  totalPages: v.number(),
  totalElements: v.number(),
  hasNext: v.boolean(),
});

/** A JSON object (not an array), as the fast path below takes it. */
const isPlainObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
/** Keys a valibot record leaves out of its output: a page holding one goes the slow way. */
const isOddKey = (key: string) => key === "__proto__" || key === "prototype" || key === "constructor";

/** Whether `section` is a record of keys to `{ ts: number, value: string | number | boolean }` the schema takes as it is. */
function isPlainLatestSection(section: unknown): boolean {
  if (!isPlainObject(section)) return false;
  for (const key in section) {
    if (isOddKey(key)) return false;
    const reading = section[key];
    if (!isPlainObject(reading) || typeof reading.ts !== "number" || Number.isNaN(reading.ts)) return false;
    if (!isPortalValue(reading.value)) return false;
  }
  return true;
}

/** Whether an entity row is one the schema takes as it is (but for a missing `latest`, which defaults to `{}`). */
function isPlainEntity(entity: unknown): boolean {
  if (!isPlainObject(entity)) return false;
  const id = entity.entityId;
  if (!isPlainObject(id) || typeof id.id !== "string" || id.id.length < 1) return false;
  if ("entityType" in id && typeof id.entityType !== "string") return false;
  if (!("latest" in entity)) return true;
  const latest = entity.latest;
  if (!isPlainObject(latest)) return false;
  for (const key in latest) if (isOddKey(key) || !isPlainLatestSection(latest[key])) return false;
  return true;
}

/** Whether a page is one the schema takes as it is (but for entities without `latest`, which default to `{}`). */
function isPlainPage(page: unknown): boolean {
  return (
    isPlainObject(page) &&
    Array.isArray(page.data) &&
    typeof page.totalPages === "number" &&
    typeof page.totalElements === "number" &&
    typeof page.hasNext === "boolean" &&
    !Number.isNaN(page.totalPages) &&
    !Number.isNaN(page.totalElements) &&
    page.data.every(isPlainEntity)
  );
}

/**
 * `POST /api/entitiesQuery/find`: one page of devices with their latest values. A well-formed
 * page is its own answer (`withFastPath`): at 2,000 devices a page of 26 keys each is about
 * 60,000 objects valibot copied a poll, a tenth of a poll's JavaScript time with the parse.
 * Only fields nobody reads are kept beside the values, and a missing `latest` is set to `{}`
 * as the schema's default does.
 */
export const EntityDataPageSchema = withFastPath(CheckedEntityDataPageSchema, isPlainPage, (page: { data: Record<string, unknown>[] }) => {
  for (const entity of page.data) if (!("latest" in entity)) entity.latest = {};
});
export type EntityDataPage = v.InferOutput<typeof EntityDataPageSchema>;

/** `GET …/values/timeseries`, checked the slow way: key → points, oldest first with `orderBy=ASC`; keys without points absent. */
export const CheckedTimeseriesSchema = v.record(
  v.string(),
  v.array(v.object({ ts: v.number(), value: PortalValueSchema })),
);

/** Whether a history answer is one the schema takes as it is: arrays of `{ ts: number, value }` by key. */
function isPlainTimeseries(answer: unknown): boolean {
  if (!isPlainObject(answer)) return false;
  for (const key in answer) {
    const points = answer[key];
    if (isOddKey(key) || !Array.isArray(points)) return false;
    for (const point of points) if (!isPlainObject(point) || typeof point.ts !== "number" || Number.isNaN(point.ts) || !isPortalValue(point.value)) return false;
  }
  return true;
}

/**
 * The history answer, a well-formed one its own (`withFastPath`): a day of 26 keys is about
 * 37,000 points valibot copied, 5–9 ms of checking per answer, a warm-up's two or three answers
 * per device in the first poll (at 10,000 devices minutes of CPU); the check alone is about 1 ms.
 */
export const TimeseriesSchema = withFastPath(CheckedTimeseriesSchema, isPlainTimeseries);
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
