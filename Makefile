.PHONY: run demo-cli test bench install-deps package bindings

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

# Install build and test dependencies (Debian packages, crates).
install-deps:
	bash scripts/install-deps.sh

# Performance report: custos against md5sum, sha256sum, age and hashdeep (takes a few minutes).
bench:
	bash bench/run.sh
