/**
 * Every relative link in README.md and docs/*.md points at a file that exists, and every
 * `#fragment` into a markdown file names one of its headings, so moving or renaming a doc
 * cannot leave a dead link behind.
 */
import { expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

const ROOT = join(import.meta.dir, "..");

/** Link targets of a markdown text: inline `[t](x)`, images `![a](x)` and reference definitions `[r]: x`; code is skipped. */
export function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").replace(/`[^`\n]*`/g, "");
  const inline = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const references = [...prose.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]!);
  return [...inline, ...references];
}

/** GitHub's anchors for a markdown file's headings (lower case, punctuation dropped, spaces to dashes, repeats numbered). */
export function headingAnchors(markdown: string): Set<string> {
  const prose = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
  const anchors = new Set<string>();
  for (const [, text] of prose.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = text!
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\- _]/gu, "")
      .replace(/ /g, "-");
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

/** What is wrong with each relative link of one markdown file (empty when all resolve). */
function deadLinks(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const problems: string[] = [];
  for (const target of linkTargets(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto: — not checked offline
    const [path = "", fragment] = target.split("#", 2);
    const resolved = path === "" ? file : join(dirname(file), decodeURI(path));
    const name = `${relative(ROOT, file)}: ${target}`;
    if (!existsSync(resolved)) problems.push(`${name} (no such file)`);
    else if (fragment && resolved.endsWith(".md") && !headingAnchors(readFileSync(resolved, "utf8")).has(fragment)) {
      problems.push(`${name} (no such heading)`);
    }
  }
  return problems;
}

const docs = [
  join(ROOT, "README.md"),
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => join(ROOT, "docs", f)),
];

test("the link finder sees inline, image and reference links and skips code", () => {
  const md = "See [a](docs/a.md#x) and ![i](img/p.png \"t\").\n\n[r]: ../b.md\n\n`[no](c.md)`\n```sh\n[no](d.md)\n```\n";
  expect(linkTargets(md)).toEqual(["docs/a.md#x", "img/p.png", "../b.md"]);
  expect([...headingAnchors("# Leak detection on the simulator\n## `run` and [x](y)\n## Leak detection on the simulator\n")]).toEqual([
    "leak-detection-on-the-simulator",
    "run-and-x",
    "leak-detection-on-the-simulator-1",
  ]);
});

test("every relative link in README.md and docs/*.md resolves to a file and heading", () => {
  expect(docs.length).toBeGreaterThan(1);
  expect(docs.flatMap((f) => linkTargets(readFileSync(f, "utf8"))).length).toBeGreaterThan(10);
  expect(docs.flatMap(deadLinks)).toEqual([]);
});
