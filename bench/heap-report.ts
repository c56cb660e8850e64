/**
 * Preloaded into the monitor by `bench/run-rss.ts --heap` (`bun --preload`): on SIGUSR2 it runs
 * a full collection and writes what the JavaScript heap holds to the file named by
 * `NIGHTOWL_BENCH_HEAP_REPORT` — the resident memory then, the heap's size, how much of it is typed arrays' storage, and
 * the biggest kinds of object by bytes (a heap snapshot's cells, typed arrays with their storage),
 * and who holds them: each object counted under the kind and property of its first holder
 * (`DecimalRing.x → Float64Array`), so a per-device count points at a field.
 * Bench-only: the program never loads it.
 */
import { heapStats } from "bun:jsc";
import { writeFileSync } from "node:fs";

const out = process.env.NIGHTOWL_BENCH_HEAP_REPORT;
if (out) {
  process.on("SIGUSR2", () => {
    Bun.gc(true);
    // Before the snapshot, which takes memory of its own.
    const rssBytes = process.memoryUsage().rss;
    const stats = heapStats();
    const snapshot = Bun.generateHeapSnapshot() as unknown as { nodes: number[]; nodeClassNames: string[]; edges: number[]; edgeTypes: string[]; edgeNames: string[] };
    const byKind = new Map<string, { count: number; bytes: number }>();
    // A snapshot node is [id, size, class index, flags].
    for (let i = 0; i < snapshot.nodes.length; i += 4) {
      const kind = snapshot.nodeClassNames[snapshot.nodes[i + 2]!]!;
      const e = byKind.get(kind) ?? { count: 0, bytes: 0 };
      e.count++;
      e.bytes += snapshot.nodes[i + 1]!;
      byKind.set(kind, e);
    }
    const top = [...byKind].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 15).map(([kind, e]) => ({ kind, ...e }));
    writeFileSync(out, JSON.stringify({ rssBytes, heapBytes: stats.heapSize, heapCapacityBytes: stats.heapCapacity, typedArrayBytes: stats.extraMemorySize, objects: stats.objectCount, top, owners: owners(snapshot) }));
  });
}

/** Objects by their first holder's kind and property (an edge [from, to, type, name] of the snapshot), biggest first. */
function owners(snapshot: { nodes: number[]; nodeClassNames: string[]; edges: number[]; edgeTypes: string[]; edgeNames: string[] }) {
  const node = new Map<number, number>();
  for (let i = 0; i < snapshot.nodes.length; i += 4) node.set(snapshot.nodes[i]!, i);
  const kindOf = (id: number) => snapshot.nodeClassNames[snapshot.nodes[node.get(id)! + 2]!]!;
  const held = new Set<number>();
  const byOwner = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < snapshot.edges.length; i += 4) {
    const to = snapshot.edges[i + 1]!;
    if (held.has(to) || !node.has(to)) continue;
    held.add(to);
    const type = snapshot.edgeTypes[snapshot.edges[i + 2]!];
    const name = type === "Property" || type === "Variable" ? snapshot.edgeNames[snapshot.edges[i + 3]!] : type === "Index" ? "[]" : "(internal)";
    const key = `${kindOf(snapshot.edges[i]!)}.${name} → ${kindOf(to)}`;
    const e = byOwner.get(key) ?? { count: 0, bytes: 0 };
    e.count++;
    e.bytes += snapshot.nodes[node.get(to)! + 1]!;
    byOwner.set(key, e);
  }
  return [...byOwner].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 40).map(([owner, e]) => ({ owner, ...e }));
}
