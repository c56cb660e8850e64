/**
 * The garbage of `run`'s per-device passes, which a fleet makes for every device at once and
 * which the collector's headroom and the allocator's retained pages grow with: typed-array
 * bytes allocated per device by the warm-up (26 h of history into the buffer and the rule
 * stage, and the analytics' first look at it), the model stage's rebuild from the buffer (the first poll's replay), one
 * 5-minute slot's analysis, and reading a poll's new row back (the analytics and live scoring
 * each do, every poll). Counted by wrapping the typed-array constructors (an array made
 * with a length counts its bytes; views of existing storage count nothing); plain objects are
 * not counted, so it is a floor. Figures are reported, never asserted.
 *
 *     bun bench/garbage.ts [--devices 40] [--hours 26]
 */
import { numberArg } from "./child-log.ts";

const DEVICES = numberArg("--devices", 40);
const HOURS = numberArg("--hours", 26);

let bytes = 0;
for (const Base of [Float64Array, Float32Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array]) {
  const Counted = class extends (Base as unknown as new (...a: unknown[]) => ArrayBufferView) {
    constructor(...a: unknown[]) {
      super(...a);
      if (typeof a[0] === "number") bytes += this.byteLength;
    }
  };
  Object.defineProperty(Counted, "name", { value: Base.name });
  (globalThis as Record<string, unknown>)[Base.name] = Counted;
}

// Loaded after the constructors are wrapped, so their modules allocate through them.
const { DeviceAnalytics } = await import("../src/monitor/device-figures.ts");
const { ModelStage } = await import("../src/monitor/model-stage.ts");
const { loadModelFile } = await import("../src/ml/model-file.ts");
const { simulateHistory } = await import("../src/sim/history.ts");
const { MODEL } = await import("./child-log.ts");

const model = loadModelFile(MODEL);
const END = Date.UTC(2026, 5, 10, 12);
const frames = Array.from({ length: Math.min(DEVICES, 10) }, (_, device) => simulateHistory({ seed: 11, device, startMs: END - HOURS * 3_600_000, endMs: END }));
const total = { warm: 0, rebuild: 0, analysis: 0, row: 0 };
const take = (k: keyof typeof total, f: () => void) => {
  bytes = 0;
  f();
  total[k] += bytes;
};
for (let i = 0; i < DEVICES; i++) {
  const analytics = new DeviceAnalytics(`device-${i}`, { timeZone: "America/Denver" });
  const p = analytics.pipeline;
  take("warm", () => analytics.warm(frames[i % frames.length]!));
  take("rebuild", () => new ModelStage(model, "UTC", `device-${i}`).rebuild(p.buffer.keys(), p.buffer, p.rules.rules()));
  take("analysis", () => p.rules.analyze(p.buffer));
  take("row", () => p.rowsAfter(p.buffer.lastTs - 1));
}
const kib = (n: number) => `${(n / DEVICES / 1024).toFixed(0)} KiB`;
console.log(`${DEVICES} devices, ${HOURS} h of history: typed arrays allocated a device by the warm-up ${kib(total.warm)}, the model's rebuild ${kib(total.rebuild)}, one slot's analysis ${kib(total.analysis)}, a poll's row read back ${(total.row / DEVICES).toFixed(0)} bytes`);
