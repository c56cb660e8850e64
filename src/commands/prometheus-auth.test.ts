import { expect, test } from "bun:test";
import { recordingLogger } from "../nightowl/test-support.ts";
import { prometheusAuth } from "./prometheus-auth.ts";

const noFile = (path: string): string => {
  throw Object.assign(new Error(`no ${path}`), { code: "ENOENT" });
};

test("--prometheus-username with --prometheus-password, or with the password read from a file (trailing newline dropped)", () => {
  const log = recordingLogger();
  expect(prometheusAuth({ prometheusUsername: "1953220", prometheusPassword: "tok" }, log)).toEqual({ username: "1953220", password: "tok", bearerToken: undefined });
  expect(prometheusAuth({ prometheusUsername: "1953220", prometheusPasswordFile: "/run/pw" }, log, () => "from-file\n")).toEqual({ username: "1953220", password: "from-file", bearerToken: undefined });
  // The flag puts the secret in the process list: one warning, none for the file.
  expect(log.lines).toEqual(["warn --prometheus-password shows the secret to every user of this machine in the process list (ps); prefer --prometheus-password-file"]);
});

test("the old --username/--password still reach Prometheus, with one deprecation warning", () => {
  const log = recordingLogger();
  expect(prometheusAuth({ username: "u", password: "p" }, log)).toEqual({ username: "u", password: "p", bearerToken: undefined });
  expect(log.lines.length).toBe(1);
  expect(log.lines[0]).toContain("--prometheus-username");
  expect(log.lines[0]).not.toContain("p\"");
});

test("the named flags win: --username is then the portal's and is not sent to Prometheus", () => {
  const log = recordingLogger();
  expect(prometheusAuth({ prometheusUsername: "prom", prometheusPassword: "tok", username: "me@example.com", password: "portal" }, log)).toEqual({ username: "prom", password: "tok", bearerToken: undefined });
  expect(log.lines).toEqual(["warn --prometheus-password shows the secret to every user of this machine in the process list (ps); prefer --prometheus-password-file"]);
});

test("--bearer-token-file reads the token (no warning); --bearer-token warns that ps shows it", () => {
  const log = recordingLogger();
  expect(prometheusAuth({ bearerTokenFile: "/run/token" }, log, () => "t0ken\n")).toEqual({ username: undefined, password: undefined, bearerToken: "t0ken" });
  expect(log.lines).toEqual([]);
  expect(prometheusAuth({ bearerToken: "t0ken" }, log)).toEqual({ username: undefined, password: undefined, bearerToken: "t0ken" });
  expect(log.lines).toEqual(["warn --bearer-token shows the secret to every user of this machine in the process list (ps); prefer --bearer-token-file"]);
});

test.each([
  [{ bearerToken: "t", prometheusUsername: "u" }, "--bearer-token and --prometheus-username cannot be combined: give one way to authenticate to Prometheus"],
  [{ bearerToken: "t", username: "u" }, "--bearer-token and --username cannot be combined: give one way to authenticate to Prometheus"],
  [{ prometheusPassword: "a", prometheusPasswordFile: "/b" }, "--prometheus-password and --prometheus-password-file cannot be combined: give the password one way"],
  [{ prometheusUsername: "u", prometheusPasswordFile: "/nonexistent/pw" }, '--prometheus-password-file "/nonexistent/pw" cannot be read (ENOENT): expected a readable file holding the password'],
])("%o is refused: %s", (flags, message) => {
  expect(() => prometheusAuth(flags, recordingLogger(), noFile)).toThrow(message);
});
