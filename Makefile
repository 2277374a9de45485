.PHONY: run test bench install-deps

# Run Custos: `make run` shows a demo matter; `make run VAULT=path` opens a vault.
run:
	bash scripts/run.sh $(VAULT)

# Every test of the workspace.
test:
	bash scripts/test.sh

# Install build and test dependencies (Debian packages, crates).
install-deps:
	bash scripts/install-deps.sh

# Performance report: custos against md5sum, sha256sum, age and hashdeep (takes a few minutes).
bench:
	bash bench/run.sh
