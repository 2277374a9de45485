#!/usr/bin/env bash
# Builds the Debian package of the desktop app with the tauri bundler:
# $CARGO_TARGET_DIR-package/release/bundle/deb/Custos_<version>_amd64.deb
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$REPO_ROOT/scripts/install-deps.sh"
source "$REPO_ROOT/scripts/env.sh"
cd "$REPO_ROOT"
# The packaged binary is built without debug info (release builds keep it for
# profiling), in a build folder of its own so neither setting forces the
# other's builds to start again.
export CARGO_TARGET_DIR="$CARGO_TARGET_DIR-package"
CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_STRIP=debuginfo \
    "$REPO_ROOT/ui/node_modules/.bin/tauri" build --bundles deb -- --locked
ls -1 "$CARGO_TARGET_DIR"/release/bundle/deb/*.deb
