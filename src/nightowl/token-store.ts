/**
 * The access and refresh tokens of one session, and the decision when to use, refresh or
 * replace them. The portal's tokens are JWTs whose payload carries `exp` (seconds since the
 * epoch, RFC 7519 §4.1.4); nothing else in them is read and their signature is not checked —
 * the portal does that.
 */
import type { TokenPair } from "./schemas.ts";

/** What the client should do before its next call. */
export type TokenAction = "use" | "refresh" | "login";

/**
 * The `exp` and `iat` claims of a JWT in epoch seconds; a claim that is missing or not a number
 * is undefined, and so are both when the token is not a JWT.
 */
export function decodeJwtTimes(token: string): { exp?: number; iat?: number } {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) return {};
  try {
    // base64url (RFC 4648 §5) without padding; Buffer accepts it as is.
    const payload: unknown = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    if (!payload || typeof payload !== "object") return {};
    const claim = (name: string): number | undefined => {
      const value = (payload as Record<string, unknown>)[name];
      return typeof value === "number" && Number.isFinite(value) ? value : undefined;
    };
    return { exp: claim("exp"), iat: claim("iat") };
  } catch {
    // not a JWT we can read: treat as "expiry unknown"
    return {};
  }
}

/** The `exp` claim of a JWT in epoch seconds, or undefined when the token carries none. */
export function decodeJwtExp(token: string): number | undefined {
  return decodeJwtTimes(token).exp;
}

/**
 * When to stop using a token, epoch ms: `marginSeconds` before `exp`, but never earlier than
 * half its lifetime (`exp − iat`), so a short-lived token is not renewed on every call.
 */
function renewAt(times: { exp?: number; iat?: number }, marginSeconds: number): number | undefined {
  if (times.exp === undefined) return undefined;
  const lifetime = times.iat !== undefined && times.exp > times.iat ? times.exp - times.iat : Number.POSITIVE_INFINITY;
  return (times.exp - Math.min(marginSeconds, lifetime / 2)) * 1000;
}

export class TokenStore {
  private access: string | undefined;
  private refresh: string | undefined;
  /** Epoch ms after which the token is no longer used; undefined when its expiry is unknown. */
  private accessRenewAt: number | undefined;
  private refreshRenewAt: number | undefined;
  private accessExpMs: number | undefined;

  /**
   * @param refreshMarginSeconds refresh this many seconds before the access token's `exp` (at
   *   most half its lifetime), so a call never goes out with a token about to expire in flight.
   */
  constructor(private readonly refreshMarginSeconds = 60) {}

  /** Keep a fresh pair from login or refresh. */
  set(pair: TokenPair): void {
    this.access = pair.token;
    this.refresh = pair.refreshToken;
    const access = decodeJwtTimes(pair.token);
    this.accessExpMs = access.exp === undefined ? undefined : access.exp * 1000;
    this.accessRenewAt = renewAt(access, this.refreshMarginSeconds);
    this.refreshRenewAt = renewAt(decodeJwtTimes(pair.refreshToken), this.refreshMarginSeconds);
  }

  /** Forget the access token (the portal rejected it) but keep the refresh token. */
  invalidateAccess(): void {
    this.access = undefined;
    this.accessExpMs = undefined;
    this.accessRenewAt = undefined;
  }

  /** Forget both tokens (the refresh token was rejected too). */
  clear(): void {
    this.access = undefined;
    this.refresh = undefined;
    this.accessExpMs = undefined;
    this.accessRenewAt = undefined;
    this.refreshRenewAt = undefined;
  }

  get accessToken(): string | undefined {
    return this.access;
  }

  get refreshToken(): string | undefined {
    return this.refresh;
  }

  /** The access token's expiry in epoch ms, when known. */
  get accessExpiresAt(): number | undefined {
    return this.accessExpMs;
  }

  /**
   * Use the access token until `refreshMarginSeconds` before its `exp`; then refresh while the
   * refresh token is itself still good by the same rule; otherwise log in. A token without a
   * readable `exp` is used until the portal rejects it.
   * @param nowMs the current time in epoch milliseconds
   */
  action(nowMs: number): TokenAction {
    if (this.access !== undefined && (this.accessRenewAt === undefined || nowMs < this.accessRenewAt)) return "use";
    if (this.refresh !== undefined && (this.refreshRenewAt === undefined || nowMs < this.refreshRenewAt)) return "refresh";
    return "login";
  }
}
