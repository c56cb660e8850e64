/**
 * HS256 JSON Web Tokens (RFC 7519) as ThingsBoard issues them: the client reads `exp` from
 * the payload to know when to refresh. Keys are random per simulator run.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export type JwtPayload = Record<string, unknown> & { sub: string; iat: number; exp: number };

const b64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

export function newSigningKey(): Buffer {
  return randomBytes(32);
}

export function signJwt(payload: JwtPayload, key: Buffer): string {
  const head = b64url(JSON.stringify({ alg: "HS256" }));
  const body = b64url(JSON.stringify(payload));
  const signature = createHmac("sha256", key).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${signature}`;
}

/** The payload of a valid token, "expired" (checked against `nowMs`, real time), or "invalid". */
export function verifyJwt(token: string, key: Buffer, nowMs: number): JwtPayload | "expired" | "invalid" {
  const parts = token.split(".");
  if (parts.length !== 3) return "invalid";
  const expected = createHmac("sha256", key).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2], "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "invalid";
  let payload: JwtPayload;
  try {
    payload = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as JwtPayload;
  } catch {
    return "invalid";
  }
  if (typeof payload.exp !== "number" || nowMs >= payload.exp * 1000) return "expired";
  return payload;
}
