/**
 * A zone's name as an owner reads it. The POSIX `Etc/GMT±N` zones count the other way
 * (`Etc/GMT+7` is seven hours behind UTC), so they are told as UTC−7 with the name beside it.
 * Here, below every folder that tells a zone (analytics, events, commands), so all tell it alike.
 */
export function zoneLabel(timeZone: string): string {
  const m = /^Etc\/GMT([+-])(\d{1,2})$/.exec(timeZone);
  return m ? `UTC${m[1] === "+" ? "−" : "+"}${m[2]} (${timeZone})` : timeZone;
}
