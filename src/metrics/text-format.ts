/**
 * The pieces of the Prometheus text format 0.0.4 exactly as prom-client writes them: a
 * sample's value, its label set, the escapes. The page's rendering (exposition.ts) and the
 * per-device families (device-family.ts) write through these, so both stay byte for byte
 * what `registry.metrics()` gives.
 */

/** A sample's value: prom-client's `getValueAsString`. */
export function valueString(value: number): string {
  if (Number.isNaN(value)) return "Nan";
  if (!Number.isFinite(value)) return value < 0 ? "-Inf" : "+Inf";
  return `${value}`;
}

/** `{a="x",b="y"}`, or "" for no labels; `shared` after the own labels, as a histogram's. */
export function labelText(labels: Readonly<Record<string, string | number>>, shared?: Readonly<Record<string, string | number>>): string {
  const text = labelPairs(labels, shared);
  return text ? `{${text}}` : "";
}

/** `a="x",b="y"`: the label pairs without braces. */
export function labelPairs(labels: Readonly<Record<string, string | number>>, shared?: Readonly<Record<string, string | number>>): string {
  // Concatenation, not arrays and joins: this runs once per new device's label text and for every series of the prom-client families.
  let text = "";
  for (const key in labels) {
    if (shared && Object.hasOwn(shared, key)) continue;
    text += `${text ? "," : ""}${key}="${escapeLabelValue(labels[key]!)}"`;
  }
  if (shared) for (const key in shared) text += `${text ? "," : ""}${key}="${escapeLabelValue(shared[key]!)}"`;
  return text;
}

/** Most strings need no escape: one scan finds out. */
const NEEDS_ESCAPE = /[\\\n]/;
const LABEL_NEEDS_ESCAPE = /[\\\n"]/;

/** A name's or a help text's escapes. */
export function escapeString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n") : s;
}

export function escapeLabelValue(value: string | number): string | number {
  if (typeof value !== "string" || !LABEL_NEEDS_ESCAPE.test(value)) return value;
  return escapeString(value).replace(/"/g, '\\"');
}
