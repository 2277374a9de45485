#!/usr/bin/env bash
# Runs every test: the web UI's (type check, Vitest), then the Rust
# workspace's (unit, integration, CLI, crash, bundle, app configuration and
# the end-to-end tests of the real app under Xvfb through WebDriver).
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$REPO_ROOT/scripts/install-deps.sh"
source "$REPO_ROOT/scripts/env.sh"
cd "$REPO_ROOT/ui"
npm run --silent check
npm run --silent test
# The app embeds the built UI.
npm run --silent build
cd "$REPO_ROOT"
# Lints are errors: the code as a reviewer would read it.
cargo clippy --workspace --all-targets --locked -q -- -D warnings
cargo test --workspace --locked --no-fail-fast
