.PHONY: run demo-cli test fuzz bench install-deps package bindings

# Run the Custos desktop app: `make run` (start screen with the demo matter)
# or `make run VAULT=path` (that vault offered for unlocking).
run:
	bash scripts/run.sh $(VAULT)

# The command-line walk-through of a demo matter (init, add, verify, export).
demo-cli:
	bash scripts/demo-cli.sh

# The .deb of the desktop app (tauri bundler).
package:
	bash scripts/package.sh

# Regenerate ui/src/lib/bindings.ts from the Rust types.
bindings:
	bash -c 'source scripts/env.sh && cargo run -q --locked --example custos-bindings'

# Every test of the workspace.
test:
	bash scripts/test.sh

# A long run of the property and mutation tests of every reader of untrusted
# bytes (zip, bag, manifests, load file, custody lines, age objects); CI runs
# a few dozen cases each. `make fuzz CASES=100000` for a longer one.
CASES ?= 5000
fuzz:
	bash -c 'source scripts/env.sh && PROPTEST_CASES=$(CASES) cargo test --locked -p custos-core --lib tests::fuzz'

# Install build and test dependencies (Debian packages, crates).
install-deps:
	bash scripts/install-deps.sh

# Performance report: custos against md5sum, sha256sum, age and hashdeep, then
# matters of 50,000 and 500,000 exhibits through the core API (takes several minutes).
bench:
	bash bench/run.sh
	bash bench/scale.sh
	bash bench/processing.sh
	bash bench/search.sh
	bash bench/images.sh
	bash bench/bucket.sh
	bash bench/firm.sh
