BUN := node_modules/.bin/bun
TSC := node_modules/.bin/tsc
# Where `make install` puts the program: $(PREFIX)/bin/nightowl (no sudo needed for the default).
PREFIX ?= $(HOME)/.local

.PHONY: deps install demo test typecheck build bench clean

## The npm packages (Bun itself comes from npm), installed once per package-lock.json.
deps: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

## Build the compiled binary and copy it to $(PREFIX)/bin/nightowl.
install: build
	install -D -m 0755 dist/nightowl $(DESTDIR)$(PREFIX)/bin/nightowl
	@echo "installed $(DESTDIR)$(PREFIX)/bin/nightowl"
	@case ":$$PATH:" in *":$(PREFIX)/bin:"*) ;; *) echo "note: $(PREFIX)/bin is not on your PATH; add it, e.g. export PATH=\"$(PREFIX)/bin:\$$PATH\"";; esac

## Run the monitor against the embedded simulator (Ctrl-C to stop).
demo: deps
	$(BUN) --no-env-file src/cli.ts run --demo

## Type-check, then run every test; the last line is "N passed, N failed".
test: deps
	$(TSC) --noEmit
	@bash scripts/test-summary.sh $(BUN)

## One self-contained executable at dist/nightowl (bytecode-compiled: half the cold start).
# nightowl reads .env itself and names a bad value's origin "(from .env)": Bun's own .env loading is off.
build: deps
	$(BUN) build --compile --minify --bytecode --format=esm --no-compile-autoload-dotenv src/cli.ts --outfile dist/nightowl \
	  --define NIGHTOWL_COMMIT="\"$$(git rev-parse --short HEAD 2>/dev/null || echo unknown)\""

## Benchmarks: accuracy, speed, scale, leak detection, history, load.
bench: deps
	$(BUN) bench/run-all.ts

clean:
	rm -rf dist
