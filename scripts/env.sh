# Shared settings for the project scripts (sourced, not run).
# Builds go to a stable folder outside the checkout so repeated runs and CI reuse them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/custos/target}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT
