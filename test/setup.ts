/**
 * Preloaded before every test file (bunfig.toml): tests that start the simulator, a real
 * Prometheus or the CLI as a process need more than bun's 5 s default per test, and bunfig
 * has no setting for it; this makes a plain `bun test` behave like `make test`.
 */
import { setDefaultTimeout } from "bun:test";

setDefaultTimeout(60_000);
