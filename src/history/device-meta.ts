/**
 * What fetch-history keeps of a device: enough to label every output (CSV cells, series
 * labels, file names) and to write `devices.json`. Stored in the checkpoint, so a resumed run
 * labels its output exactly as the interrupted one did, even if the portal changed meanwhile.
 */
import * as v from "valibot";
import type { DeviceSnapshot } from "../nightowl/snapshot.ts";
import type { HistoryMeta } from "../nightowl/history-csv.ts";

export const DeviceMetaSchema = v.object({
  id: v.string(),
  name: v.string(),
  /** Device profile, e.g. "NightOwl Flex". */
  type: v.string(),
  userLabel: v.string(),
  /** `CustomerInfo`, when known. */
  customer: v.optional(v.string()),
  /** `SiteInfo`, else `Location`, when known. */
  site: v.optional(v.string()),
  /** Latest attributes as the portal sent them. */
  attributes: v.record(v.string(), v.union([v.string(), v.number()])),
});

export type DeviceMeta = v.InferOutput<typeof DeviceMetaSchema>;

/**
 * A device's customer (`CustomerInfo`) and site (`SiteInfo`, else `Location`) from its
 * attributes: every history output and frame labels devices by this one rule. A value that is
 * blank once trimmed counts as absent, so a blank `SiteInfo` falls back to `Location`; others
 * are kept trimmed. Absent fields are left out.
 */
export function customerAndSite(attributes: DeviceSnapshot["attributes"]): { customer?: string; site?: string } {
  const text = (key: string): string | undefined => {
    const value = attributes[key]?.value;
    const trimmed = value === undefined ? "" : String(value).trim();
    return trimmed === "" ? undefined : trimmed;
  };
  const customer = text("CustomerInfo");
  const site = text("SiteInfo") ?? text("Location");
  return { ...(customer !== undefined ? { customer } : {}), ...(site !== undefined ? { site } : {}) };
}

/** The metadata of a polled device. */
export function deviceMetaOf(snapshot: DeviceSnapshot): DeviceMeta {
  const attributes: Record<string, string | number> = {};
  for (const key of Object.keys(snapshot.attributes).sort()) attributes[key] = snapshot.attributes[key]!.value;
  return { id: snapshot.id, name: snapshot.name, type: snapshot.type, userLabel: snapshot.userLabel, attributes, ...customerAndSite(snapshot.attributes) };
}

/** The per-device cells of a history CSV row. */
export function historyMetaOf(device: DeviceMeta): HistoryMeta {
  return { userLabel: device.userLabel, deviceId: device.id, deviceName: device.name, customer: device.customer, site: device.site };
}
