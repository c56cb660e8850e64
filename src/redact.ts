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
