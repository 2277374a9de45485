#!/usr/bin/env bash
# Runs the Custos desktop app. With a vault folder as argument it is offered
# for unlocking first; without one the start screen offers the demo matter
# (made on the spot from the sample documents that ship with Custos).
#   make run                 # start screen, "Open demo matter"
#   make run VAULT=~/Matters/halvorsen
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$REPO_ROOT/scripts/install-deps.sh"
source "$REPO_ROOT/scripts/env.sh"
(cd "$REPO_ROOT/ui" && npm run --silent build)
cd "$REPO_ROOT"
cargo build --locked -q -p custos-app --bin custos-app
app="$CARGO_TARGET_DIR/debug/custos-app"
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "No display: running Custos under Xvfb (no window will be visible)." >&2
    exec xvfb-run -a "$app" "$@"
fi
exec "$app" "$@"
