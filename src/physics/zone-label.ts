/**
 * A zone's name as an owner reads it. The POSIX `Etc/GMT±N` zones count the other way
 * (`Etc/GMT+7` is seven hours behind UTC), so they are told as UTC−7 with the name beside it.
 * Here, below every folder that tells a zone (analytics, events, commands), so all tell it alike.
 */
export function zoneLabel(timeZone: string): string {
  const m = /^Etc\/GMT([+-])(\d{1,2})$/.exec(timeZone);
  return m ? `UTC${m[1] === "+" ? "−" : "+"}${m[2]} (${timeZone})` : timeZone;
}

/**
 * A zone's short name at a moment as `Intl` gives it ("MST", "UTC", "GMT-7", "GMT+5:30"), with a
 * bare offset told as {@link zoneLabel} tells it ("UTC−7", "UTC+5:30"): Intl's "GMT-7" for
 * Etc/GMT+7 beside a header saying "UTC−7" named one zone two ways. Europe/London's "GMT" stays.
 */
export function shortZoneName(intlName: string): string {
  const m = /^GMT([+-])(\d{1,2}(?::\d\d)?)$/.exec(intlName);
  return m ? `UTC${m[1] === "-" ? "−" : "+"}${m[2]}` : intlName;
}
