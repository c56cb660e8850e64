/**
 * Accuracy and speed of the isolation forest, side by side with scikit-learn on the same files.
 *
 *   bun bench/iforest.ts [--dataset FILE]... [--seeds 5] [--repeat 5] [--clock wall|cpu] [--json]
 *
 * FILE is a CSV with a quoted header, numeric feature columns and a last column `label`
 * (1 = anomaly). Without --dataset, every CSV in ../shared/datasets beside the repository.
 * Per file and seed 0..k−1: fit on all rows (100 trees, ψ = min(256, n), contamination
 * "auto"), ROC AUC of −scoreSamples, fit milliseconds, scoring microseconds per row. Three
 * untimed warm-up fits and scorings first. When a Python with scikit-learn is found (PYTHON,
 * python3, then Debian's /usr/bin/python3 from python3-sklearn), bench/sklearn_iforest.py runs
 * the same protocol on the same file. AUC is the mean over seeds; each time is the fastest of
 * --repeat runs of that seed (as Python's timeit advises: slower runs measure other load), then
 * the median over seeds. `--clock cpu` times CPU use instead of elapsed time (both sides), which
 * other processes on a busy machine disturb far less.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Matrix } from "ml-matrix";
import { IsolationForest } from "../src/ml/iforest.ts";
import { matrixOfRowMajor } from "../src/ml/matrix-rows.ts";

export interface Dataset {
  name: string;
  /** The features as the forest takes them (built once, as numpy's array is on the Python side). */
  X: Matrix;
  labels: Uint8Array;
}

export interface Measured {
  auc: number;
  fitMs: number;
  scoreUsPerRow: number;
}

export interface DatasetResult {
  dataset: string;
  rows: number;
  features: number;
  anomalies: number;
  nightowl: Measured;
  sklearn?: Measured & { version: string };
}

/** Untimed fits and scorings before the timed ones, so the JIT has compiled the hot loops (and numpy its imports). */
const WARM_UP_RUNS = 3;

/** A benchmark CSV: quoted header, numeric columns, the last one `label` (0/1). */
export async function loadDataset(file: string): Promise<Dataset> {
  const lines = (await Bun.file(file).text()).split(/\r?\n/).filter((line) => line.trim() !== "");
  const header = lines[0].split(",").map((name) => name.trim().replace(/^"|"$/g, ""));
  if (header[header.length - 1] !== "label") throw new Error(`${file}: the last column is "${header[header.length - 1]}", expected "label"`);
  const cols = header.length - 1;
  const rows = lines.length - 1;
  const data = new Float64Array(rows * cols);
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const cells = lines[i + 1].split(",");
    if (cells.length !== cols + 1) throw new Error(`${file}:${i + 2}: ${cells.length} cells, the header has ${cols + 1}`);
    for (let j = 0; j < cols; j++) {
      const x = Number(cells[j]);
      if (!Number.isFinite(x)) throw new Error(`${file}:${i + 2}: column ${header[j]} is "${cells[j]}", not a number`);
      data[i * cols + j] = x;
    }
    labels[i] = Number(cells[cols]) === 1 ? 1 : 0;
  }
  return { name: path.basename(file), X: matrixOfRowMajor({ data, rows, cols }), labels };
}

/**
 * Area under the ROC curve of `scores` (higher = more anomalous) against 0/1 labels, by the
 * Mann–Whitney rank sum with tied scores given their average rank (as sklearn's roc_auc_score).
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]] === 1) {
        positives++;
        rankSum += averageRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function summarise(runs: Measured[]): Measured {
  return {
    auc: runs.reduce((sum, r) => sum + r.auc, 0) / runs.length,
    fitMs: median(runs.map((r) => r.fitMs)),
    scoreUsPerRow: median(runs.map((r) => r.scoreUsPerRow)),
  };
}

export type Clock = "wall" | "cpu";

/** Milliseconds on `clock`: elapsed real time, or CPU time (user + system) of this process. */
function clockFor(clock: Clock): () => number {
  if (clock === "wall") return () => performance.now();
  return () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
}

/** Our forest on one dataset, seeds 0..seeds−1, each timing the fastest of `repeats`. */
export function benchNightowl(dataset: Dataset, seeds: number, repeats: number, clock: Clock): Measured {
  const now = clockFor(clock);
  // At least WARM_UP_RUNS and at least half a second: small sets need many runs before the
  // JIT's optimising tier has compiled the loops.
  const warmUntil = performance.now() + 500;
  for (let k = 0; k < WARM_UP_RUNS || performance.now() < warmUntil; k++) {
    IsolationForest.fit(dataset.X, { seed: 1000 + k }).scoreSamples(dataset.X);
  }
  const runs: Measured[] = [];
  for (let seed = 0; seed < seeds; seed++) {
    let fitMs = Infinity;
    let scoreMs = Infinity;
    let scores: Float64Array = new Float64Array(0);
    for (let k = 0; k < repeats; k++) {
      const t0 = now();
      const forest = IsolationForest.fit(dataset.X, { nEstimators: 100, seed });
      const t1 = now();
      scores = forest.scoreSamples(dataset.X);
      const t2 = now();
      fitMs = Math.min(fitMs, t1 - t0);
      scoreMs = Math.min(scoreMs, t2 - t1);
    }
    const anomalous = scores.map((s) => -s);
    runs.push({ auc: rocAuc(anomalous, dataset.labels), fitMs, scoreUsPerRow: (scoreMs * 1000) / dataset.X.rows });
  }
  return summarise(runs);
}

/** The first Python that imports sklearn, or undefined. */
export function findSklearnPython(): string | undefined {
  const candidates = [process.env.PYTHON, "python3", "/usr/bin/python3"].filter((c): c is string => !!c);
  for (const python of candidates) {
    const exe = path.isAbsolute(python) ? python : Bun.which(python);
    if (!exe) continue;
    const probe = Bun.spawnSync([exe, "-c", "import sklearn"], { stdout: "ignore", stderr: "ignore" });
    if (probe.exitCode === 0) return exe;
  }
  return undefined;
}

/** scikit-learn on the same file through bench/sklearn_iforest.py. */
export function benchSklearn(python: string, file: string, seeds: number, repeats: number, clock: Clock): Measured & { version: string } {
  const script = path.join(import.meta.dir, "sklearn_iforest.py");
  const run = Bun.spawnSync([python, script, file, "--seeds", String(seeds), "--warm-up", String(WARM_UP_RUNS), "--repeat", String(repeats), "--clock", clock], { stdout: "pipe", stderr: "pipe" });
  if (run.exitCode !== 0) throw new Error(`sklearn_iforest.py failed on ${file}: ${run.stderr.toString().trim()}`);
  const result = JSON.parse(run.stdout.toString()) as { sklearn: string; runs: Measured[] };
  return { ...summarise(result.runs), version: result.sklearn };
}

export async function benchFiles(files: string[], seeds: number, repeats: number, clock: Clock, python: string | undefined): Promise<DatasetResult[]> {
  const results: DatasetResult[] = [];
  for (const file of files) {
    const dataset = await loadDataset(file);
    results.push({
      dataset: dataset.name,
      rows: dataset.X.rows,
      features: dataset.X.columns,
      anomalies: dataset.labels.reduce((sum, x) => sum + x, 0),
      nightowl: benchNightowl(dataset, seeds, repeats, clock),
      sklearn: python ? benchSklearn(python, file, seeds, repeats, clock) : undefined,
    });
  }
  return results;
}

/** The results as a markdown table; speed-up = scikit-learn time / our time. */
export function forestTable(results: DatasetResult[], seeds: number, repeats: number, clock: Clock): string {
  const f = (x: number, digits: number) => x.toFixed(digits);
  const signed = (x: number) => {
    const rounded = Math.round(x * 1e4) / 1e4;
    return rounded === 0 ? "0.0000" : `${rounded > 0 ? "+" : "−"}${Math.abs(rounded).toFixed(4)}`;
  };
  const lines = [
    `| data set | rows × features | AUC nightowl | AUC scikit-learn | ΔAUC | fit ms nightowl | fit ms scikit-learn | fit speed-up | score µs/row nightowl | score µs/row scikit-learn | score speed-up |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`,
  ];
  for (const r of results) {
    const s = r.sklearn;
    lines.push(
      `| ${r.dataset} | ${r.rows.toLocaleString("en")} × ${r.features} | ${f(r.nightowl.auc, 4)} | ${s ? f(s.auc, 4) : "–"} | ${s ? signed(r.nightowl.auc - s.auc) : "–"} | ` +
        `${f(r.nightowl.fitMs, 1)} | ${s ? f(s.fitMs, 1) : "–"} | ${s ? `${f(s.fitMs / r.nightowl.fitMs, 0)}×` : "–"} | ` +
        `${f(r.nightowl.scoreUsPerRow, 2)} | ${s ? f(s.scoreUsPerRow, 2) : "–"} | ${s ? `${f(s.scoreUsPerRow / r.nightowl.scoreUsPerRow, 0)}×` : "–"} |`,
    );
  }
  const version = results.find((r) => r.sklearn)?.sklearn?.version;
  lines.push("");
  lines.push(
    `100 trees, ψ = min(256, n), fit and scored on all rows; AUC of −score_samples, mean of seeds 0..${seeds - 1}; times (${clock === "wall" ? "elapsed" : "CPU"}): fastest of ${repeats} repeats, median over seeds. ` +
      (version ? `scikit-learn ${version}.` : "scikit-learn not found (install python3-sklearn, or set PYTHON)."),
  );
  return lines.join("\n");
}

/** The benchmark CSVs beside the repository (../shared/datasets). */
export function defaultDatasets(): string[] {
  const dir = path.resolve(import.meta.dir, "..", "..", "shared", "datasets");
  return readdirSync(dir)
    .filter((name) => name.endsWith(".csv"))
    .sort()
    .map((name) => path.join(dir, name));
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: {
      dataset: { type: "string", multiple: true },
      seeds: { type: "string", default: "5" },
      repeat: { type: "string", default: "5" },
      clock: { type: "string", default: "wall" },
      json: { type: "boolean", default: false },
    },
  });
  const seeds = Number(values.seeds);
  if (!Number.isInteger(seeds) || seeds < 1) {
    console.error(`--seeds ${values.seeds}: expected an integer ≥ 1`);
    process.exit(2);
  }
  const repeats = Number(values.repeat);
  if (!Number.isInteger(repeats) || repeats < 1) {
    console.error(`--repeat ${values.repeat}: expected an integer ≥ 1`);
    process.exit(2);
  }
  const clock = values.clock as Clock;
  if (clock !== "wall" && clock !== "cpu") {
    console.error(`--clock ${values.clock}: expected wall or cpu`);
    process.exit(2);
  }
  const files = values.dataset?.length ? values.dataset : defaultDatasets();
  const python = findSklearnPython();
  if (!python && !values.json) console.error("scikit-learn not found (PYTHON, python3, /usr/bin/python3): printing nightowl only");
  const results = await benchFiles(files, seeds, repeats, clock, python);
  console.log(values.json ? JSON.stringify({ seeds, repeats, clock, results }, null, 2) : forestTable(results, seeds, repeats, clock));
}
