/**
 * The one rule for file and folder names built from portal or file data (a `user_label`, a
 * device name or id): one path segment of letters and digits of any script (`müller`, `農場`,
 * `jgarcía`), combining marks, `.`, `_`, `-`, `@` and `+`, not starting with a dot or a mark,
 * at most 128 bytes of UTF-8. Names are NFC-normalised first, so `müller` typed with a
 * combining umlaut and with the precomposed letter name the same folder. Separators, control
 * and format characters (bidirectional overrides), spaces and every other symbol are refused:
 * a `CustomerInfo` of `../../../../tmp/x` or a CSV cell holding a separator must never choose
 * where nightowl writes or what it reads.
 */
import { NightowlError } from "./errors.ts";

const SEGMENT = /^[\p{L}\p{Nd}_@+-][\p{L}\p{M}\p{Nd}_.@+-]*$/u;

/** Longest segment accepted, in UTF-8 bytes; file systems allow 255, and the rest of the name needs room. */
const MAX_SEGMENT_BYTES = 128;

const encoder = new TextEncoder();

function utf8Bytes(name: string): number {
  return encoder.encode(name).length;
}

/** Whether `name`, NFC-normalised, can be used as one path segment. */
export function isSafeSegment(name: string): boolean {
  const nfc = name.normalize("NFC");
  return utf8Bytes(nfc) <= MAX_SEGMENT_BYTES && SEGMENT.test(nfc);
}

/**
 * `name` as one path segment (NFC-normalised), refused when it is not one.
 * @param what names the value in the message, e.g. `user label`
 * @param hint what the user can do instead
 * @throws NightowlError E_DATA
 */
export function safeSegment(name: string, what: string, hint: string): string {
  if (isSafeSegment(name)) return name.normalize("NFC");
  const shown = JSON.stringify(name.length > MAX_SEGMENT_BYTES ? `${name.slice(0, MAX_SEGMENT_BYTES)}…` : name);
  throw new NightowlError("E_DATA", `${what} ${shown} cannot be a file or folder name (expected up to ${MAX_SEGMENT_BYTES} bytes of letters or digits of any script, ., _, -, @ or +, not starting with a dot); ${hint}`);
}

/** `name` made into one path segment: NFC, every other character run becomes `_`, a leading dot or mark too, cut to the byte limit. */
export function fileSafe(name: string): string {
  const replaced = name.normalize("NFC").replace(/[^\p{L}\p{M}\p{Nd}._-]+/gu, "_").replace(/^[.\p{M}]+/u, "_");
  let out = "";
  let bytes = 0;
  // Cut by whole characters, never inside one.
  for (const ch of replaced) {
    bytes += utf8Bytes(ch);
    if (bytes > MAX_SEGMENT_BYTES) break;
    out += ch;
  }
  return out === "" ? "_" : out;
}
