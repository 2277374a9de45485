#!/usr/bin/env bash
# Matters of many exhibits: vaults of 50,000 and 500,000 small exhibits
# (made once, kept in SCALE_DIR and reused), timed through the core API the
# app calls, with the size of what the app would send over IPC.
#
# Usage: make bench   (or: bash bench/scale.sh)
# Environment:
#   SCALE_DIR        where the vaults are kept (default /var/tmp/custos-scale; ~3 GB)
#   SCALE_SIZES      the vault sizes (default "50000 500000")
#   CARGO_TARGET_DIR cargo target folder (default $HOME/.cache/custos/target)
#
# A report, not a test: it exits 0 whether the targets are met or not.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$REPO/scripts/env.sh"
SCALE_DIR=${SCALE_DIR:-/var/tmp/custos-scale}
read -r -a SIZES <<< "${SCALE_SIZES:-50000 500000}"
echo "Building the scale bench (release) ..." >&2
(cd "$REPO" && cargo build --release --quiet --locked -p custos-core --example scale)
echo "## Matters of many exhibits"
"$CARGO_TARGET_DIR/release/examples/scale" "$SCALE_DIR" "${SIZES[@]}"
