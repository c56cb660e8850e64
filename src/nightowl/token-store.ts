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
 * The `exp` claim of a JWT in epoch seconds, or undefined when the token is not a JWT or
 * carries no numeric `exp`.
 */
export function decodeJwtExp(token: string): number | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    // base64url (RFC 4648 §5) without padding; Buffer accepts it as is.
    const json = Buffer.from(parts[1], "base64url").toString("utf8");
    const payload: unknown = JSON.parse(json);
    if (payload && typeof payload === "object" && "exp" in payload) {
      const exp = (payload as { exp: unknown }).exp;
      if (typeof exp === "number" && Number.isFinite(exp)) return exp;
    }
  } catch {
    // not a JWT we can read: treat as "expiry unknown"
  }
  return undefined;
}

export class TokenStore {
  private access: string | undefined;
  private refresh: string | undefined;
  /** Epoch ms, undefined when unknown. */
  private accessExpMs: number | undefined;
  private refreshExpMs: number | undefined;

  /**
   * @param refreshMarginSeconds refresh this many seconds before the access token's `exp`, so
   *   a call never goes out with a token about to expire in flight.
   */
  constructor(private readonly refreshMarginSeconds = 60) {}

  /** Keep a fresh pair from login or refresh. */
  set(pair: TokenPair): void {
    this.access = pair.token;
    this.refresh = pair.refreshToken;
    const accessExp = decodeJwtExp(pair.token);
    const refreshExp = decodeJwtExp(pair.refreshToken);
    this.accessExpMs = accessExp === undefined ? undefined : accessExp * 1000;
    this.refreshExpMs = refreshExp === undefined ? undefined : refreshExp * 1000;
  }

  /** Forget the access token (the portal rejected it) but keep the refresh token. */
  invalidateAccess(): void {
    this.access = undefined;
    this.accessExpMs = undefined;
  }

  /** Forget both tokens (the refresh token was rejected too). */
  clear(): void {
    this.access = undefined;
    this.refresh = undefined;
    this.accessExpMs = undefined;
    this.refreshExpMs = undefined;
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
   * refresh token is itself still valid; otherwise log in. A token without a readable `exp` is
   * used until the portal rejects it.
   * @param nowMs the current time in epoch milliseconds
   */
  action(nowMs: number): TokenAction {
    const marginMs = this.refreshMarginSeconds * 1000;
    if (this.access !== undefined && (this.accessExpMs === undefined || nowMs < this.accessExpMs - marginMs)) {
      return "use";
    }
    if (this.refresh !== undefined && (this.refreshExpMs === undefined || nowMs < this.refreshExpMs - marginMs)) {
      return "refresh";
    }
    return "login";
  }
}
