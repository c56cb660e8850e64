import { expect, test } from "bun:test";
import { NightowlError } from "./errors.ts";
import { fileSafe, isSafeSegment, safeSegment } from "./safe-path.ts";

test("names in any script are one path segment, NFC-normalised", () => {
  for (const name of ["dgorman", "müller", "jgarcía", "農場", "фермер", "ω-7", "a.b_c-d@e+f", "नमस्ते"]) expect(isSafeSegment(name)).toBe(true);
  // The same name typed with a combining umlaut: accepted, and the same folder as the precomposed one.
  const decomposed = "mu\u0308ller";
  expect(isSafeSegment(decomposed)).toBe(true);
  expect(safeSegment(decomposed, "user label", "")).toBe("müller");
});

test("separators, dot names, spaces, control and format characters, and over-long names are refused", () => {
  for (const name of ["", ".", "..", ".hidden", "../x", "a/b", "a\\b", "Müller Farm", "a\nb", "a\u0000b", "evil\u202egpj", "\u0308x", "x".repeat(129), "農".repeat(43)]) {
    expect(isSafeSegment(name)).toBe(false);
  }
  expect(isSafeSegment("農".repeat(42))).toBe(true); // 126 bytes
  expect(() => safeSegment("../../tmp/x", "user label", "give --model-path")).toThrow(NightowlError);
  expect(() => safeSegment("Müller Farm", "user label", "give --model-path")).toThrow(/user label "Müller Farm" cannot be a file or folder name/);
});

test("fileSafe keeps letters of any script and cuts by whole characters", () => {
  expect(fileSafe("Müller Farm")).toBe("Müller_Farm");
  expect(fileSafe("農場 / well")).toBe("農場_well");
  expect(fileSafe("../x")).toBe("__x");
  expect(fileSafe("\u0308x")).toBe("_x");
  expect(fileSafe("")).toBe("_");
  const long = fileSafe("農".repeat(100));
  expect(long).toBe("農".repeat(42));
  expect(isSafeSegment(long)).toBe(true);
});
