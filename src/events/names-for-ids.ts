/**
 * An event booked under a device's name (`3967997`) rather than its id never applies: events
 * match devices by id. Nothing can refuse it once it is in a file, so the commands that read a
 * file beside a history say so, naming the id the event meant.
 */
import type { OwnerEvent } from "./events-file.ts";

/** One line per event whose device id is the name, not the id, of a device of `devices`. */
export function eventsNamingDevices(events: readonly OwnerEvent[], devices: ReadonlyArray<{ deviceId: string; deviceName: string }>): string[] {
  const ids = new Set(devices.map((d) => d.deviceId));
  const byName = new Map<string, string>();
  for (const d of devices) if (d.deviceName !== d.deviceId) byName.set(d.deviceName, d.deviceId);
  const out: string[] = [];
  for (const e of events) {
    const id = ids.has(e.device_id) ? undefined : byName.get(e.device_id);
    if (id !== undefined) out.push(`event ${e.id} names device ${JSON.stringify(e.device_id)}, the name of device ${id}: events apply by id, so it applies to no device; give the id`);
  }
  return out;
}
