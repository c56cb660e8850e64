/**
 * The one rule for file and folder names built from portal or file data (a `user_label`, a
 * device name or id): one path segment of letters, digits, `.`, `_`, `-`, `@` and `+`, not
 * starting with a dot. A `CustomerInfo` of `../../../../tmp/x` or a CSV cell holding a
 * separator must never choose where nightowl writes or what it reads.
 */
import { NightowlError } from "./errors.ts";

const SEGMENT = /^[A-Za-z0-9_@+-][A-Za-z0-9_.@+-]*$/;

/** Longest segment accepted; file systems allow 255 bytes, and the rest of the name needs room. */
const MAX_SEGMENT = 128;

/** Whether `name` can be used as one path segment as it is. */
export function isSafeSegment(name: string): boolean {
  return name.length <= MAX_SEGMENT && SEGMENT.test(name);
}

/**
 * `name` as one path segment, refused when it is not one.
 * @param what names the value in the message, e.g. `user label`
 * @param hint what the user can do instead
 * @throws NightowlError E_DATA
 */
export function safeSegment(name: string, what: string, hint: string): string {
  if (isSafeSegment(name)) return name;
  const shown = JSON.stringify(name.length > MAX_SEGMENT ? `${name.slice(0, MAX_SEGMENT)}…` : name);
  throw new NightowlError("E_DATA", `${what} ${shown} cannot be a file or folder name (expected up to ${MAX_SEGMENT} letters, digits, ., _, -, @ or +, not starting with a dot); ${hint}`);
}

/** `name` made into one path segment: every other character run becomes `_`, a leading dot too. */
export function fileSafe(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^\.+/, "_").slice(0, MAX_SEGMENT);
  return safe === "" ? "_" : safe;
}
