/**
 * Leak detection on site kinds, held out (see bench/leak/main.ts):
 *
 *   bun bench/leak-detection.ts [--split held-out|tuning|tuning-more|all-tuning|both] [--quick] [--json]
 *
 * The demo sites' earlier benchmark is bench/leak-demo-sites.ts.
 */
import { main } from "./leak/main.ts";

main(process.argv.slice(2));
