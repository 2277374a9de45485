# What the benchmarks that compare `custos` with outside tools share:
# messages, the tools they need, the release build, a scratch folder kept
# with KEEP=1, and timing. Sourced after BENCH_DIR and KEEP are set.

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/custos/target}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CUSTOS=$CARGO_TARGET_DIR/release/custos
export CUSTOS_PASSPHRASE="bench passphrase"

say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 2; }
# need TOOL…: each must be installed.
need() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null || die "$t is missing (scripts/install-deps.sh installs it)"
    done
}
build_custos() {
    say "building custos (release)…"
    (cd "$REPO" && cargo build -q --release --locked -p custos-cli)
}
# The scratch folder: DATA for generated data; all of it removed on exit
# unless KEEP=1.
DATA=$BENCH_DIR/data
mkdir -p "$DATA"
cleanup() { if [ "$KEEP" != 1 ]; then rm -rf "$BENCH_DIR"; fi; }
trap cleanup EXIT
now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }
