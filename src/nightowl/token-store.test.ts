import { expect, test } from "bun:test";
import { decodeJwtExp, decodeJwtTimes, TokenStore } from "./token-store.ts";

function jwt(payload: unknown): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${enc({ alg: "HS512", typ: "JWT" })}.${enc(payload)}.c2lnbmF0dXJl`;
}

test.each([
  { name: "numeric exp", token: jwt({ sub: "a@b.c", exp: 1_700_000_000 }), expected: 1_700_000_000 },
  { name: "base64url characters (- and _) in the payload", token: jwt({ sub: "??>>??~~", exp: 42 }), expected: 42 },
  { name: "no exp", token: jwt({ sub: "x" }), expected: undefined },
  { name: "exp as a string", token: jwt({ exp: "1700000000" }), expected: undefined },
  { name: "two segments", token: "abc.def", expected: undefined },
  { name: "payload not JSON", token: "a.bm90IGpzb24.c", expected: undefined },
  { name: "empty", token: "", expected: undefined },
])("decodeJwtExp: $name", ({ token, expected }) => {
  expect(decodeJwtExp(token)).toBe(expected);
});

test("decodeJwtExp: the payload really carries - or _ in base64url", () => {
  const token = jwt({ sub: "??>>??~~", exp: 42 });
  expect(/[-_]/.test(token.split(".")[1]!)).toBe(true);
});

test("TokenStore.action: use until margin before exp, then refresh, then login", () => {
  const store = new TokenStore(60);
  expect(store.action(0)).toBe("login");
  store.set({ token: jwt({ exp: 1000 }), refreshToken: jwt({ exp: 5000 }) });
  expect(store.action(939_999)).toBe("use");
  expect(store.action(940_000)).toBe("refresh");
  expect(store.action(4_939_999)).toBe("refresh");
  expect(store.action(4_940_000)).toBe("login");
  store.invalidateAccess();
  expect(store.accessToken).toBeUndefined();
  expect(store.action(0)).toBe("refresh");
  store.clear();
  expect(store.action(0)).toBe("login");
});

test("TokenStore.action: a token without exp is used until rejected", () => {
  const store = new TokenStore(60);
  store.set({ token: "opaque", refreshToken: "opaque2" });
  expect(store.action(Number.MAX_SAFE_INTEGER)).toBe("use");
});

test("decodeJwtTimes: exp and iat, each only when numeric", () => {
  expect(decodeJwtTimes(jwt({ iat: 100, exp: 200 }))).toEqual({ iat: 100, exp: 200 });
  expect(decodeJwtTimes(jwt({ iat: "100", exp: 200 }))).toEqual({ iat: undefined, exp: 200 });
  expect(decodeJwtTimes("not-a-jwt")).toEqual({});
});

test("TokenStore.action: a token living less than twice the margin is renewed at half its life", () => {
  const store = new TokenStore(60);
  store.set({ token: jwt({ iat: 1000, exp: 1030 }), refreshToken: jwt({ iat: 1000, exp: 1000 + 604_800 }) });
  expect(store.action(1_014_999)).toBe("use");
  expect(store.action(1_015_000)).toBe("refresh");
  // a long-lived token keeps the plain margin
  store.set({ token: jwt({ iat: 1000, exp: 10_000 }), refreshToken: jwt({ iat: 1000, exp: 1000 + 604_800 }) });
  expect(store.action(9_939_999)).toBe("use");
  expect(store.action(9_940_000)).toBe("refresh");
  expect(store.accessExpiresAt).toBe(10_000_000);
});
