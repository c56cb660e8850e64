/**
 * The one rule for numbers typed by a user, in a variable, a `.env` line or a flag: plain
 * decimal notation (an optional sign, digits, an optional fraction), inside stated bounds.
 * No exponent (`1e3`), no hex (`0x10`), no `Infinity`, no empty string: what a person types
 * for a count or a duration, and nothing a typo turns into another number.
 */

/** What a number setting or flag accepts. */
export interface NumberRule {
  /** Whole numbers only: no fraction part at all (`10.0` is refused as well). */
  integer: boolean;
  min: number;
  max: number;
  /** `min` itself is refused (a number in (min, max]). */
  minExclusive?: boolean;
  /** Shown after the bounds, e.g. "seconds". */
  unit?: string;
}

const DECIMAL = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;
const WHOLE = /^[+-]?[0-9]+$/;

/** The number `text` holds under `rule`, or undefined when it breaks the rule. */
export function parseNumber(text: string, rule: NumberRule): number | undefined {
  const s = text.trim();
  if (!(rule.integer ? WHOLE : DECIMAL).test(s)) return undefined;
  const n = Number(s);
  if (!Number.isFinite(n) || (rule.integer && !Number.isSafeInteger(n))) return undefined;
  if (rule.minExclusive ? n <= rule.min : n < rule.min) return undefined;
  if (n > rule.max) return undefined;
  return n === 0 ? 0 : n; // no -0
}

/** What `rule` allows, as the error line's "expected …" says it. */
export function describeNumber(rule: NumberRule): string {
  const unit = rule.unit ? ` (${rule.unit})` : "";
  if (rule.minExclusive) return `a number in (${rule.min}, ${rule.max}]${unit}`;
  return `${rule.integer ? "a whole number" : "a number"} from ${rule.min} to ${rule.max}${unit}`;
}

/**
 * The one error line for a refused value: `--flag "value"` or `VARIABLE="value"` (how each is
 * written), then what is allowed. `shown` is the value as it may be shown (quoted, or hidden).
 */
export function notAllowedMessage(source: string, shown: string, expected: string): string {
  return `${source}${source.startsWith("--") ? " " : "="}${shown} is not allowed: expected ${expected}`;
}
