/**
 * Removes secrets from text bound for a log line or an error message: servers echo requests
 * back in error bodies, and an error must never carry a password or token onward.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  // Short strings would blank out ordinary words; no real secret is that short.
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join("***");
  return out;
}

/**
 * Everything an `Authorization` header could be echoed as: the header, its credentials part,
 * and for Basic the decoded `user:password` and the password alone.
 */
export function authorizationSecrets(authorization: string | undefined): string[] {
  if (!authorization) return [];
  const credentials = authorization.replace(/^\w+ /, "");
  const out = [authorization, credentials];
  if (/^basic /i.test(authorization)) {
    const decoded = Buffer.from(credentials, "base64").toString("utf8");
    out.push(decoded, decoded.slice(decoded.indexOf(":") + 1));
  }
  return out;
}

/**
 * A URL given with `user:password@` split into the URL without them (safe to show) and the
 * Basic `Authorization` header they stand for; redact messages with `authorizationSecrets`.
 */
export function splitUrlCredentials(url: URL): { url: URL; authorization?: string } {
  if (!url.username && !url.password) return { url };
  const clean = new URL(url.href);
  const authorization = "Basic " + Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64");
  clean.username = "";
  clean.password = "";
  return { url: clean, authorization };
}

/**
 * `url` as it may be shown in a log line or a message: without the `user:password@` that
 * `splitUrlCredentials` takes out, and as written otherwise (no slash added). Not a URL: as is.
 */
export function displayUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const split = splitUrlCredentials(parsed);
  if (!split.authorization) return url;
  const shown = split.url.href;
  return shown.endsWith("/") && !url.endsWith("/") ? shown.slice(0, -1) : shown;
}
