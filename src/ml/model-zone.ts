/**
 * A model's time-of-day features (night, weekday, hour) were computed in the zone it was
 * trained in; scoring in another zone shifts them by the zones' difference, so the night
 * rules and the forest see the evening as night. This says so, in one line, when the two
 * zones never keep the same clock in the year. Names alone differ for aliases (UTC and
 * Etc/UTC score the same), and zones that agree part of the year differ by the daylight-saving
 * hour only — as a model trained on a site's standard time (the shipped one's Etc/GMT+7) and
 * the site's own zone (America/Denver) do — which the hour-of-day features take in their stride.
 */
import { zoneLabel } from "../physics/zone-label.ts";
import { zoneOffsets } from "../physics/zone-offsets.ts";
import { EMBEDDED_MODEL_PATH } from "./embedded-model.ts";
import type { LeakModel } from "./model-file.ts";

const HOUR_MS = 3_600_000;

/** The offsets (ms) of `timeZone` on the 1st of each month of the year holding `at`. */
function yearOffsets(timeZone: string, at: number): number[] {
  const year = new Date(at).getUTCFullYear();
  const zone = zoneOffsets(timeZone);
  return Array.from({ length: 12 }, (_, m) => zone.offsetAt(Date.UTC(year, m, 1, 12)));
}

/** Whether two zones keep the same clock in some month of the year holding `at`. */
export function clocksMeet(a: string, b: string, at = Date.now()): boolean {
  if (a === b) return true;
  const x = yearOffsets(a, at);
  const y = yearOffsets(b, at);
  return x.some((o, i) => o === y[i]);
}

/**
 * One line when `model` was trained in a zone whose clock never agrees with `timeZone` (the
 * sites' zone it is about to score in); undefined otherwise. `at` picks the year compared.
 */
export function modelZoneWarning(model: Pick<LeakModel, "featureOptions" | "path">, timeZone: string, at = Date.now()): string | undefined {
  const trained = model.featureOptions.timeZone;
  if (clocksMeet(trained, timeZone, at)) return undefined;
  const diff = (zoneOffsets(timeZone).offsetAt(at) - zoneOffsets(trained).offsetAt(at)) / HOUR_MS;
  const shift = `is ${Math.abs(diff)} h ${diff > 0 ? "ahead of" : "behind"} it today`;
  const features = `was trained with nights and weekdays in ${zoneLabel(trained)}, but the sites' zone ${zoneLabel(timeZone)} ${shift}: its time-of-day features are shifted`;
  // The usual cause is the sites' zone, not the model: a server kept in UTC (or anywhere but the
  // wells' zone) counts nights on its own clock until NIGHTOWL_TIMEZONE names the wells'. So that
  // comes first; a model of their own is the way out only when the zone is right.
  const notThere = `if your sites are not in ${zoneLabel(timeZone)}, set NIGHTOWL_TIMEZONE to their zone`;
  // The shipped model's zone is that of the sites it was trained on, not the user's: never
  // suggested as theirs.
  if (model.path === EMBEDDED_MODEL_PATH) return `the shipped leak model ${features}; ${notThere}; otherwise train a model on your sites' own history (nightowl train --timezone ${timeZone}) to score them in their zone`;
  return `the leak model${model.path ? ` ${model.path}` : ""} ${features}; ${notThere} (the model's is ${trained}); otherwise retrain it in ${timeZone}`;
}
