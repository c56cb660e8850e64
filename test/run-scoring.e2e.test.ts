/**
 * `run` scoring many devices with the leak model after a poll: the scoring loop yields to the
 * event loop between devices, so probes are answered and SIGTERM is honoured while a pass is
 * under way (issue: a long scoring pass must not make `run` deaf). Nothing here times anything:
 * it checks that answers arrive, in order with the log, not how fast.
 */
import { afterEach, expect, test } from "bun:test";
import { startSimulator, type Simulator } from "../src/sim/server.ts";
import { startCli, type LongRunning } from "./cli-process.ts";

const DEVICES = 200;
const running: LongRunning[] = [];
const sims: Simulator[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) r.kill();
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

test(`while run scores ${DEVICES} devices, /healthz answers every probe, several of them during the pass, and SIGTERM stops it`, async () => {
  const sim = await startSimulator({ port: 0, devices: DEVICES, username: "owner@example.com", password: "pw" });
  sims.push(sim);
  const run = startCli(["run", "--base-url", sim.url, "--metrics-host", "127.0.0.1", "--metrics-port", "0", "--poll-interval", "60", "--page-size", "1000", "--ml-enabled", "true"], {
    NIGHTOWL_USERNAME: "owner@example.com",
    NIGHTOWL_PASSWORD: "pw",
  });
  running.push(run);
  const healthz = (await run.waitFor(/Serving metrics on (http:\/\/\S+)\/metrics/))[1]! + "/healthz";

  // The pass starts with the first model load and ends before the poll's "Polled" line.
  let phase = "before" as "before" | "scoring" | "after";
  void run.waitFor(/leak model loaded/, 300_000).then(() => phase === "before" && (phase = "scoring"), () => {});
  void run.waitFor(new RegExp(`Polled ${DEVICES} device`), 300_000).then(() => (phase = "after"), () => {});
  const answers: { status: number; phase: string }[] = [];
  const failures: string[] = [];
  let probing = true;
  const prober = (async () => {
    while (probing) {
      try {
        const response = await fetch(healthz);
        await response.text();
        answers.push({ status: response.status, phase });
      } catch (error) {
        failures.push(String(error));
      }
      await Bun.sleep(5);
    }
  })();
  // Until a few probes were answered during the pass, or the pass is over.
  while (phase !== "after" && answers.filter((a) => a.phase === "scoring").length < 5 && run.proc.exitCode === null) await Bun.sleep(20);
  const duringPass = answers.filter((a) => a.phase === "scoring").length;
  probing = false;
  await prober;

  expect(failures).toEqual([]);
  expect(answers.length).toBeGreaterThan(0);
  expect(answers.every((a) => a.status === 200)).toBe(true);
  // A loop that held the event loop for the whole pass would answer at most the one probe in flight.
  expect(duringPass).toBeGreaterThanOrEqual(5);

  run.proc.kill("SIGTERM");
  expect(await run.proc.exited).toBe(0);
  expect(run.stderr().includes("Received SIGTERM; stopping")).toBe(true);
}, 300_000);
