#!/usr/bin/env bash
# Runs every test of the workspace (unit, integration, CLI, crash tests).
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$REPO_ROOT/scripts/install-deps.sh"
cd "$REPO_ROOT"
cargo test --workspace --locked --no-fail-fast
