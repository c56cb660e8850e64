/**
 * Preloaded into the monitor by `bench/run-rss.ts --heap` (`bun --preload`): on SIGUSR2 it runs
 * a full collection and writes what the JavaScript heap holds to the file named by
 * `NIGHTOWL_BENCH_HEAP_REPORT` — the resident memory then, the heap's size, how much of it is typed arrays' storage, and
 * the biggest kinds of object by bytes (a heap snapshot's cells, typed arrays with their storage).
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
    const snapshot = Bun.generateHeapSnapshot() as unknown as { nodes: number[]; nodeClassNames: string[] };
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
    writeFileSync(out, JSON.stringify({ rssBytes, heapBytes: stats.heapSize, typedArrayBytes: stats.extraMemorySize, objects: stats.objectCount, top }));
  });
}
