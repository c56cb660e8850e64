/** The device view at `/device/<id>`: the card over 48 h, larger charts, every reason. */
import { eventLine, figureList, reasonList, sparklines, verdictBadge } from "./card.ts";
import { escapeHtml, localTime, page } from "./html.ts";
import type { PageContext } from "./overview.ts";
import type { DeviceStatus } from "./source.ts";

export function detailPage(d: DeviceStatus, ctx: PageContext): string {
  const body = [
    "<header>",
    `<div><a href="${ctx.base}/">← all devices</a></div>`,
    `<h1>${escapeHtml(d.name)}</h1>`,
    `<div class="muted">${escapeHtml(d.customer)} · device ${escapeHtml(d.id)}</div>`,
    "</header>",
    `<main class="detail"><article class="card ${d.level}" data-device="${escapeHtml(d.id)}">`,
    verdictBadge(d),
    eventLine(d, ctx.timeZone),
    d.reasons.length ? "<h2>Why</h2>" + reasonList(d, ctx.timeZone) : "",
    figureList(d, ctx.timeZone),
    `<h2>Last 48 h</h2><div class="muted">${escapeHtml(localTime(d.fromMs, ctx.timeZone))} – ${escapeHtml(localTime(d.toMs, ctx.timeZone))}</div>`,
    sparklines(d, "48 h"),
    "</article></main>",
  ].join("\n");
  return page(`nightowl: ${d.name}`, body, ctx.refreshSeconds);
}
