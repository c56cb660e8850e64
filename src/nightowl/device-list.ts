/**
 * The device list: every device of the account with its latest values, read page by page from
 * the entity-data query, and the domain snapshot built from each row.
 */
import type { Logger } from "../log.ts";
import type { PortalCall } from "./http.ts";
import { userLabelFor } from "./keys.ts";
import { EntityDataPageSchema, type EntityData, type PortalValue } from "./schemas.ts";
import { rawValueOf, type DeviceSnapshot, type Reading } from "./snapshot.ts";
import { boundedText, isPlausibleTimestamp, isPortalId, quotedText } from "./values.ts";

/** What the device list asks for. */
export interface DeviceQuery {
  timeseriesKeys: readonly string[];
  attributeKeys: readonly string[];
  /** Devices per page (≥ 1). */
  pageSize: number;
  /** Cancels the walk (a stopping `run` must not wait for a slow portal). */
  signal?: AbortSignal;
}

/**
 * The largest device page asked for. The portal states no maximum; ThingsBoard serves any size,
 * but a page is one response held whole in memory (about 3 KB a device with the default keys),
 * so 1000 keeps one answer near 3 MB while 10,000 devices still take only 10 calls a poll.
 */
export const MAX_PAGE_SIZE = 1000;

/**
 * Safety stop for a portal whose `hasNext` never turns false while sending new devices on
 * every page: far beyond any real account (a thousand pages of up to a thousand devices).
 */
export const MAX_PAGES = 1_000;

/**
 * Every device with its latest values, following `hasNext` across pages (the original monitor
 * read page 0 only). Devices are sorted by name by the portal; a device listed on two pages
 * (the list changed between calls) is kept once.
 * @param query.pageSize devices per page (≥ 1)
 * @param query.signal cancels the poll (a stopping `run` must not wait for a slow portal)
 */
export async function listDevices(call: PortalCall, log: Logger, query: DeviceQuery): Promise<DeviceSnapshot[]> {
  const pageSize = Math.max(1, Math.floor(query.pageSize));
  const latestValues = [
    ...query.timeseriesKeys.map((key) => ({ key, type: "TIME_SERIES" })),
    ...query.attributeKeys.map((key) => ({ key, type: "ATTRIBUTE" })),
  ];
  const seen = new Set<string>();
  const devices: DeviceSnapshot[] = [];
  // The first page's totalPages bounds the walk (one more page allows for a device added meanwhile).
  let lastPage = MAX_PAGES - 1;
  let accountPages = 0;
  for (let page = 0; ; page++) {
    if (page > lastPage) {
      log.warn(
        accountPages > MAX_PAGES
          ? // An honest account bigger than the walk's bound, read in small pages: what is left out, and the fix.
            `POST /api/entitiesQuery/find: the account has ${accountPages.toLocaleString("en-US")} pages of ${pageSize} devices and a poll reads at most ${MAX_PAGES.toLocaleString("en-US")}; ` +
              `only the first ${devices.length.toLocaleString("en-US")} devices are polled: raise the page size (NIGHTOWL_PAGE_SIZE or --page-size, up to ${MAX_PAGE_SIZE})`
          : `POST /api/entitiesQuery/find: the portal still says hasNext after ${page} pages (totalPages ${lastPage === MAX_PAGES - 1 ? "beyond " + MAX_PAGES : lastPage}); stopped there`,
      );
      break;
    }
    const body = {
      entityFilter: { type: "entityType", resolveMultiple: true, entityType: "DEVICE" },
      pageLink: {
        page,
        pageSize,
        textSearch: null,
        dynamic: false,
        sortOrder: { key: { key: "name", type: "ENTITY_FIELD" }, direction: "ASC" },
      },
      entityFields: [
        { key: "type", type: "ENTITY_FIELD" },
        { key: "name", type: "ENTITY_FIELD" },
      ],
      latestValues,
    };
    const result = await call({ method: "POST", path: "/api/entitiesQuery/find", body, signal: query.signal }, EntityDataPageSchema);
    if (page === 0 && Number.isSafeInteger(result.totalPages) && result.totalPages >= 1) {
      accountPages = result.totalPages;
      lastPage = Math.min(lastPage, result.totalPages);
    }
    let fresh = 0;
    for (const entity of result.data) {
      const id = entity.entityId.id;
      if (seen.has(id)) continue;
      seen.add(id);
      fresh++;
      if (!isPortalId(id)) {
        log.warn(`device id ${quotedText(id)} is not a UUID, the portal's id shape; skipped that device`);
        continue;
      }
      devices.push(snapshotOf(entity));
    }
    if (!result.hasNext || result.data.length === 0) break;
    if (fresh === 0) {
      log.warn(`POST /api/entitiesQuery/find: page ${page} says hasNext but repeats devices already read; stopped there`);
      break;
    }
  }
  return devices;
}

/**
 * Readings with a value and a plausible time (a `ts` of 1e309 would make `last_seen` +Inf);
 * text cut to a bounded length, since it ends up in labels and log lines.
 */
function readingsOf(section: Record<string, { ts: number; value: PortalValue }> | undefined): Record<string, Reading> {
  const out: Record<string, Reading> = {};
  if (!section) return out;
  for (const [key, { ts, value }] of Object.entries(section)) {
    const raw = rawValueOf(value);
    if (raw !== undefined && isPlausibleTimestamp(ts)) out[key] = { ts, value: typeof raw === "string" ? boundedText(raw) : raw };
  }
  return out;
}

/** The domain snapshot of one entity-data row. */
export function snapshotOf(entity: EntityData): DeviceSnapshot {
  const fields = entity.latest.ENTITY_FIELD ?? {};
  const attributes = readingsOf(entity.latest.ATTRIBUTE);
  const customer = attributes.CustomerInfo?.value;
  const name = fields.name ? rawValueOf(fields.name.value) : undefined;
  const type = fields.type ? rawValueOf(fields.type.value) : undefined;
  return {
    id: entity.entityId.id,
    name: boundedText(name === undefined ? entity.entityId.id : String(name)),
    type: boundedText(type === undefined ? "" : String(type)),
    userLabel: userLabelFor(customer === undefined ? undefined : String(customer)),
    telemetry: readingsOf(entity.latest.TIME_SERIES),
    attributes,
  };
}
