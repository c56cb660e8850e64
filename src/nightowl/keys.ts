/** Telemetry and attribute keys of a NightOwl Flex well system, as the original monitor requested them. */

export const DEFAULT_TIMESERIES_KEYS: readonly string[] = [
  "Well_Level-1", "S1", "S2", "Level1_precent",
  "P1V1", "P1V2", "P1V3", "P1C1", "P1C2", "P1C3", "P1Hz",
  "P2V1", "P2V2", "P2V3", "P2C1", "P2C2", "P2C3", "P2Hz",
  "P3V1", "P3V2", "P3V3", "P3C1", "P3C2", "P3C3", "P3Hz",
  "Pulse_TotalGallons",
];

export const DEFAULT_ATTRIBUTE_KEYS: readonly string[] = [
  "CustomerInfo", "Location", "SiteInfo", "active", "edgedata_status",
  "S1_name", "S2_name", "Level1_Name",
];

export const DEFAULT_SUMMARY_KEYS: readonly string[] = ["Well_Level-1", "Level1_precent", "Pulse_TotalGallons"];

/**
 * The original monitor's `user_label`: first initial + last word of `CustomerInfo`, lower-cased
 * ("Dan Gorman" → "dgorman"; one word → that word; empty → "unknown").
 */
export function userLabelFor(customerInfo: string | null | undefined): string {
  const words = (customerInfo ?? "").trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return "unknown";
  if (words.length === 1) return words[0]!.toLowerCase();
  return (words[0]![0]! + words[words.length - 1]!).toLowerCase();
}
