/**
 * The folders of src/ form layers that point one way (docs/architecture.md): a folder imports
 * only folders of lower layers, so there is no import cycle between folders. Tests and the
 * test helpers (`test-support.ts`, `testing.ts`) may reach across; they are not scanned.
 */
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = join(import.meta.dir, "..", "src");

/**
 * Lowest first. Root files (`src/*.ts`) are the base, except the settings (the table, its
 * loading and its flags, which name the portal's default keys) and the loop, warm-up and
 * device report of `run`.
 */
const LAYERS: readonly (readonly string[])[] = [
  ["(base)"],
  ["physics"],
  ["nightowl"],
  ["sim", "(config)"],
  ["history", "events"],
  ["analytics"],
  ["ml"],
  ["monitor"],
  ["metrics", "(run)"],
  ["status"],
  ["notify"],
  ["commands"],
];
const RUN_FILES = new Set(["poll-loop.ts", "warm-up.ts", "device-report.ts"]);
const CONFIG_FILES = new Set(["config.ts", "load-config.ts", "setting-flags.ts"]);

function folderOf(file: string): string {
  const rel = relative(SRC, file).split("/");
  if (rel.length > 1) return rel[0]!;
  if (rel[0] === "cli.ts") return "commands";
  if (CONFIG_FILES.has(rel[0]!)) return "(config)";
  return RUN_FILES.has(rel[0]!) ? "(run)" : "(base)";
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") && e.name !== "test-support.ts" && e.name !== "testing.ts" ? [path] : [];
  });
}

/** Folder → folders it imports, with one importing file per edge for the message. */
function folderImports(): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const file of sources(SRC)) {
    const from = folderOf(file);
    for (const m of readFileSync(file, "utf8").matchAll(/^(?:import|export)[^;]*? from "(\.[^"]+)";/gms)) {
      const to = folderOf(resolve(dirname(file), m[1]!));
      if (to === from) continue;
      if (!out.has(from)) out.set(from, new Map());
      out.get(from)!.set(to, relative(SRC, file));
    }
  }
  return out;
}

test("every folder of src/ has a layer", () => {
  const folders = new Set(sources(SRC).map(folderOf));
  const known = new Set(LAYERS.flat());
  expect([...folders].filter((f) => !known.has(f))).toEqual([]);
});

test("no folder imports a folder of its own or a higher layer", () => {
  const layer = new Map(LAYERS.flatMap((names, i) => names.map((n) => [n, i] as const)));
  const upward: string[] = [];
  for (const [from, targets] of folderImports()) {
    for (const [to, file] of targets) {
      if (layer.get(to)! >= layer.get(from)!) upward.push(`${file} (${from}) imports ${to}`);
    }
  }
  expect(upward).toEqual([]);
});

/** Import cycles between folders as `a -> b -> a`, one per back edge of a depth-first walk; [] exactly when there is none. */
function folderCycles(edges: Map<string, Map<string, string>>): string[] {
  const cycles = new Set<string>();
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (folder: string) => {
    state.set(folder, "open");
    path.push(folder);
    for (const next of (edges.get(folder) ?? new Map()).keys()) {
      if (state.get(next) === "open") {
        const loop = path.slice(path.indexOf(next));
        // One name per cycle whichever folder it was entered by: rotated to its smallest folder.
        const at = loop.indexOf([...loop].sort()[0]!);
        const rotated = [...loop.slice(at), ...loop.slice(0, at)];
        cycles.add([...rotated, rotated[0]].join(" -> "));
      } else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(folder, "done");
  };
  for (const folder of edges.keys()) if (!state.has(folder)) visit(folder);
  return [...cycles].sort();
}

test("no import cycle between folders, whatever the layers say", () => {
  expect(folderCycles(folderImports())).toEqual([]);
});

test("the cycle check finds a cycle when there is one", () => {
  const edges = new Map([
    ["ml", new Map([["analytics", "ml/a.ts"]])],
    ["analytics", new Map([["physics", "analytics/b.ts"], ["ml", "analytics/c.ts"]])],
    ["physics", new Map<string, string>()],
  ]);
  expect(folderCycles(edges)).toEqual(["analytics -> ml -> analytics"]);
});
