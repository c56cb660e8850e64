import { expect, test } from "bun:test";
import { localTimeZone } from "./local-zone.ts";

const missing = () => {
  throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
};

test.each([
  ["TZ names the zone", { TZ: "America/Denver" }, "/usr/share/zoneinfo/Europe/Paris", { timeZone: "America/Denver", source: "TZ" }],
  ["TZ with glibc's leading colon", { TZ: ":America/Denver" }, missing, { timeZone: "America/Denver", source: "TZ" }],
  ["TZ as a zoneinfo path", { TZ: "/usr/share/zoneinfo/Asia/Tokyo" }, missing, { timeZone: "Asia/Tokyo", source: "TZ" }],
  ["an unknown TZ falls through to /etc/localtime", { TZ: "Mars/Olympus" }, "/usr/share/zoneinfo/Europe/Paris", { timeZone: "Europe/Paris", source: "/etc/localtime" }],
  ["no TZ: the /etc/localtime link", {}, "../usr/share/zoneinfo/America/Chicago", { timeZone: "America/Chicago", source: "/etc/localtime" }],
  ["a posix/ link target", {}, "/usr/share/zoneinfo/posix/America/Chicago", { timeZone: "America/Chicago", source: "/etc/localtime" }],
  ["nothing readable: UTC", {}, missing, { timeZone: "UTC", source: "default" }],
] as const)("%s", (_name, env, link, expected) => {
  const readlink = typeof link === "string" ? () => link : link;
  expect(localTimeZone({ env: { ...env }, readlink, readFile: missing })).toEqual(expected);
});

test("/etc/timezone when /etc/localtime is a copy, not a link", () => {
  expect(localTimeZone({ env: {}, readlink: missing, readFile: () => "America/Boise\n" })).toEqual({ timeZone: "America/Boise", source: "/etc/timezone" });
});
