/**
 * A notification target from NIGHTOWL_NOTIFY_URL: where to post, in which form, and a name for
 * logs that carries no secret (a URL's path, query and user info may hold a token).
 *
 * Form: `ntfy+https://…` posts ntfy's plain-text form, `json+https://…` a JSON webhook body;
 * a URL without a prefix is JSON, except on ntfy.sh, which only the text form suits.
 */
export type NotifyFormat = "ntfy" | "json";

export interface NotifyTarget {
  format: NotifyFormat;
  /** The URL to post to, prefix removed. */
  url: string;
  /** Scheme, host and port only, e.g. `https://ntfy.sh/…`: safe for a log line. */
  display: string;
  /** Parts of the URL that must never reach a log (path, query, user info). */
  secrets: string[];
}

export function parseTarget(text: string): NotifyTarget {
  const m = /^(ntfy|json)\+(.*)$/i.exec(text.trim());
  const url = m ? m[2]! : text.trim();
  const parsed = new URL(url);
  const format: NotifyFormat = m ? (m[1]!.toLowerCase() as NotifyFormat) : parsed.hostname === "ntfy.sh" ? "ntfy" : "json";
  const secrets = [url, parsed.pathname + parsed.search, parsed.search.slice(1), decodeURIComponent(parsed.password), decodeURIComponent(parsed.username), ...parsed.pathname.split("/"), ...[...parsed.searchParams.values()]]
    .filter((s) => s.length >= 4 && s !== "http" && s !== "https");
  return { format, url, display: `${parsed.protocol}//${parsed.host}/…`, secrets };
}
