BUN := node_modules/.bin/bun
TSC := node_modules/.bin/tsc

.PHONY: install demo test typecheck build bench clean

install: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

## Run the monitor against the embedded simulator (Ctrl-C to stop).
demo: install
	$(BUN) src/cli.ts run --demo

## Type-check, then run every test; the last line is "N passed, N failed".
test: install
	$(TSC) --noEmit
	@bash scripts/test-summary.sh $(BUN)

## One self-contained executable at dist/nightowl (bytecode-compiled: half the cold start).
build: install
	$(BUN) build --compile --minify --bytecode --format=esm src/cli.ts --outfile dist/nightowl \
	  --define NIGHTOWL_COMMIT="\"$$(git rev-parse --short HEAD 2>/dev/null || echo unknown)\""

## Benchmarks: accuracy, speed, scale, leak detection, history, load.
bench: install
	$(BUN) bench/run-all.ts

clean:
	rm -rf dist
