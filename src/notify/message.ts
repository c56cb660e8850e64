/**
 * The words and wire forms of a notification: one when an episode starts, one when it ends.
 * ntfy's publish API takes the text as the body with `Title`, `Priority`, `Tags` and `Click`
 * headers; generic webhooks get JSON with a Slack-compatible `text` and the fields an
 * automation (Home Assistant) would match on.
 */
import { localClock } from "../analytics/local-time.ts";
import { sentence } from "../sentence.ts";
import type { DeviceVerdict } from "../status/source.ts";
import { LEVEL_WORDS, type AlarmKind } from "../status/verdict.ts";
import type { NotifyTarget } from "./target.ts";

/** A change of a device's alarm: the start or the end of an episode. */
export interface EpisodeEvent {
  event: "started" | "ended";
  alarm: AlarmKind;
  device: DeviceVerdict;
  /** Why: the first reason's title and sentence ("Continuous flow: continuous flow for 2.2 h …"). */
  sentence: string;
  /** Epoch ms (reading time) the episode started or ended. */
  atMs: number;
  /** The sites' zone: the owner reads the time on the clock on the wall. */
  timeZone: string;
  /** Link to the device's page, when NIGHTOWL_PUBLIC_URL is set. */
  link?: string;
}

const ALARM_WORDS: Record<AlarmKind, string> = { leak: LEVEL_WORDS.leak, pump: LEVEL_WORDS.pump };

export function title(e: EpisodeEvent): string {
  const what = ALARM_WORDS[e.alarm];
  return e.event === "started" ? `${capitalise(what)} at ${e.device.name}` : `Over: ${what} at ${e.device.name}`;
}

export function body(e: EpisodeEvent): string {
  const p = Number.isFinite(e.device.leakProbability) ? ` Leak probability ${e.device.leakProbability.toFixed(0)} %.` : "";
  const at = Number.isFinite(e.atMs) ? localClock(e.timeZone).stamp(e.atMs, true) : "—";
  const head = e.event === "started" ? `${e.device.name} (${e.device.customer}) since ${at}: ${sentence(e.sentence)}${p}` : `${e.device.name} (${e.device.customer}): no ${ALARM_WORDS[e.alarm]} since ${at}; now ${LEVEL_WORDS[e.device.level]}.${p}`;
  return e.link ? `${head} ${e.link}` : head;
}

/** The HTTP request for a target: method POST, headers and body. */
export function request(e: EpisodeEvent, target: NotifyTarget): { headers: Record<string, string>; body: string } {
  if (target.format === "ntfy") {
    const headers: Record<string, string> = {
      "content-type": "text/plain; charset=utf-8",
      // Header values must be Latin-1: ntfy decodes RFC 2047 encoded words for the rest.
      title: encodeHeader(title(e)),
      priority: e.event === "started" ? "high" : "default",
      tags: e.event === "started" ? (e.alarm === "leak" ? "droplet,warning" : "wrench,warning") : "white_check_mark",
    };
    if (e.link) headers.click = e.link;
    return { headers, body: body(e) };
  }
  return {
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      text: `${title(e)}\n${body(e)}`,
      title: title(e),
      message: body(e),
      event: e.event,
      alarm: e.alarm,
      verdict: LEVEL_WORDS[e.device.level],
      device: { id: e.device.id, name: e.device.name, customer: e.device.customer, user_label: e.device.userLabel },
      sentence: e.sentence,
      leak_probability: Number.isFinite(e.device.leakProbability) ? e.device.leakProbability : null,
      at: Number.isFinite(e.atMs) ? new Date(e.atMs).toISOString() : null,
      url: e.link ?? null,
    }),
  };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function encodeHeader(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s, "utf8").toString("base64")}?=`;
}
